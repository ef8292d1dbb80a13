"""The retention setting and an explicit purge."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from queries.audit import about, record
from queries.retention import purge
from rules.access import Scope
from ui.runtime import maintenance_engine, settings, t


def retention_tab(scope: Scope) -> None:
    days = settings().retention_days
    st.info(t("admin.retention.setting", days=days))
    sure = st.checkbox(t("admin.retention.confirm"), key="purge_sure")
    if st.button(t("admin.retention.run"), disabled=not sure, key="purge_now"):
        # Not a dashboard query: a large purge may run past the query time limit.
        with maintenance_engine().begin() as connection:
            report = purge(connection, datetime.now(UTC), days)
            subject = about("purge", cutoff=report.cutoff.isoformat())
            detail = (
                f"people={report.people} alerts={report.alerts} "
                f"advance={report.advance_declarations}"
            )
            record(
                connection,
                scope.username,
                "purge",
                subject,
                row_count=report.checkins,
                detail=detail,
            )
        st.success(t("admin.retention.done", checkins=report.checkins, people=report.people))
