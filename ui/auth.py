"""Who is signed in: the session cookie read on every run, and signing out.

Signing in happens on plain HTTP routes (web/auth.py), which can set a cookie; the dashboard
reads it with st.context.cookies on every run and asks the database for the session
(queries/sessions.py), so a reload, a new tab or a restart keeps the user signed in, and a
sign-out, a deactivation or an expiry ends the session at the next click. The first
administrator is still created here, on the sign-in page, with the setup code printed on the
server console.
"""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote, urlencode

import streamlit as st

from queries.audit import about, record
from queries.sessions import (
    end_session,
    end_sessions_of_account,
    needs_noting,
    note_use,
    resolve,
    scope_of_session,
    start_session,
    ticket_for,
)
from queries.users import SignInError, account_for_sso, count_users, create_user
from rules import safe_text
from rules.access import PUBLIC_PAGES, AccessError, Scope
from ui.runtime import checkout_key, engine, settings, t

SESSION_COOKIE = "kbyt_session"  # set by web/auth.py
SESSION_KEY = "scope"
# The session row behind the scope in SESSION_KEY, when it came from the cookie.
SESSION_ID_KEY = "session_id"
ACCOUNT_ID_KEY = "session_account_id"


def resolve_scope() -> Scope | None:
    """The signed-in scope for this run, read afresh from the cookie's session (app.py calls
    it once per run; pages then use current_scope)."""
    secret = st.context.cookies.get(SESSION_COOKIE)
    if not isinstance(secret, str) or not secret:  # (under AppTest it is not even a str)
        if st.session_state.get(SESSION_ID_KEY) is not None:
            _forget()  # the browser came back without the cookie it had
        # AppTest cannot send cookies: page tests put a Scope in SESSION_KEY themselves.
        return st.session_state.get(SESSION_KEY)
    now = datetime.now(UTC)
    with engine().connect() as connection:
        live = resolve(connection, secret, now, settings().sessions)
        scope = scope_of_session(connection, live) if live else None
    if live is None or scope is None:
        _forget()
        return None
    if needs_noting(live, now):  # a write at most once a minute, not on every click
        with engine().begin() as connection:
            note_use(connection, live, now)
    st.session_state[SESSION_KEY] = scope
    st.session_state[SESSION_ID_KEY] = live.id
    st.session_state[ACCOUNT_ID_KEY] = live.account.id if live.account else None
    return scope


def current_scope() -> Scope | None:
    return st.session_state.get(SESSION_KEY)


def _forget() -> None:
    for key in (SESSION_KEY, SESSION_ID_KEY, ACCOUNT_ID_KEY):
        st.session_state.pop(key, None)


def sign_in_link(next_path: str | None = None, label_key: str = "auth.go_sign_in") -> None:
    """A link to the sign-in form that comes back to next_path (this page by default). Raw
    HTML for target="_self": Streamlit opens Markdown links in a new tab."""
    target = next_path if next_path is not None else _this_page()
    href = f"/session/sign-in?next={quote(target, safe='')}"
    st.markdown(
        f'<a href="{escape(href)}" target="_self">{escape(t(label_key))}</a>',
        unsafe_allow_html=True,
    )


def _this_page() -> str:
    path = st.session_state.get("current_page_path", "")
    query = urlencode(st.query_params.to_dict())
    return f"/{path}" + (f"?{query}" if query else "")


def require(page: str) -> Scope | None:
    """The scope of the signed-in user allowed on this page; stops the page otherwise.
    Public pages return None when nobody is signed in."""
    scope = current_scope()
    if scope is None:
        if page in PUBLIC_PAGES:
            return None
        st.warning(t("auth.session_ended"))
        sign_in_link()
        st.stop()
    if not scope.allows_page(page):
        st.error(t("auth.forbidden"))
        st.stop()
    return scope


def require_signed_in(page: str) -> Scope:
    """require() for a page that is not public: the signed-in user's scope, never None."""
    scope = require(page)
    if scope is None:
        raise ValueError(f"{page!r} is a public page: it may have nobody signed in")
    return scope


