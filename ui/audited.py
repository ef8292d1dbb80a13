"""One audit row per distinct view of personal data in a session.

A page that shows names or phones calls :func:`view` with a key naming what it shows (the list
and its area, dates, filters and page; the person; the search). The first time a session shows
that view, a "view" row is written (queries/audit.record, committed at once); reruns of the
same view, and coming back to a view already shown, write nothing more.
"""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st

from queries.audit import Subject, record
from rules.access import Scope
from ui.runtime import engine

SEEN = "audited_views"


def view(
    scope: Scope | None,
    key: Hashable,
    subject: str | Subject,
    *,
    row_count: int,
    case_id: int | None = None,
    purpose: str = "",
) -> None:
    """Record that the user saw the view named by key, once per session."""
    seen: set = st.session_state.setdefault(SEEN, set())
    if key in seen:
        return
    with engine().begin() as connection:
        record(
            connection,
            scope.username if scope else "",
            "view",
            subject,
            case_id=case_id,
            purpose=purpose,
            row_count=row_count,
        )
    seen.add(key)
