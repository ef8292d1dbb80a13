"""What a trace shows: the visits of the person traced (map, list, timeline, who overlapped them
at a chosen place) and their contacts (paged table, follow one in turn, exports). Levels and
headings are those of the original case, whoever in the trail is shown. Views and exports are
audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st
from streamlit_folium import st_folium

from geo.maps import visits_map
from queries.audit import about, record
from queries.fhir_export import fhir_rows
from queries.trace import TraceResult, TraceRules
from queries.trace_contacts import Contacts
from queries.venue_presence import overlapping_at_venue
from reports.fhir_bundle import bundle_json, fhir_bundle
from reports.tables import to_csv_bytes, to_xlsx_bytes
from rules import safe_text
from rules.access import Scope
from rules.trace_levels import relative_levels
from ui import audited
from ui.formatting import count_text, localise_chart, table_height
from ui.runtime import engine, settings, t

PAGE_SIZE = 1000


@dataclass(frozen=True)
class Viewing:
    """Whose visits and contacts a trace shows and where they stand in the case's trail.

    level: 0 for the case, k for its Fk. steps: (level, name) of the case and each person
    followed in turn, names raw.
    known_person (sorted) and known_level: everyone listed by the traces before this one in
    the trail, the case at level 0 — they are marked as already traced, never new."""

    case_id: int
    case_person_id: int
    person_id: int
    name: str
    level: int
    trail: tuple[int, ...]
    steps: tuple[tuple[int, str], ...]
    known_person: np.ndarray
    known_level: np.ndarray

    def who(self) -> str:
        """The person for a Markdown heading: the case, or the contact with their trail."""
        if not self.trail:
            return t("trace.who_case", case_id=self.case_id, name=safe_text.markdown(self.name))
        return t(
            "trace.who_contact",
            name=safe_text.markdown(self.name),
            level=self.level,
            case_id=self.case_id,
            path=self.path(),
        )

    def path(self) -> str:
        """The trail for Markdown: 'Ca bệnh: A → F1: B', each name made safe."""
        return " → ".join(
            f"{t('trace.the_case') if level == 0 else f'F{level}'}: {safe_text.markdown(name)}"
            for level, name in self.steps
        )

    def contacts(self, result: TraceResult) -> tuple[Contacts, np.ndarray, np.ndarray]:
        """The contacts to list (never the case), their levels relative to the case, and
        whether an earlier trace of the trail listed them already."""
        contacts = result.contacts
        if not isinstance(contacts, Contacts):
            raise TypeError(f"a trace for the page lists its contacts lazily, not {type(contacts)}")
        contacts = contacts.without(self.case_person_id)
        person, level, _ = contacts.columns()
        levels, already = relative_levels(
            person, level, self.level, self.known_person, self.known_level
        )
        return contacts, levels, already


def window_text(start: datetime, end: datetime, zone: tzinfo) -> str:
    """An exposure window in local time with its date: '08:30–09:00 12/06/2021'."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M} {start:%d/%m/%Y}"
    return f"{start:%H:%M %d/%m/%Y} – {end:%H:%M %d/%m/%Y}"


def _hover_labels() -> dict[str, str]:
    """Words for the columns a timeline's hover names (Plotly shows 'venue_name=…')."""
    return {
        "start": t("column.start"),
        "end": t("column.end"),
        "venue_name": t("column.venues"),
        "who": t("column.full_name"),
    }


