"""Signing in to the dashboard over plain HTTP: the sign-in form, wall-screen device links and
single sign-on tickets set the session cookie; a gate sends a signed-out browser that opens a
dashboard page to the sign-in form, and back to that page afterwards.

GET  /session/sign-in?next=/risk%3Farea%3D764   the form (Vietnamese, ?lang=en)
POST /session/sign-in                          username, password, next, csrf_token
GET  /session/screen?key=<device link secret>  a registered wall screen's link
GET  /session/ticket?t=<ticket>&next=/…        a session made by single sign-on, handed over

Streamlit cannot set a cookie from a script run; these routes can (Streamlit 1.67's ASGI app).
Every run of the dashboard then reads the cookie (st.context.cookies) and the session row
(queries/sessions.py), so a reload, a new tab or a server restart keeps the user signed in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from i18n.labels import LANGUAGES
from queries.audit import about, record
from queries.sessions import (
    WALL_SCREEN_PREFIX,
    Session,
    adopt,
    resolve,
    start_session,
    wall_screen_for_link,
)
from queries.users import SignInError, count_users, sign_in
from rules.access import PUBLIC_PAGES, ROLE_PAGES
from web.context import WebContext, in_database_thread
from web.guards import CSRF_COOKIE, CSRF_FIELD, client_address
from web.public_page import Page, read_form

SESSION_COOKIE = "kbyt_session"
# Dashboard pages a signed-out browser is sent from to the sign-in form ("/" included).
GATED_PATHS = frozenset(
    {"/"}
    | {f"/{page}" for pages in ROLE_PAGES.values() for page in pages}
    - {f"/{page}" for page in PUBLIC_PAGES}
)
NEXT_MAX_CHARS = 2_000


class SignInPage(Page):
    form_cookie_path = "/session"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)  # stored to the second


def safe_next(value: str | None) -> str:
    """A path of this site to go to after signing in; anything else becomes "/"."""
    value = (value or "").strip()
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\", "/session/"))
        or len(value) > NEXT_MAX_CHARS
        or any(ord(char) < 32 or char == "\\" for char in value)
    ):
        return "/"
    return value


def session_cookie_of(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def _with_session(response: Response, request: Request, secret: str, max_age_s: int) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age_s,
        httponly=True,
        samesite="lax",  # a shared link followed from another site still arrives signed in
        secure=request.url.scheme == "https",
        path="/",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _lifetime_s(context: WebContext, session: Session) -> int:
    """The cookie lasts as long as the session can (the server decides before that)."""
    rules = context.settings.sessions
    if session.wall_screen is not None:
        return rules.wall_screen_days * 24 * 3600
    return rules.lifetime_hours * 3600


# --- the gate -------------------------------------------------------------------------------


def is_gated(scope_path: str, method: str) -> bool:
    return method in ("GET", "HEAD") and scope_path in GATED_PATHS


async def sign_in_redirect(context: WebContext, request: Request) -> Response | None:
    """A redirect to the sign-in form for a browser without a live session; None lets the
    page load (signed in, or no account exists yet and the first administrator is made on
    the dashboard's sign-in page)."""
    secret = session_cookie_of(request)

    def check() -> bool:
        with context.engine.connect() as connection:
            if secret and resolve(connection, secret, _now(), context.settings.sessions):
                return True
            return count_users(connection) == 0

    if await in_database_thread(context, check):
        return None
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    language = request.query_params.get("lang")
    also = f"&lang={language}" if language in LANGUAGES and language != "vi" else ""
    response = RedirectResponse(f"/session/sign-in?next={quote(target, safe='')}{also}", 303)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- sign-in form ---------------------------------------------------------------------------


async def show_sign_in(context: WebContext, page: Page) -> Response:
    request = page.request
    next_path = safe_next(request.query_params.get("next"))
    secret = session_cookie_of(request)

    def state() -> tuple[bool, Session | None]:
        with context.engine.connect() as connection:
            live = resolve(connection, secret, _now(), context.settings.sessions)
            return count_users(connection) == 0, live

    no_accounts, live = await in_database_thread(context, state)
    if no_accounts:
        return RedirectResponse("/sign_in", 303)
    if live is not None:
        return RedirectResponse(next_path, 303)
    notice = page.t("auth.signed_out") if "signed_out" in request.query_params else ""
    response = _form(context, page, next_path, notice=notice)
    if secret:  # a cookie of an ended session: forget it
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _form(
    context: WebContext,
    page: Page,
    next_path: str,
    status: int = 200,
    error: str = "",
    notice: str = "",
    username: str = "",
) -> Response:
    sessions = context.settings.sessions
    return page.render(
        "sign_in.html",
        status,
        next=next_path,
        error=error,
        notice=notice,
        username=username,
        sso=context.settings.sso_enabled,
        idle_minutes=sessions.idle_minutes,
        lifetime_hours=sessions.lifetime_hours,
        language_query=page.query(next=next_path, lang="en" if page.language == "vi" else "vi"),
    )


async def post_sign_in(context: WebContext, page: Page) -> Response:
    request = page.request
    limits = context.limits
    address = client_address(request)
    if not limits.room(limits.sign_in_failures, "sign-in", address):
        response: Response = page.message("auth.error.address", 429)
        response.headers["Retry-After"] = str(
            limits.retry_after(limits.sign_in_failures, "sign-in", address)
        )
        return response
    form = await read_form(request, max_fields=10)
    next_path = safe_next(str(form.get("next", "")))
    username = str(form.get("username", ""))[:64].strip()
    password = str(form.get("password", ""))[:200]
    if not context.csrf.valid(request.cookies.get(CSRF_COOKIE), str(form.get(CSRF_FIELD, ""))):
        return _form(context, page, next_path, 403, page.t("auth.error.stale"), username=username)
    user_agent = request.headers.get("user-agent", "")

    def attempt() -> tuple[Session | None, str, str]:
        """(session, cookie secret, '') or (None, '', reason)."""
        now = _now()
        try:
            account = sign_in(context.engine, username, password, now)  # commits a failure
        except SignInError as error:
            with context.engine.begin() as connection:
                record(connection, username or "?", "sign_in_failed",
                       about(f"sign_in_failed.{error.reason}"),
                       detail=f"address {address}")  # fmt: skip
            return None, "", error.reason
        with context.engine.begin() as connection:
            session_id, secret = start_session(
                connection, now, context.settings.sessions, user_id=account.id,
                method="password", user_agent=user_agent,
            )  # fmt: skip
            record(connection, account.username, "sign_in", about("local_account"),
                   detail=f"session {session_id}, address {address}")  # fmt: skip
            live = resolve(connection, secret, now, context.settings.sessions)
        return live, secret, ""

    live, secret, reason = await in_database_thread(context, attempt)
    if live is None:
        limits.allow(limits.sign_in_failures, "sign-in", address)
        return _form(
            context, page, next_path, 401, page.t(f"auth.error.{reason}"), username=username
        )
    response = RedirectResponse(next_path, 303)
    return _with_session(response, request, secret, _lifetime_s(context, live))


# --- wall screens and single sign-on --------------------------------------------------------


async def open_wall_screen(context: WebContext, page: Page) -> Response:
    request = page.request
    limits = context.limits
    address = client_address(request)
    if not limits.room(limits.sign_in_failures, "sign-in", address):
        return page.message("auth.error.address", 429)
    key = request.query_params.get("key", "")
    user_agent = request.headers.get("user-agent", "")

    def open_() -> tuple[Session | None, str]:
        now = _now()
        with context.engine.begin() as connection:
            screen = wall_screen_for_link(connection, key)
            if screen is None:
                return None, ""
            session_id, secret = start_session(
                connection, now, context.settings.sessions, wall_screen_id=screen.id,
                method="wall_screen", user_agent=user_agent,
            )  # fmt: skip
            record(connection, WALL_SCREEN_PREFIX + screen.name, "sign_in",
                   about("wall_screen_link"),
                   detail=f"session {session_id}, address {address}")  # fmt: skip
            return resolve(connection, secret, now, context.settings.sessions), secret

    live, secret = await in_database_thread(context, open_)
    if live is None:
        limits.allow(limits.sign_in_failures, "sign-in", address)
        return page.message("auth.error.screen_link", 404)
    response = RedirectResponse("/wall", 303)
    return _with_session(response, request, secret, _lifetime_s(context, live))


async def take_ticket(context: WebContext, page: Page) -> Response:
    request = page.request
    ticket = request.query_params.get("t", "")[:200]
    next_path = safe_next(request.query_params.get("next"))

    def take() -> tuple[Session | None, str]:
        now = _now()
        with context.engine.begin() as connection:
            secret = adopt(connection, ticket, now, context.checkout_key)
            if secret is None:
                return None, ""
            return resolve(connection, secret, now, context.settings.sessions), secret

    live, secret = await in_database_thread(context, take)
    if live is None:
        return page.message("auth.error.ticket", 400)
    response = RedirectResponse(next_path, 303)
    return _with_session(response, request, secret, _lifetime_s(context, live))
