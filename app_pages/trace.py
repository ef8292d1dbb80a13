"""The trace panel for epidemiologists: pick a case, state the purpose, see the case's visits on
a map and a timeline and its F1 (at once) and F2 (as they come) contacts; click a place to see
who was there, click a contact to trace them in turn. The state is in the URL (?case=…&depth=…
&trail=…) so a trace can be shared; the purpose is asked again, and every trace and export is
written to the audit log with the case."""

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import streamlit as st

from config.settings import TRACE_LIMITS
from queries.audit import about, record
from queries.cases import latest_case, person_by_id, search_cases
from queries.contact_records import record_contacts
from queries.trace import TraceRules, case_window, trace
from rules import safe_text
from rules.trace_levels import known_levels, relative_levels
from ui import audited
from ui.context import page_context
from ui.progress import on_bar
from ui.runtime import engine, settings, t
from ui.trace_panel.cache import session_traces
from ui.trace_panel.picker import case_picker

MIN_PURPOSE = 10

st.title(t("page.trace"))
context = page_context("trace")
scope, config = context.scope, settings()
zone = config.zone


def local(moment: datetime) -> str:
    return moment.astimezone(zone).strftime("%H:%M %d/%m/%Y")


def number_param(name: str) -> int | None:
    value = st.query_params.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


# --- choose a case -------------------------------------------------------------------------
case_id = number_param("case")
arriving_person = number_param("person")
if case_id is None and arriving_person is not None:  # from the risk list
    with engine().connect() as connection:
        found_case = latest_case(connection, arriving_person)
    if found_case is not None:
        st.query_params["case"] = str(found_case.id)
        del st.query_params["person"]
        st.rerun()

if case_id is None:
    arriving = None
    if arriving_person is not None:
        with engine().connect() as connection:
            arriving = person_by_id(connection, arriving_person)
        if arriving is not None:  # the picker shows their name and phone
            audited.view(
                scope, ("person", arriving_person), about("person", person=arriving_person),
                row_count=1,
            )  # fmt: skip
    # The views bring Plotly, folium and geopandas (~2 s to import on a busy 2-core machine):
    # the picker does not need them; they are imported once a case is open.
    case_picker(scope, arriving)

from ui.trace_panel.views import Viewing, contacts_section, visits_section  # noqa: E402

# --- the case and the trace's parameters ---------------------------------------------------
with engine().connect() as connection:
    cases = search_cases(connection, str(case_id))
if cases.empty:
    st.error(t("trace.no_cases"))
    st.stop()
case = cases.iloc[0]
title, other = st.columns([4, 1], vertical_alignment="bottom")
title.subheader(t("trace.case", case_id=case_id, name=safe_text.markdown(case["full_name"])))
# The case's name is on the page before any trace runs: a view of personal data of its own.
audited.view(scope, ("case", case_id), about("case", case=case_id), row_count=1, case_id=case_id)
if other.button(t("trace.other_case"), key="trace_other_case", icon=":material/search:"):
    # Back to the case picker: the case, its trail and depth leave the link.
    for name in ("case", "trail", "depth"):
        st.query_params.pop(name, None)
    st.rerun()

depth = 2 if st.query_params.get("depth") == "2" else 1
left, right = st.columns([3, 1])
purpose = left.text_input(t("trace.purpose"), key="trace_purpose", max_chars=300)
chosen_depth = (
    right.segmented_control(
        t("trace.depth"),
        (1, 2),
        default=depth,
        format_func=lambda d: t(f"trace.depth.{d}"),
        key="trace_depth",
    )
    or depth
)
if chosen_depth != depth:
    st.query_params["depth"] = str(chosen_depth)
    depth = chosen_depth
base_rules = TraceRules.from_settings(config.trace)
with st.expander(t("trace.rules")):
    columns = st.columns(3)
    rules = replace(
        base_rules,
        buffer_minutes=int(
            columns[0].number_input(
                t("trace.buffer"), *TRACE_LIMITS["buffer_minutes"], base_rules.buffer_minutes
            )
        ),
        min_overlap_minutes=int(
            columns[1].number_input(
                t("trace.min_overlap"),
                *TRACE_LIMITS["min_overlap_minutes"],
                base_rules.min_overlap_minutes,
            )
        ),
        lookback_days=int(
            columns[2].number_input(
                t("trace.lookback"), *TRACE_LIMITS["lookback_days"], base_rules.lookback_days
            )
        ),
    )

