"""KBYT: the dashboard script that Streamlit runs per session (server.py serves it with the
plain routes: `streamlit run server.py`, see README.md).

Builds the navigation for the signed-in role once per run, the shared filters and the language
switch; each page is a small script under app_pages/ (not pages/: Streamlit would treat that
folder as legacy auto-discovered pages and could run one without this entry point).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from config.settings import ConfigError, get_settings
from i18n.labels import LANGUAGES, label
from queries.geography import list_districts, list_wards
from rules import safe_text
from ui.auth import resolve_scope, sign_out
from ui.filters import sidebar_filters
from ui.first_start import ensure_ready
from ui.runtime import engine, maintenance_engine, t

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

# Migrating, the demo city and the purge on start are no dashboard queries: no time limit.
ensure_ready(settings, maintenance_engine())

# page key: (script, icon, section)
PAGES = {
    "overview": ("overview.py", ":material/dashboard:", "operations"),
    "map": ("map.py", ":material/map:", "operations"),
    "venues": ("venues.py", ":material/storefront:", "operations"),
    "risk": ("risk.py", ":material/warning:", "operations"),
    "trace": ("trace.py", ":material/share_location:", "operations"),
    "wall": ("wall.py", ":material/tv:", "operations"),
    "kiosk": ("kiosk.py", ":material/qr_code_scanner:", "capture"),
    "guide": ("guide.py", ":material/help:", "capture"),
    "admin": ("admin.py", ":material/settings:", "admin"),
    "sign_in": ("sign_in.py", ":material/login:", "admin"),
}
# Pages that read check-ins by area and time show the shared filters.
FILTERED = {"overview", "map", "venues", "risk"}


@st.cache_data(ttl=3600, show_spinner=False)
def _geography(database_url: str) -> tuple:
    with engine().connect() as connection:
        return list_districts(connection), list_wards(connection)


scope = resolve_scope()
# The role's pages are in the menu; every other page exists too, hidden, so that a link to it
# says "sign in" or "not for your role" in Vietnamese instead of Streamlit's "Page not found".
# (A signed-out browser opening a dashboard page is sent to the sign-in form before this runs:
# web/auth.py.) The public declaration is a plain form (/declare), not a page of this app.
keys = scope.pages() if scope else ("sign_in", "guide")
sections: dict[str, list[st.Page]] = {}
by_page: dict[str, str] = {}
page_of: dict[str, st.Page] = {}
for key in [*keys, *(key for key in PAGES if key not in keys)]:
    script, icon, section = PAGES[key]
    page = st.Page(
        f"app_pages/{script}", title=t(f"page.{key}"), icon=icon, url_path=key,
        visibility="visible" if key in keys else "hidden",
    )  # fmt: skip
    sections.setdefault(t(f"nav.section.{section}"), []).append(page)
    by_page[page.url_path] = key
    page_of[key] = page


def _home() -> None:
    """'/' opens the role's first page. A page of its own because Streamlit serves its
    default page only at '/': as a default, /overview would be "Page not found"."""
    st.switch_page(page_of[keys[0]], query_params=st.query_params.to_dict())


home = st.Page(_home, title=t(f"page.{keys[0]}"), url_path="home", default=True,
               visibility="hidden")  # fmt: skip
sections[next(iter(sections))].insert(0, home)
current = st.navigation(sections)
current_key = by_page.get(current.url_path, keys[0])
st.session_state["current_page_path"] = current.url_path

with st.sidebar:
    chosen = st.segmented_control(
        t("app.language"),
        LANGUAGES,
        default=st.session_state["language"],
        format_func={"vi": "Tiếng Việt", "en": "English"}.__getitem__,
        key="language_choice",
    )
    if chosen and chosen != st.session_state["language"]:
        st.query_params["lang"] = chosen
        st.rerun()
    if scope:
        st.caption(t("auth.signed_in_as", username=safe_text.markdown(scope.username),
                     role=t(f"role.{scope.role}")))  # fmt: skip
        if st.button(t("auth.sign_out"), key="sign_out"):
            sign_out()
            st.switch_page("app_pages/sign_in.py")

if scope and current_key in FILTERED:
    districts, wards = _geography(settings.database_url)
    st.session_state["filter"] = sidebar_filters(districts, wards, scope)
if st.session_state["language"] != "vi":
    st.query_params["lang"] = st.session_state["language"]

current.run()
