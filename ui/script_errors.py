"""What a user sees when a page fails: one sentence in their language, never a traceback
(the traceback goes to the server's log)."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import DBAPIError

from db.engine import is_query_timeout
from ui.runtime import settings, t

log = logging.getLogger("kbyt")


def timeout_message() -> str:
    """The sentence for a query stopped by settings.query_timeout_s: the page that asked, the
    limit, and what to narrow."""
    path = st.session_state.get("current_page_path") or ""
    page = t(f"page.{path}") if path else "KBYT"
    if page == f"page.{path}":  # not a page key: say nothing rather than the key
        page = "KBYT"
    return t("error.query_timeout", page=page, seconds=f"{settings().query_timeout_s:g}")


def friendly_script_error(error: Exception) -> bool:
    """st.App's on_script_error: show a sentence and suppress Streamlit's exception box."""
    if is_query_timeout(error):
        log.warning("query stopped at the time limit: %s", error)
    else:
        log.error("page failed", exc_info=error)
    try:
        if is_query_timeout(error):
            st.error(timeout_message())
        elif isinstance(error, DBAPIError):
            st.error(t("public.error.busy"))
        else:
            st.error(t("public.error.unexpected"))
    except Exception:  # noqa: BLE001 - outside a script run there is nothing to draw on
        return False
    return True
