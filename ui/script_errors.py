"""What a user sees when a page fails: one sentence in their language, never a traceback
(the traceback goes to the server's log)."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import DBAPIError

from ui.runtime import t

log = logging.getLogger("kbyt")


def friendly_script_error(error: Exception) -> bool:
    """st.App's on_script_error: show a sentence and suppress Streamlit's exception box."""
    log.error("page failed", exc_info=error)
    try:
        if isinstance(error, DBAPIError):
            st.error(t("public.error.busy"))
        else:
            st.error(t("public.error.unexpected"))
    except Exception:  # noqa: BLE001 - outside a script run there is nothing to draw on
        return False
    return True