trail = [int(p) for p in st.query_params.get("trail", "").split(",") if p.isdigit()][:10]
# A trace runs "until now"; following its contacts must use that same moment, not a later one.
moments: dict = st.session_state.setdefault("trace_now", {})
now = moments.setdefault(case_id, datetime.now(UTC).replace(microsecond=0))
since, until = case_window(case, rules, now, zone)
traces = session_traces(st.session_state)  # the most recent results, bounded
case_person = int(case["person_id"])
# Each person followed in turn is traced from when they were first exposed in the trace before.
# Levels stay those of the case: whoever was listed before keeps their level (the lowest).
index_person, index_since, level = case_person, since, 0
names, levels = [str(case["full_name"])], [0]
known_person = np.array([case_person], dtype=np.int64)
known_level = np.zeros(1, dtype=np.int64)
for position, followed in enumerate(trail):
    parent = traces.get((case_id, index_person, index_since, until, depth, rules)) or traces.get(
        (case_id, index_person, index_since, until, 3 - depth, rules)
    )
    contact = parent.contact(followed) if parent else None
    if contact is None or followed == case_person or followed in trail[:position]:
        trail = trail[:position]
        break
    person_ids, own_levels, _ = parent.contacts.without(case_person).columns()
    relative, _ = relative_levels(person_ids, own_levels, level, known_person, known_level)
    known_person, known_level = known_levels(known_person, known_level, person_ids, relative)
    level = int(known_level[np.searchsorted(known_person, followed)])
    index_person, index_since = followed, contact.first_exposure
    names.append(contact.full_name)
    levels.append(level)

viewing = Viewing(
    case_id=case_id,
    case_person_id=case_person,
    person_id=index_person,
    name=names[-1],
    level=level,
    trail=tuple(trail),
    steps=tuple(zip(levels, names, strict=True)),
    known_person=known_person,
    known_level=known_level,
)

# The breadcrumb: the case, then each person traced in turn; a click goes back.
if trail:
    crumbs = st.columns(len(names) + 1)
    crumbs[0].markdown(f"**{t('trace.breadcrumb')}:**")
    for position, (name, lv) in enumerate(zip(names, levels, strict=True)):
        label = f"{t('trace.the_case') if lv == 0 else f'F{lv}'}: {safe_text.markdown(name)}"
        if position < len(names) - 1 and crumbs[position + 1].button(
            label, key=f"crumb_{position}"
        ):
            st.query_params["trail"] = ",".join(map(str, trail[:position]))
            st.rerun()
        elif position == len(names) - 1:
            crumbs[position + 1].markdown(f"→ **{label}**")


def next_level() -> None:
    """F2 (or the next level of a contact) in one click: the depth control follows."""
    st.session_state["trace_depth"] = 2
    st.query_params["depth"] = "2"


key = (case_id, index_person, index_since, until, depth, rules)
result = traces.get(key)
if result is None:
    if len(purpose.strip()) < MIN_PURPOSE:
        st.info(t("trace.purpose_missing"))
        st.stop()
    first_key = (case_id, index_person, index_since, until, 1, rules)
    first = traces.get(first_key)
    # A trace already run (its F1 is here) goes on to F2 at once; a new one waits for the button.
    if not st.button(t("trace.run"), type="primary", key="trace_run") and not trail and not first:
        st.stop()
    if first is None:
        with st.spinner(t("trace.progress", message="F1")), engine().connect() as connection:
            first = trace(connection, index_person, index_since, until, rules, depth=1)
        traces[first_key] = first
    result = first
    if depth == 2:
        # F1 is shown at once; F2 follows with its progress below, then the page redraws.
        st.caption(t("trace.window", since=local(first.since), until=local(first.until)))
        visits_section(first, rules, viewing, purpose, scope, local)
        contacts_section(first, viewing, purpose, scope)
        st.subheader(t("trace.f2_pending"))
        bar = st.progress(0.0, text=t("trace.progress", message="F2"))
        with engine().connect() as connection:
            result = trace(
                connection,
                index_person,
                index_since,
                until,
                rules,
                depth=2,
                progress=on_bar(bar, lambda m: t("trace.progress", message=m)),
            )
    traces[key] = result
    with engine().begin() as connection:
        record(
            connection,
            scope.username,
            "trace",
            about(
                "trace",
                person=index_person,
                depth=depth,
                since=f"{since:%Y-%m-%d}",
                until=f"{until:%Y-%m-%d}",
            ),
            case_id=case_id,
            purpose=purpose.strip(),
            row_count=len(result.contacts),
        )
        if not trail:
            record_contacts(connection, case_id, result)
    if depth == 2:
        st.rerun()

st.caption(t("trace.window", since=local(result.since), until=local(result.until)))

visits_section(result, rules, viewing, purpose, scope, local)
contacts_section(result, viewing, purpose, scope, next_level if result.depth == 1 else None)
