"""Signing in and out, and the signed-in user's scope, kept in the Streamlit session."""

from __future__ import annotations

import secrets
import sys

import streamlit as st

from queries.audit import record
from queries.users import (
    SignInError,
    account_for_sso,
    count_users,
    create_user,
    scope_of,
    sign_in,
)
from rules.access import PUBLIC_PAGES, AccessError, Scope
from ui.runtime import engine, settings, t

SESSION_KEY = "scope"


def current_scope() -> Scope | None:
    return st.session_state.get(SESSION_KEY)


def require(page: str) -> Scope | None:
    """The scope of the signed-in user allowed on this page; stops the page otherwise.
    Public pages return None when nobody is signed in."""
    scope = current_scope()
    if scope is None:
        if page in PUBLIC_PAGES:
            return None
        st.warning(t("auth.required"))
        st.stop()
    if not scope.allows_page(page):
        st.error(t("auth.forbidden"))
        st.stop()
    return scope


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


def sign_in_form() -> None:
    with engine().connect() as connection:
        no_accounts = count_users(connection) == 0
    if no_accounts:
        _first_admin_form()
        return
    with st.form("sign_in"):
        username = st.text_input(t("auth.username"), max_chars=64)
        password = st.text_input(t("auth.password"), type="password", max_chars=200)
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        try:
            account = sign_in(engine(), username, password)
            with engine().begin() as connection:
                scope = scope_of(connection, account)
                record(connection, account.username, "sign_in", "local account")
        except SignInError as error:
            with engine().begin() as connection:
                record(connection, username[:64] or "?", "sign_in_failed", str(error))
            st.error(t("auth.failed", reason=str(error)))
            return
        st.session_state[SESSION_KEY] = scope
        st.rerun()
    if settings().sso_enabled:
        st.divider()
        if st.user.is_logged_in:
            _sign_in_with_sso()
        else:
            st.button(t("auth.sso"), on_click=st.login)


def _sign_in_with_sso() -> None:
    try:
        with engine().begin() as connection:
            account = account_for_sso(connection, str(st.user.email))
            scope = scope_of(connection, account)
            record(connection, account.username, "sign_in", "single sign-on")
    except SignInError as error:
        st.error(t("auth.failed", reason=str(error)))
        return
    st.session_state[SESSION_KEY] = scope
    st.rerun()


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
    if not secrets.compare_digest(given.strip(), code):
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
    except AccessError as error:
        st.error(str(error))
        return
    st.success(t("auth.admin_created"))
    st.rerun()


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)
    if settings().sso_enabled and st.user.is_logged_in:
        st.logout()
