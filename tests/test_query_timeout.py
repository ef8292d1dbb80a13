"""The dashboard's query time limit (settings.query_timeout_s): a statement that runs past it
is stopped on both engines, recognised as a timeout by one function, and the page says so in
the reader's language; the trace panel keeps a bounded number of results per session."""

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from config.settings import get_settings
from db.engine import is_query_timeout, make_engine
from i18n.labels import label
from ui.trace_panel.cache import TraceCache, session_traces

# SQLite has no sleep: a recursive count that takes minutes unless it is interrupted.
SLOW = {
    "postgresql": "SELECT pg_sleep(2)",
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < 1000000000) SELECT count(*) FROM n",
}


def _slow(url: str) -> str:
    return SLOW["sqlite" if url.startswith("sqlite") else "postgresql"]


def test_a_query_past_the_limit_is_stopped_and_recognised(empty_database_url):
    engine = make_engine(empty_database_url, query_timeout_s=0.2)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised, engine.connect() as connection:
            connection.execute(text(_slow(empty_database_url)))
        assert time.monotonic() - started < 1.5
        assert is_query_timeout(raised.value)
        # The connection is usable again, and a quick query is not touched by the limit.
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_a_connection_back_from_the_pool_carries_no_old_deadline(empty_database_url):
    engine = make_engine(empty_database_url, query_timeout_s=0.2)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        time.sleep(0.3)  # longer than the limit: a deadline left behind would have passed
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            if empty_database_url.startswith("sqlite"):
                # Statements sent past SQLAlchemy (as a driver cursor) meet no stale deadline.
                assert raw.execute("SELECT 1").fetchone() == (1,)
    finally:
        engine.dispose()


def test_without_a_limit_nothing_is_stopped(empty_database_url):
    """The CLI, imports and benchmarks make engines without a limit."""
    engine = make_engine(empty_database_url)
    quick = (
        "SELECT pg_sleep(0.5)"
        if empty_database_url.startswith("postgresql")
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 300000) SELECT count(*) FROM n"
    )
    try:
        with engine.connect() as connection:
            connection.execute(text(quick))
    finally:
        engine.dispose()


def test_other_database_errors_are_not_timeouts(empty_database_url):
    engine = make_engine(empty_database_url, query_timeout_s=5)
    try:
        with pytest.raises(Exception) as raised, engine.connect() as connection:
            connection.execute(text("SELECT * FROM no_such_table"))
        assert not is_query_timeout(raised.value)
    finally:
        engine.dispose()
    assert not is_query_timeout(ValueError("interrupted"))


def _page_failing_with_a_timeout(database_url: str) -> None:
    import streamlit as st
    from sqlalchemy import text

    from db.engine import make_engine
    from ui.script_errors import friendly_script_error

    st.session_state["language"] = st.query_params.get("lang", "vi")
    st.session_state["current_page_path"] = "trace"
    engine = make_engine(database_url, query_timeout_s=0.2)
    try:
        with engine.connect() as connection:
            connection.execute(
                text(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                    "WHERE i < 1000000000) SELECT count(*) FROM n"
                )
            )
    except Exception as error:  # noqa: BLE001 - what st.App hands to on_script_error
        assert friendly_script_error(error)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_page_says_what_took_too_long(language, tmp_path, monkeypatch):
    monkeypatch.setenv("KBYT_QUERY_TIMEOUT_S", "30")
    get_settings.cache_clear()
    try:
        app = AppTest.from_function(
            _page_failing_with_a_timeout, args=(f"sqlite:///{tmp_path / 'x.db'}",)
        )
        app.query_params["lang"] = language
        app.run(timeout=30)
    finally:
        get_settings.cache_clear()
    assert not app.exception
    page = label("page.trace", language)
    assert [box.value for box in app.error] == [
        label("error.query_timeout", language, page=page, seconds="30")
    ]
    assert ("Narrow the dates" if language == "en" else "thu hẹp khoảng ngày") in app.error[0].value


def _result(contacts: int) -> SimpleNamespace:
    return SimpleNamespace(contacts=range(contacts))


def test_the_trace_cache_keeps_the_most_recent_results():
    cache = TraceCache(max_results=3, max_contacts=1_000)
    for key in "abc":
        cache[key] = _result(10)
    assert cache.get("a") is not None  # used: now the most recent
    cache["d"] = _result(10)
    assert list(cache) == ["c", "a", "d"]  # b, the least recently used, went
    cache["big"] = _result(995)  # within the contacts' bound only on its own
    assert list(cache) == ["big"]
    cache["huge"] = _result(5_000)  # over the bound by itself: still kept, being the newest
    assert list(cache) == ["huge"] and cache.contacts() == 5_000
    assert cache.get("gone", "default") == "default"


def test_a_session_gets_one_cache_and_an_old_dict_is_replaced():
    state: dict = {"traces": {"old": _result(1)}}
    cache = session_traces(state)
    assert isinstance(cache, TraceCache) and len(cache) == 0
    assert session_traces(state) is cache
