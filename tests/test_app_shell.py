"""The app shell under Streamlit's AppTest: sign-in, navigation by role, language, filters."""

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from config.settings import get_settings
from db.engine import make_engine
from db.schema import app_user, audit_log, venue
from i18n.labels import label
from queries.area import wards_by_district
from queries.users import create_user
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.access import ROLE_PAGES, Scope
from rules.local_time import today_local
from tests.checkin_rows import checkin_frame
from tests.conftest import REPO

ADMIN = Scope("admin", "admin")
GO_VAP_OFFICER = Scope(
    "officer.govap", "district_officer", frozenset(wards_by_district()["764"]), None, "764"
)


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


def run_app(query_params=None, page=None, scope=ADMIN):
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    if scope is not None:
        app.session_state["scope"] = scope
    for name, value in (query_params or {}).items():
        app.query_params[name] = value
    app.run()
    if page:
        app.switch_page(f"app_pages/{page}.py")
        app.run()
    return app


def params_of(app):
    return {k: (v[0] if isinstance(v, list) else v) for k, v in app.query_params.items()}


@pytest.mark.parametrize("page", ROLE_PAGES["admin"])
def test_every_page_opens_for_an_administrator_on_an_empty_database(
    app_settings, database_url, page
):
    app_settings(database_url)
    app = run_app(page=page)
    assert not app.exception, app.exception
    assert app.title[0].value


@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_each_role_sees_only_its_pages(app_settings, database_url, role):
    app_settings(database_url)
    scope = Scope(f"someone.{role}", role)
    app = run_app(scope=scope)
    assert not app.exception
    first = ROLE_PAGES[role][0]
    expected = label("wall.title") if first == "wall" else label(f"page.{first}")
    assert app.title[0].value.startswith(expected)


def test_signed_out_visitors_get_sign_in_and_guide(app_settings, database_url):
    """The public declaration is the plain form at /declare (tests/test_web_form.py)."""
    app_settings(database_url)
    app = run_app(scope=None)
    assert not app.exception
    assert app.title[0].value == "Đăng nhập"
    assert [b for b in app.sidebar.button if b.key == "sign_out"] == []
    guide = run_app(scope=None, page="guide")
    assert not guide.exception
    assert guide.title[0].value == "Hướng dẫn"


def test_filters_come_from_the_link_and_go_back_into_it(app_settings, database_url):
    app_settings(database_url)
    today = today_local(get_settings().zone)
    first = (today - timedelta(days=3)).isoformat()
    app = run_app({"from": first, "to": today.isoformat(), "district": "760", "ward": "26734"})
    assert not app.exception
    assert app.sidebar.selectbox(key="filter_district").value == "760"
    assert app.sidebar.selectbox(key="filter_ward").value == "26734"
    assert params_of(app)["district"] == "760"

    app.sidebar.selectbox(key="filter_district").set_value("769").run()
    assert app.sidebar.selectbox(key="filter_ward").value == "all"  # the ward was cleared
    params = params_of(app)
    assert params["district"] == "769" and "ward" not in params
    assert params["from"] == first