def visits_section(
    result: TraceResult,
    rules: TraceRules,
    viewing: Viewing,
    purpose: str,
    scope: Scope,
    local: Callable[[datetime], str],
) -> None:
    config = settings()
    zone = config.zone
    index_person = viewing.person_id
    visits = pd.DataFrame(
        [
            {
                "venue_ref": v.venue_ref,
                "venue_name": v.venue_name,
                "lat": v.lat,
                "lon": v.lon,
                "start": v.start,
                "end": v.end,
                "venue_id": v.venue_id,
                "label": f"{local(v.start)} – {v.end.astimezone(zone):%H:%M}",
            }
            for v in result.visits
        ]
    )
    st.subheader(t("trace.visits_of", who=viewing.who(), count=len(visits)))
    if visits.empty:
        st.info(t("trace.no_visits"))
    else:
        map_column, list_column = st.columns([3, 2])
        selected = st.session_state.get("trace_visit")
        with map_column:
            clicked = st_folium(
                visits_map(visits, config.map, selected),
                height=420,
                use_container_width=True,
                returned_objects=["last_object_clicked"],
                key=f"trace_map_{index_person}",
            )
        point = (clicked or {}).get("last_object_clicked") or {}
        if point:
            nearest = (
                (visits["lat"] - point.get("lat", 0)) ** 2
                + (visits["lon"] - point.get("lng", 0)) ** 2
            ).idxmin()
            st.session_state["trace_visit"] = visits.loc[nearest, "venue_ref"]
        with list_column:
            table = visits[["venue_name", "label"]].rename(
                columns={"venue_name": t("column.venues"), "label": t("column.when")}
            )
            table.index = pd.RangeIndex(1, len(table) + 1)
            chosen = st.dataframe(
                table, on_select="rerun", selection_mode="single-row", key="trace_visits"
            )
            if chosen and chosen.selection.rows:
                st.session_state["trace_visit"] = visits.iloc[chosen.selection.rows[0]]["venue_ref"]
            places = dict(zip(visits["venue_ref"], visits["venue_name"], strict=True))
            place = st.selectbox(
                t("trace.place"), [None, *places], format_func=lambda r: places.get(r, "—"),
                key=f"trace_place_{index_person}",
            )  # fmt: skip
            if place is not None:
                st.session_state["trace_visit"] = place
        timeline = px.timeline(
            visits.assign(
                start=visits["start"].dt.tz_convert(zone),
                end=visits["end"].dt.tz_convert(zone),
                venue_name=visits["venue_name"].map(safe_text.html),  # Plotly reads HTML
            ),
            x_start="start",
            x_end="end",
            y="venue_name",
            color_discrete_sequence=["#c62828"],
            labels=_hover_labels(),
        )
        timeline.update_layout(
            height=60 + 28 * visits["venue_name"].nunique(),
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            yaxis_title="",
        )
        st.plotly_chart(localise_chart(timeline), config={"displayModeBar": False})

        venue_ref = st.session_state.get("trace_visit")
        if venue_ref in set(visits["venue_ref"]):
            present_section(
                visits[visits["venue_ref"] == venue_ref], rules, viewing, purpose, scope
            )
        else:
            st.caption(t("trace.pick_visit"))


def present_section(
    at_venue: pd.DataFrame, rules: TraceRules, viewing: Viewing, purpose: str, scope: Scope
) -> None:
    """Who overlapped the traced person's visits at one venue: one row per person, with the
    minutes of overlap, and their presence beside the traced person's on a timeline."""
    zone = settings().zone
    venue_ref = at_venue.iloc[0]["venue_ref"]
    with engine().connect() as connection:
        people = overlapping_at_venue(
            connection,
            int(at_venue.iloc[0]["venue_id"]),
            list(zip(at_venue["start"], at_venue["end"], strict=True)),
            viewing.person_id,
            rules,
        )
    venue_name = safe_text.markdown(at_venue.iloc[0]["venue_name"])
    name = safe_text.markdown(viewing.name)
    st.markdown(f"**{t('trace.present_with', venue=venue_name, name=name, count=len(people))}**")
    if not people:
        return
    audited.view(
        scope,
        ("present", viewing.case_id, viewing.person_id, venue_ref, rules, purpose.strip()),
        about("present_at", venue=venue_ref),
        row_count=len(people),
        case_id=viewing.case_id,
        purpose=purpose.strip(),
    )
    st.caption(t("trace.present_note", name=name, buffer=rules.buffer_minutes))
    traced = safe_text.html(viewing.name)
    bands = pd.DataFrame(
        [{"who": traced, "start": s, "end": e, "role": traced}
         for s, e in zip(at_venue["start"], at_venue["end"], strict=True)]
        + [
            {
                "who": safe_text.html(
                    f"{p.full_name} ({p.phone[-4:]}) · {p.overlap_minutes} {t('trace.minutes')}"
                ),
                "start": start,
                "end": end,
                "role": "—",
            }
            for p in people
            for start, end in p.presences
        ]
    )  # fmt: skip
    chart = px.timeline(
        bands.assign(
            start=bands["start"].dt.tz_convert(zone), end=bands["end"].dt.tz_convert(zone)
        ),
        x_start="start",
        x_end="end",
        y="who",
        color="role",
        color_discrete_map={traced: "#c62828", "—": "#546e7a"},
        labels=_hover_labels(),
        hover_data={"role": False},
    )
    # The axis spans the traced person's presence, widened: a 9-day axis made bands slivers.
    chart.update_xaxes(
        range=[bands["start"].min().tz_convert(zone), bands["end"].max().tz_convert(zone)]
    )
    chart.update_layout(
        height=min(900, 80 + 24 * bands["who"].nunique()),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis_title="",
        showlegend=False,
    )
    st.plotly_chart(localise_chart(chart), config={"displayModeBar": False})
    st.dataframe(
        pd.DataFrame(
            {
                t("column.full_name"): [p.full_name for p in people],
                t("column.phone"): [p.phone for p in people],
                t("column.overlap_minutes"): [p.overlap_minutes for p in people],
            }
        ),
        hide_index=True,
        height=table_height(len(people)),
        key=f"trace_present_{viewing.person_id}_{venue_ref}",
    )


