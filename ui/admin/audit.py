"""The audit log, filtered by days, user and action; what each row is about in the reader's
language (rows written before subjects had keys as written)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from queries.audit import ACTIONS, list_audit, subject_text
from rules.local_time import local_range_bounds, today_local
from ui.formatting import action_names, blank_missing, headers, local_times, table_height
from ui.runtime import engine, language, settings, t

DEFAULT_DAYS = 7


def default_days(zone: ZoneInfo, now: datetime | None = None) -> tuple[date, date]:
    """The last seven local days, today included: "today" is the zone's (HCMC's) day, not the
    server's, whose clock is usually UTC and seven hours behind."""
    today = today_local(zone, now)
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def audit_tab() -> None:
    columns = st.columns(3)
    first, today = default_days(settings().zone)
    days = columns[0].date_input(
        t("filter.dates"), (first, today), format="DD/MM/YYYY", key="audit_days"
    )
    username = columns[1].text_input(t("admin.audit.user"), max_chars=64, key="audit_user")
    action = columns[2].selectbox(
        t("admin.audit.action"), ACTIONS, index=None, key="audit_action",
        placeholder=t("admin.audit.any_action"), format_func=lambda a: t(f"action.{a}"),
    )  # fmt: skip
    first, last = (days[0], days[-1]) if isinstance(days, tuple | list) and days else (today, today)
    since, until = local_range_bounds(first, last, settings().zone)
    with engine().connect() as connection:
        rows = list_audit(connection, since, until, username.strip() or None, action or None)
    st.caption(t("admin.audit.count", count=len(rows)))
    if not rows.empty:
        reader = language()
        subjects = [
            subject_text(reader, text, key, values)
            for text, key, values in zip(
                rows["subject"], rows["subject_key"], rows["subject_values"], strict=True
            )
        ]
        shown = (
            blank_missing(rows, ("case_id", "purpose", "row_count"))
            .drop(columns=["subject_key", "subject_values"])
            .assign(
                at=local_times(rows["at"], with_year=True),
                action=action_names(rows["action"]),
                subject=subjects,
            )
        )
        st.dataframe(headers(shown), hide_index=True, height=table_height(len(rows)))
