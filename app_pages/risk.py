"""Risk cases: at-risk declarations and alerts of the area, with the follow-up workflow
(new → contacted → tested → isolated / cleared) recorded and shown as history."""

import pandas as pd
import streamlit as st

from queries.audit import about, record
from queries.risk import add_follow_up, current_status, follow_up_history, risk_list
from reports.tables import to_csv_bytes
from rules import safe_text
from rules.follow_up import NEXT, STATUSES, FollowUpError
from ui import audited
from ui.context import page_context
from ui.formatting import (
    blank_missing,
    headers,
    local_times,
    reason_text,
    risk_names,
    status_names,
    table_height,
)
from ui.runtime import engine, settings, t

PAGE_SIZE = 200


def risk_rows_shown(rows: pd.DataFrame, with_year: bool = False) -> pd.DataFrame:
    """The risk list as people read it: local times, words for codes, headers in the language."""
    return headers(
        blank_missing(rows, ("assignee",)).assign(
            checked_in_at=local_times(rows["checked_in_at"], with_year),
            risk_level=risk_names(rows["risk_level"]),
            risk_reasons=rows["risk_reasons"].map(reason_text),
            status=status_names(rows["status"]),
        )
    )


st.title(t("page.risk"))
context = page_context("risk")
config = settings()
scope, wards = context.scope, context.wards
start, end = context.filter.bounds(config.zone)

columns = st.columns(3)
level = columns[0].segmented_control(
    t("risk.level"), (None, 1, 2), default=None, key="risk_level",
    format_func=lambda v: t("risk.any") if v is None else t(f"risk.level.{v}"),
)  # fmt: skip
status = columns[1].selectbox(
    t("risk.status"), (None, *STATUSES), key="risk_status",
    format_func=lambda v: t("risk.any") if v is None else t(f"status.{v}"),
)  # fmt: skip
page_number = (
    int(columns[2].number_input(t("venues.page"), min_value=1, value=1, key="risk_page")) - 1
)

with engine().connect() as connection:
    rows, total = risk_list(
        connection, start, end, wards, scope, level, status, PAGE_SIZE, page_number * PAGE_SIZE
    )
pages = max(1, -(-total // PAGE_SIZE))
st.caption(t("risk.total", total=total, page=page_number + 1, pages=pages))
if rows.empty:
    st.info(t("common.no_data"))
    st.stop()

picked = st.dataframe(
    risk_rows_shown(rows.drop(columns=["checkin_id", "person_id"])),
    hide_index=True, on_select="rerun", selection_mode="single-row", key="risk_table",
    height=table_height(len(rows)),
)  # fmt: skip
if scope.personal_data:
    chosen = context.filter
    area = chosen.ward_code or chosen.district_code
    days: dict[str, str | int] = {
        "first": str(chosen.first_day),
        "last": str(chosen.last_day),
        "page": page_number + 1,
    }
    if area:
        listed = about("risk_list_page", area=area, **days)
    else:
        listed = about("risk_list_page_city", **days)
    audited.view(
        scope,
        ("risk list", wards, start, end, level, status, page_number),
        listed,
        row_count=len(rows),
    )

    def export() -> bytes:
        with engine().begin() as connection:
            everything, _ = risk_list(connection, start, end, wards, scope, level, status, 100_000)
            record(
                connection, scope.username, "export", about("risk_list"), row_count=len(everything)
            )
        return to_csv_bytes(risk_rows_shown(everything, with_year=True))

    st.download_button(
        t("risk.export"), export, file_name=f"kbyt-{t('risk.export_file')}.csv", mime="text/csv",
        icon=":material/download:", on_click="ignore",
    )  # fmt: skip

selected = picked.selection.rows if picked else []
if not selected:
    st.caption(t("risk.pick"))
    st.stop()
row = rows.iloc[selected[0]]
person_id, checkin_id = int(row["person_id"]), int(row["checkin_id"])
st.subheader(f"{safe_text.markdown(row['full_name'])} — {safe_text.markdown(row['phone'])}")
if scope.allows_page("trace"):
    st.page_link(
        "app_pages/trace.py", label=t("risk.trace"), icon=":material/share_location:",
        query_params={"person": str(person_id)},
    )  # fmt: skip

with engine().connect() as connection:
    history = follow_up_history(connection, person_id)
    latest = current_status(connection, person_id)
st.markdown(f"**{t('risk.history')}**")
if history.empty:
    st.caption(t("risk.no_history"))
else:
    st.dataframe(
        headers(
            blank_missing(history, ("assignee", "note")).assign(
                at=local_times(history["at"], with_year=True),
                status=status_names(history["status"]),
            )
        ),
        hide_index=True,
    )

choices = ("new", *NEXT["new"]) if latest is None else NEXT[latest]
if not choices:
    st.success(t("risk.closed"))
    st.stop()
with st.form(f"follow_up_{person_id}", clear_on_submit=True):
    step = st.selectbox(t("risk.next"), choices, format_func=lambda s: t(f"status.{s}"))
    assignee = st.text_input(t("risk.assignee"), max_chars=64)
    note = st.text_area(t("risk.note"), max_chars=2000)
    if st.form_submit_button(t("risk.save"), type="primary"):
        try:
            with engine().begin() as connection:
                add_follow_up(
                    connection, person_id, step, scope.username, assignee, note, checkin_id
                )
                record(
                    connection, scope.username, "edit",
                    about("follow_up", person=person_id, status=step),
                )  # fmt: skip
        except FollowUpError as error:
            st.error(str(error))
        else:
            st.success(t("risk.saved", status=t(f"status.{step}")))
            st.rerun()
