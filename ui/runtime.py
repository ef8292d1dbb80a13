"""What every page needs: settings, the engine, the language. Streamlit-side only."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from config.settings import Settings, get_settings, secret_key
from db.engine import make_engine
from i18n.labels import LANGUAGES, label


@st.cache_resource(show_spinner=False)
def _engine_for(database_url: str, query_timeout_s: float) -> Engine:
    # The dashboard's queries are bounded (settings.query_timeout_s); the public form and the
    # partner API have their own engine, without a limit (web/context.py).
    return make_engine(database_url, query_timeout_s=query_timeout_s)


@st.cache_resource(show_spinner=False)
def _unbounded_engine_for(database_url: str) -> Engine:
    return make_engine(database_url)


def maintenance_engine() -> Engine:
    """An engine without the query time limit, for what is not a dashboard query: the
    migration, the demo city and the purge on start (ui/first_start.py)."""
    return _unbounded_engine_for(settings().database_url)


def settings() -> Settings:
    return get_settings()


def engine() -> Engine:
    current = settings()
    return _engine_for(current.database_url, current.query_timeout_s)


def language() -> str:
    value = st.session_state.get("language", "vi")
    return value if value in LANGUAGES else "vi"


def t(key: str, **values: object) -> str:
    """The interface text for key in the session's language."""
    return label(key, language(), **values)


def checkout_key() -> bytes:
    """The key that signs check-out codes (see config.settings.secret_key)."""
    return secret_key(settings())
