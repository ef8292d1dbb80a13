"""What every page needs: settings, the engine, the language. Streamlit-side only."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from config.settings import Settings, get_settings, secret_key
from db.engine import make_engine
from i18n.labels import LANGUAGES, label


@st.cache_resource(show_spinner=False)
def _engine_for(database_url: str) -> Engine:
    return make_engine(database_url)


def settings() -> Settings:
    return get_settings()


def engine() -> Engine:
    return _engine_for(settings().database_url)


def language() -> str:
    value = st.session_state.get("language", "vi")
    return value if value in LANGUAGES else "vi"


def t(key: str, **values: object) -> str:
    """The interface text for key in the session's language."""
    return label(key, language(), **values)


def checkout_key() -> bytes:
    """The key that signs check-out codes (see config.settings.secret_key)."""
    return secret_key(settings())