def sign_out() -> None:
    """End every session of the account (a wall screen: this session), there and then."""
    scope = current_scope()
    now = datetime.now(UTC)
    session_id = st.session_state.get(SESSION_ID_KEY)
    account_id = st.session_state.get(ACCOUNT_ID_KEY)
    if scope is not None and session_id is not None:
        with engine().begin() as connection:
            if account_id is not None:
                ended = end_sessions_of_account(connection, account_id, now)
            else:
                end_session(connection, session_id, now)
                ended = 1
            record(connection, scope.username, "sign_out", about("sessions_ended", count=ended),
                   detail=f"address {st.context.ip_address or 'unknown'}")  # fmt: skip
    _forget()
    st.session_state["signed_out"] = True
    if settings().sso_enabled and st.user.is_logged_in:
        st.logout()


# --- the sign-in page -----------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _setup_code(database_url: str) -> str:
    """A one-time code for creating the first administrator, printed on the server console."""
    code = secrets.token_hex(4)
    print(
        f"\nKBYT first start: no accounts yet. Setup code for the first administrator: {code}\n",
        file=sys.stderr,
        flush=True,
    )
    return code


def sign_in_page() -> None:
    """What the sign-in page shows: the first administrator's form on a new database, single
    sign-on when configured, else the way to the sign-in form."""
    with engine().connect() as connection:
        no_accounts = count_users(connection) == 0
    if no_accounts:
        _first_admin_form()
        return
    signed_in = current_scope()
    if signed_in is not None:
        st.success(t("auth.signed_in_as", username=safe_text.markdown(signed_in.username),
                     role=t(f"role.{signed_in.role}")))  # fmt: skip
        return
    if st.session_state.pop("signed_out", False):
        st.success(t("auth.signed_out"))
    next_path = st.query_params.get("next", "/")
    sign_in_link(next_path if next_path.startswith("/") else "/", "auth.sign_in")
    if settings().sso_enabled:
        st.divider()
        if st.user.is_logged_in:
            _sign_in_with_sso()
        else:
            st.button(t("auth.sso"), on_click=st.login)


def _sign_in_with_sso() -> None:
    """The city's single sign-on names the account; a session is made for it and handed to the
    browser through a one-time ticket link (only an HTTP route can set the cookie)."""
    now = datetime.now(UTC)
    try:
        with engine().begin() as connection:
            account = account_for_sso(connection, str(st.user.email))
            session_id, _ = start_session(
                connection, now, settings().sessions, user_id=account.id, method="sso",
                user_agent=st.context.headers.get("user-agent", ""), adopted=False,
            )  # fmt: skip
            record(connection, account.username, "sign_in", about("single_sign_on"),
                   detail=f"session {session_id}")  # fmt: skip
    except SignInError as error:
        st.error(t(f"auth.error.{error.reason}"))
        return
    ticket = ticket_for(session_id, now, checkout_key())
    href = f"/session/ticket?t={quote(ticket)}&next=%2F"
    st.markdown(
        f'<a href="{escape(href)}" target="_self">{escape(t("auth.continue_sso"))}</a>',
        unsafe_allow_html=True,
    )


def _first_admin_form() -> None:
    code = _setup_code(settings().database_url)
    st.info(t("auth.first_start"))
    with st.form("first_admin"):
        given = st.text_input(t("auth.setup_code"), max_chars=20)
        username = st.text_input(t("auth.username"), max_chars=64)
        password = st.text_input(t("auth.password"), type="password", max_chars=200)
        again = st.text_input(t("auth.password_again"), type="password", max_chars=200)
        submitted = st.form_submit_button(t("auth.create_admin"), type="primary")
    if not submitted:
        return
    address = st.context.ip_address or "unknown"
    if not secrets.compare_digest(given.strip(), code):
        with engine().begin() as connection:
            record(connection, username.strip()[:64] or "?", "setup_code_failed",
                   about("first_admin"), detail=f"address {address}")  # fmt: skip
        st.error(t("auth.bad_setup_code"))
        return
    if password != again:
        st.error(t("auth.passwords_differ"))
        return
    try:
        with engine().begin() as connection:
            if count_users(connection):
                st.error(t("auth.already_set_up"))
                return
            create_user(connection, username, password, "admin")
            record(
                connection, username.strip().lower(), "create_first_admin",
                about("first_admin"), detail=f"setup code accepted, address {address}",
            )  # fmt: skip
    except AccessError as error:
        st.error(str(error))
        return
    st.success(t("auth.admin_created"))
    sign_in_link("/", "auth.sign_in")
