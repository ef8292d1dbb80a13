"""Choosing the case to trace, or registering a new one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NoReturn

import streamlit as st

from queries.audit import about, record
from queries.cases import PersonNotFound, find_person, register_case, search_cases
from rules import safe_text
from rules.access import Scope
from rules.phone import PhoneError
from ui import audited
from ui.formatting import day_text, headers, local_times, table_height
from ui.runtime import engine, t


def case_picker(scope: Scope, person: tuple[str, str] | None = None) -> NoReturn:
    """Search and pick a case (written to the URL), or register one; the page stops after.
    person: (name, phone) of someone arriving from the risk list who is not a case yet."""
    if person:
        st.info(t("trace.not_a_case", name=safe_text.markdown(person[0])))
    text = st.text_input(t("trace.find"), key="trace_find", max_chars=60)
    with engine().connect() as connection:
        cases = search_cases(connection, text)
    if cases.empty:
        st.info(t("trace.no_cases"))
    else:
        search = " ".join(text.split())
        audited.view(
            scope, ("case picker", search), about("case_picker", search=search),
            row_count=len(cases),
        )  # fmt: skip
        shown = cases.assign(
            status=cases["status"].map(lambda s: t(f"trace.status.{s}")),
            onset_date=cases["onset_date"].map(day_text),
            test_date=cases["test_date"].map(day_text),
            isolated_at=local_times(cases["isolated_at"], with_year=True),
        ).drop(columns=["person_id"])
        picked = st.dataframe(
            headers(shown),
            hide_index=True,
            height=table_height(len(shown), 10),
            on_select="rerun",
            selection_mode="single-row",
            key="cases_table",
        )
        st.caption(t("trace.pick"))
        chosen = None
        if picked and picked.selection.rows:
            chosen = int(cases.iloc[picked.selection.rows[0]]["case_id"])
        # The same choice without a mouse: a list and a button.
        labels = {
            int(case_id): f"{case_id} · {full_name} · {phone}"
            for case_id, full_name, phone in zip(
                cases["case_id"], cases["full_name"], cases["phone"], strict=True
            )
        }
        left, right = st.columns([4, 1])
        listed = left.selectbox(t("trace.open_case"), list(labels), format_func=labels.__getitem__)
        if right.button(t("trace.open"), key="trace_open"):
            chosen = listed
        if chosen is not None:
            st.query_params["case"] = str(chosen)
            st.rerun()
    with st.expander(t("trace.register"), expanded=person is not None), st.form("register_case"):
        phone = st.text_input(t("declare.phone"), person[1] if person else "", max_chars=20)
        name = st.text_input(t("declare.full_name"), person[0] if person else "", max_chars=120)
        status = st.selectbox(
            t("trace.status"),
            ("confirmed", "suspected"),
            format_func=lambda s: t(f"trace.status.{s}"),
        )
        onset = st.date_input(t("trace.onset"), value=None, format="DD/MM/YYYY")
        tested = st.date_input(t("trace.test_date"), value=None, format="DD/MM/YYYY")
        isolated = st.checkbox(t("trace.isolated"))
        sent = st.form_submit_button(t("trace.register"), type="primary")
    if sent:
        try:
            with engine().begin() as connection:
                found = find_person(connection, phone, name.strip() or None)
                new_case = register_case(
                    connection,
                    found.id,
                    status,
                    onset,
                    tested,
                    datetime.now(UTC) if isolated else None,
                    scope.username,
                )
                record(
                    connection,
                    scope.username,
                    "edit",
                    about("case_registered", case=new_case),
                    case_id=new_case,
                )
        except (PersonNotFound, PhoneError, LookupError) as error:
            st.error(t("trace.person_not_found", reason=safe_text.markdown(str(error))))
        except ValueError:
            st.error(t("trace.no_dates"))
        else:
            st.success(t("trace.registered", case_id=new_case))
            st.query_params["case"] = str(new_case)
            st.rerun()
    st.stop()
