"""The audit log, filtered by days, user and action."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from queries.audit import ACTIONS, list_audit
from rules.local_time import local_range_bounds
from ui.formatting import local_times
from ui.runtime import engine, settings, t


def audit_tab() -> None:
    columns = st.columns(3)
    today = date.today()
    days = columns[0].date_input(
        t("filter.dates"), (today - timedelta(days=6), today), format="DD/MM/YYYY", key="audit_days"
    )
    username = columns[1].text_input(t("admin.audit.user"), max_chars=64, key="audit_user")
    action = columns[2].selectbox(t("admin.audit.action"), ("", *ACTIONS), key="audit_action")
    first, last = (days[0], days[-1]) if isinstance(days, tuple | list) and days else (today, today)
    since, until = local_range_bounds(first, last, settings().zone)
    with engine().connect() as connection:
        rows = list_audit(connection, since, until, username.strip() or None, action or None)
    st.caption(t("admin.audit.count", count=len(rows)))
    if not rows.empty:
        rows["at"] = local_times(rows["at"])
        st.dataframe(
            rows.rename(columns={c: t(f"column.{c}") for c in rows.columns}), hide_index=True
        )
