"""What a page starts with: the user's scope, the shared filter and the area they allow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import streamlit as st

from queries.area import allowed_wards
from queries.filters import Filter
from rules.access import Scope
from rules.local_time import today_local
from ui.auth import require_signed_in
from ui.runtime import settings, t


def default_filter() -> Filter:
    """The last seven local days, whole city: for pages that draw no filter widgets."""
    today = today_local(settings().zone)
    return Filter(today - timedelta(days=6), today)


@dataclass(frozen=True)
class PageContext:
    scope: Scope
    filter: Filter
    wards: frozenset[str] | None  # None: the whole city


def page_context(page: str) -> PageContext:
    """Check access to the page and return its context; an area outside the user's scope
    stops the page with a message instead of showing anything."""
    scope = require_signed_in(page)
    current: Filter = st.session_state.get("filter") or default_filter()
    wards = allowed_wards(current, scope)
    if wards is not None and not wards:
        st.warning(t("auth.outside_scope"))
        st.stop()
    return PageContext(scope, current, wards)
