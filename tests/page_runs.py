"""The app under Streamlit's AppTest: its settings pointed at a test's database, and a page of it
opened as a user reaches it (app.py first, then the page from the menu)."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.testing.v1 import AppTest

from config.settings import get_settings
from rules.access import Scope
from tests.conftest import REPO
from ui import runtime

# The session's language as the app reads it, before any test patches it.
_SESSION_LANGUAGE = runtime.language


def point_app_at(monkeypatch: pytest.MonkeyPatch, database_url: str, **variables: str) -> None:
    """The app's settings, read anew from the environment: the database at database_url, no
    demo city seeded on first start, and KBYT_<name> for each variable given."""
    monkeypatch.setenv("KBYT_DATABASE_URL", database_url)
    monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
    for name, value in variables.items():
        monkeypatch.setenv(f"KBYT_{name}", value)
    get_settings.cache_clear()


def read_in(monkeypatch: pytest.MonkeyPatch, language: str) -> dict[str, str]:
    """The query parameters that open the app in language ("vi", the default, or "en"). AppTest
    formats a widget's value between runs, outside the session, where the session's language
    cannot be read: there it is made the language of the test."""
    monkeypatch.setattr(
        runtime,
        "language",
        lambda: _SESSION_LANGUAGE() if get_script_run_ctx() else language,
    )
    return {"lang": "en"} if language == "en" else {}


def open_page(
    page: str | None,
    scope: Scope | None,
    params: dict[str, str] | None = None,
    session: dict[str, Any] | None = None,
    timeout: int = 60,
) -> AppTest:
    """app.py run for scope (None: signed out) with these query parameters and session values,
    then app_pages/<page>.py chosen and run (None: stay on the page app.py opens); fails the
    test on an exception."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    if scope is not None:
        app.session_state["scope"] = scope
    for name, value in (session or {}).items():
        app.session_state[name] = value
    for name, value in (params or {}).items():
        app.query_params[name] = value
    app.run()
    if page is not None:
        app.switch_page(f"app_pages/{page}.py")
        app.run()
    assert not app.exception, app.exception
    return app