@pytest.mark.parametrize(
    ("params", "warning"),
    [
        ({"district": "999"}, "'district'"),
        ({"district": "760", "ward": "27580"}, "'ward'"),  # a ward of another district
        ({"from": "yesterday"}, "'from/to'"),
        ({"from": "2030-01-02", "to": "2030-01-01"}, "'from/to'"),
        ({"from": "2019-01-01", "to": "2019-01-05"}, "'from/to'"),  # before any data
        ({"district": "760' OR 1=1 --"}, "'district'"),
        ({"ward": "<script>alert(1)</script>"}, "'ward'"),
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


def test_days_older_than_a_year_can_be_chosen_when_the_data_goes_back_that_far(
    app_settings, database_url
):
    """A city whose check-ins are from 2021 (an archive, or the benchmark's city): a link to
    its days is kept, and the date picker starts at its first day."""
    with make_engine(database_url).begin() as connection:
        upsert_venues(connection, pd.DataFrame([dict(
            venue_ref="M", name="Chợ", sector="public", kind="market", address="",
            ward_code="26734", lat=10.79, lon=106.69, dwell_minutes=60,
            registered_on=date(2021, 6, 1), active=True)]))  # fmt: skip
        person_id = int(
            resolve_people(
                connection, pd.DataFrame({"phone": ["+84903000001"], "full_name": ["An"]})
            )[0]
        )
        write_checkins(connection, checkin_frame([dict(
            person_id=person_id, venue_id=connection.scalar(select(venue.c.id)),
            checked_in_at=datetime(2021, 8, 2, 9, tzinfo=timezone(timedelta(hours=7))),
            channel="self")]))  # fmt: skip
    app_settings(database_url)
    app = run_app({"from": "2021-08-02", "to": "2021-08-15"})
    assert not app.exception
    assert not app.sidebar.warning
    assert app.sidebar.date_input(key="filter_dates").value == (date(2021, 8, 2), date(2021, 8, 15))
    assert app.sidebar.date_input(key="filter_dates").proto.min == "2021-08-02"
    assert (params_of(app)["from"], params_of(app)["to"]) == ("2021-08-02", "2021-08-15")


def test_a_district_officer_chooses_only_inside_the_district(app_settings, database_url):
    app_settings(database_url)
    app = run_app(scope=GO_VAP_OFFICER)
    assert not app.exception
    district = app.sidebar.selectbox(key="filter_district")
    assert district.value == "764" and district.options == ["Quận Gò Vấp"]
    assert len(app.sidebar.selectbox(key="filter_ward").options) == 1 + 12  # all + 12 wards


def test_a_link_outside_the_scope_shows_nothing_and_says_so(app_settings, database_url):
    app_settings(database_url)
    app = run_app({"district": "760"}, scope=GO_VAP_OFFICER)
    assert not app.exception
    assert "ngoài phạm vi" in app.warning[0].value
    assert app.sidebar.selectbox(key="filter_district").value == "760"


def test_english_is_one_switch_away(app_settings, database_url):
    app_settings(database_url)
    vietnamese = run_app()
    english = run_app({"lang": "en"})
    assert vietnamese.title[0].value == "Tổng quan"
    assert english.title[0].value == "Overview"
    assert english.sidebar.selectbox(key="filter_district").label == "District"


def test_first_start_creates_the_demo_city_and_accounts(app_settings, tmp_path, capfd):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app_settings(url, KBYT_DEMO__SEED_ON_FIRST_START="true", KBYT_DEMO__CHECKINS="2000")
    app = run_app(scope=None)
    assert not app.exception
    with make_engine(url).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(venue)) > 9_694
        roles = set(connection.scalars(select(app_user.c.role)))
    assert roles == set(ROLE_PAGES)  # one demo account per role
    console = capfd.readouterr().err
    assert "KBYT demo accounts (shown once" in console
    assert "officer.govap" in console


def test_a_bad_setting_stops_the_app_with_its_name(app_settings, database_url):
    app_settings(database_url, KBYT_TRACE__BUFFER_MINUTES="-1")
    app = run_app()
    assert not app.exception
    assert "trace.buffer_minutes" in app.error[0].value


def test_the_sign_in_page_leads_to_the_sign_in_form_and_back(app_settings, database_url):
    """Signing in is a plain form that can set the session cookie (tests/test_sessions.py);
    the dashboard's sign-in page links to it, keeping where to come back to."""
    app_settings(database_url)
    with make_engine(database_url).begin() as connection:
        create_user(connection, "officer.q1", "correct horse battery", "district_officer", "760")
    app = run_app({"next": "/risk?area=760"}, scope=None)
    assert not app.exception
    assert app.title[0].value == "Đăng nhập"
    assert '<a href="/session/sign-in?next=%2Frisk%3Farea%3D760" target="_self">' in (
        app.markdown[0].value
    )


def test_a_page_whose_session_ended_says_so_and_links_back_to_itself(app_settings, database_url):
    app_settings(database_url)
    with make_engine(database_url).begin() as connection:
        create_user(connection, "officer.q1", "correct horse battery", "district_officer", "760")
    app = run_app({"area": "760"}, scope=None, page="risk")
    assert not app.exception
    assert "Phiên đăng nhập đã kết thúc" in app.warning[0].value
    assert 'href="/session/sign-in?next=%2Frisk%3Farea%3D760"' in app.markdown[0].value


def test_a_page_outside_the_role_says_so_in_vietnamese(app_settings, database_url):
    app_settings(database_url)
    app = run_app(scope=Scope("leader", "leadership"), page="risk")
    assert not app.exception
    assert app.error[0].value == "Vai trò của bạn không được xem trang này."


def test_the_first_administrator_needs_the_setup_code(app_settings, database_url, capfd):
    app_settings(database_url)
    app = run_app(scope=None)
    assert "chưa có tài khoản" in app.info[0].value
    code = capfd.readouterr().err.split("first administrator: ")[1].split()[0]
    fields = app.text_input
    fields[0].input("00000000")
    fields[1].input("chief")
    fields[2].input("a long enough password")
    fields[3].input("a long enough password")
    app.button[0].click().run()
    assert "Mã thiết lập không đúng" in app.error[0].value
    app.text_input[0].input(code)
    app.button[0].click().run()
    with make_engine(database_url).connect() as connection:
        assert connection.execute(select(app_user.c.username, app_user.c.role)).all() == [
            ("chief", "admin")
        ]
        audited = connection.execute(
            select(audit_log.c.username, audit_log.c.action).order_by(audit_log.c.id)
        ).all()
    assert audited == [("chief", "setup_code_failed"), ("chief", "create_first_admin")]