CONTACT_COLUMNS = [
    "person_id",
    "level",
    "note",
    "full_name",
    "phone",
    "exposure_venue",
    "exposure_window",
    "overlap_minutes",
    "venues",
    "via",
]


def _contact_frame(
    contacts: Contacts, levels: np.ndarray, already: np.ndarray, zone: tzinfo
) -> pd.DataFrame:
    """The contacts as table rows, levels relative to the case; built for a page or an export
    only (an F2 has hundreds of thousands of contacts, and each row costs a Contact)."""
    return pd.DataFrame(
        [
            {
                "person_id": c.person_id,
                "level": f"F{level}",
                "note": t("trace.already", level=level) if was else "",
                "full_name": c.full_name,
                "phone": c.phone,
                "exposure_venue": where.venue_name,
                "exposure_window": window_text(where.start, where.end, zone),
                "overlap_minutes": c.overlap_minutes,
                "venues": ", ".join(c.venues),
                "via": " → ".join(f"{s.through_name} @ {s.venue_ref}" for s in c.via),
            }
            for c, where, level, was in zip(
                contacts, contacts.exposures(), levels.tolist(), already.tolist(), strict=True
            )
        ],
        columns=CONTACT_COLUMNS,
    )


def level_counts(levels: np.ndarray, already: np.ndarray) -> str:
    """'3 F2, 12 F3; 1 already traced' for a heading."""
    new, counts = np.unique(levels[~already], return_counts=True)
    parts = ", ".join(
        f"{count_text(n)} F{lv}" for lv, n in zip(new.tolist(), counts.tolist(), strict=True)
    )
    text = parts or t("trace.none")
    if already.any():
        text += "; " + t("trace.already_count", count=int(already.sum()))
    return text


