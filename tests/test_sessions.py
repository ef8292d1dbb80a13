"""Sign-in sessions that last and end, on both databases: the sign-in form over real HTTP, the
cookie, idle and absolute expiry, sign-out and deactivation ending every session, the
per-address limit, wall-screen device links, single sign-on tickets, and the gate that sends a
signed-out browser from a dashboard page to the sign-in form and back."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
import requests
from sqlalchemy import func, select
from starlette.responses import PlainTextResponse

from bench.web_server import serve
from config.settings import load_settings, secret_key
from db.schema import app_user, audit_log, user_session
from queries.sessions import (
    add_wall_screen,
    adopt,
    end_sessions_of_account,
    note_use,
    resolve,
    revoke_wall_screen,
    scope_of_session,
    start_session,
    ticket_for,
)
from queries.users import create_user, set_active
from web.auth import safe_next
from web.context import LazyContext, build_context
from web.routes import PlainRoutesFirst

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def officer(engine):
    with engine.begin() as connection:
        create_user(connection, "officer.govap", PASSWORD, "district_officer", "764")
        return connection.scalar(select(app_user.c.id))


def dashboard(scope, receive, send):
    """Stands for Streamlit behind the middleware: any page it is asked for."""
    return PlainTextResponse(f"dashboard {scope['path']}")(scope, receive, send)


@pytest.fixture
def make_site(engine, database_url):
    def make(**sessions):
        settings = load_settings(
            database_url=database_url, secret_key="session test", sessions=sessions
        )
        context = build_context(settings, engine)
        return serve(context, app=PlainRoutesFirst(dashboard, LazyContext(lambda: context)))

    return make


@pytest.fixture
def site(make_site, officer):
    with make_site() as base_url:
        yield base_url


def csrf(html):
    return re.search(r'name="csrf_token" value="([^"]*)"', html)[1]


def post_sign_in(client, base_url, username, password, next_path="/"):
    form = client.get(f"{base_url}/session/sign-in", params={"next": next_path})
    return client.post(
        f"{base_url}/session/sign-in",
        data={"username": username, "password": password, "next": next_path,
              "csrf_token": csrf(form.text)},
        allow_redirects=False,
    )  # fmt: skip


def sessions_of(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(user_session.c.digest, user_session.c.method, user_session.c.revoked_at)
        ).all()


def audit_actions(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(audit_log.c.username, audit_log.c.action).order_by(audit_log.c.id)
        ).all()


def test_signing_in_sets_an_httponly_cookie_whose_secret_is_not_stored(engine, site):
    client = requests.Session()
    answer = post_sign_in(client, site, "officer.govap", PASSWORD, "/risk?area=764")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/risk?area=764"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("kbyt_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age=43200" in cookie  # the 12-hour lifetime
    secret = client.cookies["kbyt_session"]
    [(digest, method, revoked)] = sessions_of(engine)
    assert secret not in digest and len(digest) == 64 and method == "password" and not revoked
    assert audit_actions(engine) == [("officer.govap", "sign_in")]


def test_a_signed_in_browser_reaches_the_page_it_asked_for(site):
    client = requests.Session()
    post_sign_in(client, site, "officer.govap", PASSWORD)
    page = client.get(f"{site}/risk", params={"area": "764"}, allow_redirects=False)
    assert page.status_code == 200 and page.text == "dashboard /risk"


def test_a_signed_out_browser_is_sent_to_sign_in_and_back_to_its_page(site):
    client = requests.Session()
    answer = client.get(f"{site}/risk?area=764&day=2026-12-01", allow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/session/sign-in?next=")
    back = unquote(location.split("next=", 1)[1])
    assert back == "/risk?area=764&day=2026-12-01"
    signed_in = post_sign_in(client, site, "officer.govap", PASSWORD, back)
    assert signed_in.headers["location"] == "/risk?area=764&day=2026-12-01"
    # the guide and the public form need no sign-in
    assert client.get(f"{site}/guide", allow_redirects=False).status_code == 200


def test_a_new_database_lets_the_first_administrator_be_made_on_the_dashboard(make_site):
    with make_site() as base_url:
        assert requests.get(f"{base_url}/", allow_redirects=False).text == "dashboard /"
        form = requests.get(f"{base_url}/session/sign-in", allow_redirects=False)
        assert form.status_code == 303 and form.headers["location"] == "/sign_in"


def test_a_wrong_password_shows_the_form_again_and_is_audited(engine, site):
    answer = post_sign_in(requests.Session(), site, "officer.govap", "not the password")
    assert answer.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in answer.text
    assert 'value="officer.govap"' in answer.text
    assert sessions_of(engine) == []
    assert audit_actions(engine) == [("officer.govap", "sign_in_failed")]
    with engine.connect() as connection:
        assert connection.scalar(select(app_user.c.failed_logins)) == 1  # committed


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(engine, site):
    client = requests.Session()
    for _ in range(5):
        assert post_sign_in(client, site, "officer.govap", "guess").status_code == 401
    locked = post_sign_in(client, site, "officer.govap", PASSWORD)
    assert locked.status_code == 401 and "tạm khóa 15 phút" in locked.text
    assert sessions_of(engine) == []


def test_one_address_guessing_across_accounts_is_stopped(engine, make_site, officer):
    with engine.begin() as connection:
        create_user(connection, "epi.one", PASSWORD, "epidemiologist")
    with make_site(failures_per_address="3 per 15 minutes") as base_url:
        client = requests.Session()
        answers = [
            post_sign_in(client, base_url, name, "guess").status_code
            for name in ("officer.govap", "epi.one", "nobody")
        ]
        refused = post_sign_in(client, base_url, "epi.one", PASSWORD)
    assert answers == [401, 401, 401]
    assert refused.status_code == 429 and "Quá nhiều lần đăng nhập sai" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert sessions_of(engine) == []


def test_a_sign_in_posted_from_another_site_is_refused(engine, site):
    answer = requests.post(
        f"{site}/session/sign-in",
        data={"username": "officer.govap", "password": PASSWORD, "csrf_token": "1.forged"},
        allow_redirects=False,
    )
    assert answer.status_code == 403 and sessions_of(engine) == []


@pytest.mark.parametrize(
    "asked",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
     "/session/sign-in?next=/", "/risk\r\nSet-Cookie: x=1", ""],
)  # fmt: skip
def test_after_sign_in_the_browser_only_goes_to_a_page_of_this_site(asked):
    assert safe_next(asked) == "/"


def use(connection, secret, now, rules):
    """A click of the dashboard: the session read, its use noted."""
    live = resolve(connection, secret, now, rules)
    if live is not None:
        note_use(connection, live, now)
    return live


def test_a_session_ends_when_idle_or_too_old(engine, database_url, officer):
    rules = load_settings(database_url=database_url).sessions  # 30 minutes idle, 12 hours
    with engine.begin() as connection:
        _, secret = start_session(connection, NOW, rules, user_id=officer, method="password")
    with engine.begin() as connection:
        assert use(connection, secret, NOW + timedelta(minutes=29), rules) is not None
        # used at 08:29, so still alive at 08:58 ...
        assert use(connection, secret, NOW + timedelta(minutes=58), rules) is not None
        # ... but not after 30 minutes unused
        assert use(connection, secret, NOW + timedelta(minutes=89), rules) is None
    with engine.begin() as connection:
        _, busy = start_session(connection, NOW, rules, user_id=officer, method="password")
    with engine.begin() as connection:
        for minutes in range(20, 12 * 60, 20):  # used every 20 minutes all day
            assert use(connection, busy, NOW + timedelta(minutes=minutes), rules)
        assert use(connection, busy, NOW + timedelta(hours=12), rules) is None


def test_reading_a_session_writes_nothing_and_its_use_is_noted_once_a_minute(
    engine, database_url, officer
):
    rules = load_settings(database_url=database_url).sessions
    with engine.begin() as connection:
        _, secret = start_session(connection, NOW, rules, user_id=officer, method="password")
    with engine.begin() as connection:
        live = resolve(connection, secret, NOW + timedelta(minutes=5), rules)
    with engine.connect() as connection:
        assert connection.scalar(select(user_session.c.last_seen_at)) == NOW
    with engine.begin() as connection:
        note_use(connection, live, NOW + timedelta(minutes=5))
    later = NOW + timedelta(minutes=5, seconds=30)  # the next click, within the minute
    with engine.begin() as connection:
        note_use(connection, resolve(connection, secret, later, rules), later)
    with engine.connect() as connection:
        assert connection.scalar(select(user_session.c.last_seen_at)) == NOW + timedelta(minutes=5)


def test_deactivation_ends_every_open_session_of_the_account(engine, database_url, officer):
    rules = load_settings(database_url=database_url).sessions
    with engine.begin() as connection:
        secrets_ = [
            start_session(connection, NOW, rules, user_id=officer, method="password")[1]
            for _ in range(2)
        ]
    with engine.begin() as connection:
        assert set_active(connection, "officer.govap", False, NOW + timedelta(minutes=1))
    with engine.connect() as connection:
        later = NOW + timedelta(minutes=2)
        assert [resolve(connection, s, later, rules) for s in secrets_] == [None, None]
        assert connection.scalar(
            select(func.count()).where(user_session.c.revoked_at.is_not(None))
        ) == 2  # fmt: skip


def test_signing_out_ends_every_session_of_the_account(engine, database_url, officer):
    rules = load_settings(database_url=database_url).sessions
    with engine.begin() as connection:
        phone = start_session(connection, NOW, rules, user_id=officer, method="password")[1]
        desk = start_session(connection, NOW, rules, user_id=officer, method="password")[1]
    with engine.begin() as connection:
        assert end_sessions_of_account(connection, officer, NOW) == 2
    with engine.connect() as connection:
        assert resolve(connection, phone, NOW, rules) is None
        assert resolve(connection, desk, NOW, rules) is None


def test_the_session_reads_the_accounts_role_and_area_as_they_are_now(
    engine, database_url, officer
):
    rules = load_settings(database_url=database_url).sessions
    with engine.begin() as connection:
        _, secret = start_session(connection, NOW, rules, user_id=officer, method="password")
        connection.execute(
            app_user.update().values(role="ward_officer", district_code="764", ward_code="26878")
        )
    with engine.connect() as connection:
        scope = scope_of_session(connection, resolve(connection, secret, NOW, rules))
    assert (scope.role, scope.ward_codes) == ("ward_officer", frozenset({"26878"}))


def test_a_wall_screen_link_opens_a_long_command_centre_session_until_revoked(
    engine, database_url, site
):
    with engine.begin() as connection:
        key = add_wall_screen(connection, "Màn hình Gò Vấp", "764", "admin", NOW)
    client = requests.Session()
    opened = client.get(f"{site}/session/screen", params={"key": key}, allow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/wall"
    assert "Max-Age=7776000" in opened.headers["set-cookie"]  # 90 days
    assert client.get(f"{site}/wall", allow_redirects=False).text == "dashboard /wall"
    rules = load_settings(database_url=database_url).sessions
    secret = client.cookies["kbyt_session"]
    a_week_later = datetime.now(UTC) + timedelta(days=7)  # no idle timeout for a screen
    with engine.begin() as connection:
        scope = scope_of_session(connection, resolve(connection, secret, a_week_later, rules))
    assert scope.role == "command_centre" and scope.username == "screen:Màn hình Gò Vấp"
    assert scope.district_code == "764" and len(scope.ward_codes) == 12  # Gò Vấp's wards
    assert not scope.personal_data
    with engine.begin() as connection:
        assert revoke_wall_screen(connection, "Màn hình Gò Vấp", a_week_later)
    with engine.connect() as connection:
        assert resolve(connection, secret, a_week_later, rules) is None
    again = client.get(f"{site}/session/screen", params={"key": key}, allow_redirects=False)
    assert again.status_code == 404 and "đã bị thu hồi" in again.text
    assert client.get(f"{site}/wall", allow_redirects=False).status_code == 303


def test_a_single_sign_on_ticket_opens_its_session_once(engine, database_url, officer, site):
    rules = load_settings(database_url=database_url).sessions
    key = secret_key(load_settings(database_url=database_url, secret_key="session test"))
    now = datetime.now(UTC)
    with engine.begin() as connection:
        session_id, unusable = start_session(
            connection, now, rules, user_id=officer, method="sso", adopted=False
        )
        assert resolve(connection, unusable, now, rules) is None  # not before the browser has it
    ticket = ticket_for(session_id, now, key)
    client = requests.Session()
    taken = client.get(f"{site}/session/ticket", params={"t": ticket, "next": "/trace"},
                       allow_redirects=False)  # fmt: skip
    assert taken.status_code == 303 and taken.headers["location"] == "/trace"
    assert client.get(f"{site}/trace", allow_redirects=False).text == "dashboard /trace"
    replayed = requests.get(f"{site}/session/ticket", params={"t": ticket}, allow_redirects=False)
    assert replayed.status_code == 400
    with engine.begin() as connection:
        assert adopt(connection, ticket.replace(".", ".9", 1), now, key) is None  # forged
        assert adopt(connection, ticket_for(session_id, now - timedelta(minutes=3), key),
                     now, key) is None  # expired  # fmt: skip
