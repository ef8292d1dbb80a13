"""KBYT: the entry point. `streamlit run app.py` (see README.md for the one-command start).

Builds the navigation once per run, the shared filters and the language switch; each page is a
small script under app_pages/ (not pages/: Streamlit would treat that
folder as legacy auto-discovered pages and could run one without this entry point).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from config.settings import ConfigError, get_settings
from i18n.labels import LANGUAGES, label
from queries.geography import list_districts, list_wards
from ui.filters import sidebar_filters
from ui.first_start import ensure_ready
from ui.runtime import engine, t

# A local file, not a :material/ icon: those are fetched from Google's font CDN as favicons.
ICON = Path(__file__).resolve().parent / "ui" / "assets" / "icon.png"
st.set_page_config(page_title="KBYT", page_icon=str(ICON), layout="wide")

language = st.query_params.get("lang", "vi")
st.session_state["language"] = language if language in LANGUAGES else "vi"

try:
    settings = get_settings()
except ConfigError as error:
    st.error(f"{label('setup.config_error', st.session_state['language'])}\n\n{error}")
    st.stop()

ensure_ready(settings, engine())


@st.cache_data(ttl=3600, show_spinner=False)
def _geography(database_url: str) -> tuple:
    with engine().connect() as connection:
        return list_districts(connection), list_wards(connection)


def _page(path: str, key: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(path, title=t(f"page.{key}"), icon=icon, url_path=key, default=default)


pages = {
    t("nav.section.operations"): [
        _page("app_pages/overview.py", "overview", ":material/dashboard:", default=True),
        _page("app_pages/map.py", "map", ":material/map:"),
        _page("app_pages/venues.py", "venues", ":material/storefront:"),
        _page("app_pages/risk.py", "risk", ":material/warning:"),
        _page("app_pages/trace.py", "trace", ":material/share_location:"),
        _page("app_pages/wall.py", "wall", ":material/tv:"),
    ],
    t("nav.section.capture"): [
        _page("app_pages/declare.py", "declare", ":material/qr_code_scanner:"),
        _page("app_pages/guide.py", "guide", ":material/help:"),
    ],
    t("nav.section.admin"): [_page("app_pages/admin.py", "admin", ":material/settings:")],
}
current = st.navigation(pages)

with st.sidebar:
    chosen = st.segmented_control(
        t("app.language"),
        LANGUAGES,
        default=st.session_state["language"],
        format_func={"vi": "Tiếng Việt", "en": "English"}.get,
        key="language_choice",
    )
    if chosen and chosen != st.session_state["language"]:
        st.query_params["lang"] = chosen
        st.rerun()

districts, wards = _geography(settings.database_url)
st.session_state["filter"] = sidebar_filters(districts, wards)
if st.session_state["language"] != "vi":
    st.query_params["lang"] = st.session_state["language"]

current.run()