def contacts_section(
    result: TraceResult,
    viewing: Viewing,
    purpose: str,
    scope: Scope,
    on_next_level: Callable[[], None] | None = None,
) -> None:
    """The contacts of the person traced. on_next_level: when given (an F1-only trace), a
    button beside the heading that runs the next level at once."""
    zone = settings().zone
    contacts, levels, already = viewing.contacts(result)
    heading, more = st.columns([4, 1], vertical_alignment="bottom")
    heading.subheader(
        t("trace.contacts_of", who=viewing.who(), levels=level_counts(levels, already))
    )
    if on_next_level is not None:
        more.button(
            t("trace.run_next", level=viewing.level + 2),
            key="trace_next_level",
            on_click=on_next_level,
            icon=":material/account_tree:",
        )
    trail, index_person, case_id = list(viewing.trail), viewing.person_id, viewing.case_id
    pages = max(1, -(-len(contacts) // PAGE_SIZE))
    page = (
        int(st.number_input(t("trace.page"), 1, pages, 1, key="trace_page")) - 1 if pages > 1 else 0
    )
    rows = slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)
    window = _contact_frame(contacts[rows], levels[rows], already[rows], zone)
    shown = window.drop(columns=["person_id"])
    table_key, list_key = f"contacts_{index_person}", f"trace_follow_who_{index_person}"

    def follow(person: int) -> None:
        """One action from a contact to their own visits: the trail grows by the contact."""
        st.query_params["trail"] = ",".join(map(str, [*trail, person]))

    def follow_row() -> None:
        rows = st.session_state[table_key].selection.rows
        if rows:
            follow(int(window.iloc[rows[0]]["person_id"]))

    def follow_listed() -> None:
        if st.session_state[list_key] is not None:
            follow(int(st.session_state[list_key]))

    st.caption(t("trace.follow_hint"))
    st.dataframe(
        shown.rename(columns={c: t(f"column.{c}") for c in shown.columns}),
        hide_index=True,
        on_select=follow_row,
        selection_mode="single-row",
        height=table_height(len(shown)),
        key=table_key,
    )
    listed = window.head(200)
    names = {
        int(person_id): f"{level} · {full_name} · {phone}"
        for person_id, level, full_name, phone in zip(
            listed["person_id"], listed["level"], listed["full_name"], listed["phone"], strict=True
        )
    }
    st.selectbox(
        t("trace.follow_who"), [None, *names], format_func=lambda p: names.get(p, "—"),
        key=list_key, on_change=follow_listed,
    )  # fmt: skip

    def export(kind: str) -> bytes:
        """On click, on its own thread: the whole list, audited as an export of the case."""
        with engine().begin() as connection:
            record(
                connection,
                scope.username,
                "export",
                about("contacts_export", person=index_person, format=kind),
                case_id=case_id,
                purpose=purpose.strip(),
                row_count=len(contacts),
            )
        table = _contact_frame(contacts, levels, already, zone).drop(columns=["person_id"])
        table = table.rename(columns={c: t(f"column.{c}") for c in table.columns})
        return to_csv_bytes(table) if kind == "csv" else to_xlsx_bytes(table, "contacts")

    deepest = viewing.level + result.depth
    name = f"kbyt-ca-{case_id}"
    if trail:
        name += f"-qua-{'-'.join(map(str, trail))}"
    name += f"-tiep-xuc-F{viewing.level + 1}" + (
        f"-F{deepest}" if deepest > viewing.level + 1 else ""
    )
    formats = (
        ("csv", t("trace.export_csv"), "text/csv"),
        (
            "xlsx",
            t("trace.export_xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    )
    # The FHIR Bundle is the case's own trace (not a contact's followed in turn), for those who
    # may see personal data.
    fhir = not trail and scope.personal_data
    columns = st.columns(len(formats) + fhir)
    for column, (kind, label, media_type) in zip(columns, formats, strict=False):
        column.download_button(
            label,
            partial(export, kind),
            f"{name}.{kind}",
            media_type,
            on_click="ignore",
            icon=":material/download:",
        )
    if fhir:
        columns[-1].download_button(
            t("trace.export_fhir"),
            partial(fhir_download, scope, case_id, result, purpose),
            f"kbyt-ca-{case_id}-fhir.json",
            "application/fhir+json",
            on_click="ignore",
            icon=":material/download:",
            key="trace_fhir",
        )


def fhir_download(scope: Scope, case_id: int, result: TraceResult, purpose: str) -> bytes:
    """On click, on its own thread: the case's trace as a FHIR Bundle (docs/fhir.md), audited
    as an export of the case before it is made."""
    with engine().begin() as connection:
        rows = fhir_rows(connection, case_id, result)
        record(
            connection,
            scope.username,
            "export",
            about("fhir_export", case=case_id, contacts=len(result.contacts)),
            case_id=case_id,
            purpose=purpose.strip(),
            row_count=len(result.contacts),
            detail=f"depth {result.depth}, {result.since:%Y-%m-%d}..{result.until:%Y-%m-%d}",
        )
    return bundle_json(fhir_bundle(rows, result)).encode("utf-8")
