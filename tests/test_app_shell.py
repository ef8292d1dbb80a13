"""The app shell under Streamlit's AppTest: navigation, language, shared filters, first start."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from config.settings import get_settings
from db.engine import make_engine
from db.schema import venue
from rules.local_time import today_local
from tests.conftest import REPO

PAGES = ("overview", "map", "venues", "risk", "trace", "wall", "declare", "guide", "admin")


@pytest.fixture
def app_settings(monkeypatch):
    """Point the app at a database; settings are read again for each test."""

    def configure(database_url, **env):
        monkeypatch.setenv("KBYT_DATABASE_URL", database_url)
        monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield configure
    get_settings.cache_clear()


def run_app(query_params=None, page=None):
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    for name, value in (query_params or {}).items():
        app.query_params[name] = value
    app.run()
    if page:
        app.switch_page(f"app_pages/{page}.py")
        app.run()
    return app


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_an_empty_database(app_settings, database_url, page):
    app_settings(database_url)
    app = run_app(page=page)
    assert not app.exception, app.exception
    assert app.title[0].value


def test_filters_come_from_the_link_and_go_back_into_it(app_settings, database_url):
    app_settings(database_url)
    today = today_local(get_settings().zone)
    first = (today - timedelta(days=3)).isoformat()
    app = run_app({"from": first, "to": today.isoformat(), "district": "760", "ward": "26734"})
    assert not app.exception
    district = app.sidebar.selectbox(key="filter_district")
    ward = app.sidebar.selectbox(key="filter_ward")
    assert district.value == "760"
    assert ward.value == "26734"
    assert app.query_params["district"] == ["760"] or app.query_params["district"] == "760"

    district.set_value("769").run()  # choosing another district clears the ward
    assert app.sidebar.selectbox(key="filter_ward").value == "all"
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in app.query_params.items()}
    assert params["district"] == "769" and "ward" not in params
    assert params["from"] == first


@pytest.mark.parametrize(
    ("params", "warning"),
    [
        ({"district": "999"}, "'district'"),
        ({"district": "760", "ward": "27580"}, "'ward'"),  # a ward of another district
        ({"from": "yesterday"}, "'from/to'"),
        ({"from": "2030-01-02", "to": "2030-01-01"}, "'from/to'"),
        ({"district": "760' OR 1=1 --"}, "'district'"),
    ],
)
def test_a_bad_link_parameter_is_named_and_replaced_by_the_default(
    app_settings, database_url, params, warning
):
    app_settings(database_url)
    app = run_app(params)
    assert not app.exception
    assert any(warning in w.value for w in app.sidebar.warning)
    assert app.sidebar.selectbox(key="filter_district").value in ("all", "760")


def test_english_is_one_switch_away(app_settings, database_url):
    app_settings(database_url)
    vietnamese = run_app()
    english = run_app({"lang": "en"})
    assert vietnamese.title[0].value == "Tổng quan"
    assert english.title[0].value == "Overview"
    assert english.sidebar.selectbox(key="filter_district").label == "District"


def test_first_start_creates_the_demo_city(app_settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app_settings(url, KBYT_DEMO__SEED_ON_FIRST_START="true", KBYT_DEMO__CHECKINS="2000")
    app = run_app()
    assert not app.exception
    with make_engine(url).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(venue)) > 9_694


def test_a_bad_setting_stops_the_app_with_its_name(app_settings, database_url):
    app_settings(database_url, KBYT_TRACE__BUFFER_MINUTES="-1")
    app = run_app()
    assert not app.exception
    assert "trace.buffer_minutes" in app.error[0].value
