"""The plain HTTP routes served beside the dashboard by Streamlit's ASGI app (server.py), and
the same routes as a bare Starlette app for tests.

In the server they are reached through PlainRoutesFirst, before Streamlit's own middleware
(its session cookie for st.login, its path checks, its gzip): the form and the API need none
of it, and under load it cost about a tenth of the server's CPU. They get a gzip of their own.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from web import api, auth, declare, declare_form
from web.context import STATIC, LazyContext, WebContext
from web.guards import BodyLimit
from web.page_language import is_page_request, with_vietnamese_messages
from web.public_page import FORM_MAX_BYTES, Handler, PageHandler, public

log = logging.getLogger("kbyt.web")


def routes(lazy: LazyContext) -> list[BaseRoute]:
    return [
        Route("/declare", public(declare_form.show, lazy), methods=["GET", "HEAD"]),
        Route("/declare/self", public(declare.post_self, lazy), methods=["POST"]),
        Route("/declare/proxy", public(declare.post_proxy, lazy), methods=["POST"]),
        Route("/declare/advance", public(declare.post_advance, lazy), methods=["POST"]),
        Route("/declare/checkout", public(declare.post_checkout, lazy), methods=["POST"]),
        Mount("/declare/static", StaticFiles(directory=STATIC), name="declare-static"),
        Route("/session/sign-in", _signing(auth.show_sign_in, lazy), methods=["GET", "HEAD"]),
        Route("/session/sign-in", _signing(auth.post_sign_in, lazy), methods=["POST"]),
        Route("/session/screen", _signing(auth.open_wall_screen, lazy), methods=["GET"]),
        Route("/session/ticket", _signing(auth.take_ticket, lazy), methods=["GET"]),
        Route("/api/v1/checkins", api.endpoint(api.post_checkins, lazy), methods=["POST"]),
        Route("/api/v1/health", api.endpoint(api.health, lazy), methods=["GET"]),
    ]


def _signing(handler: PageHandler, lazy: LazyContext) -> Handler:
    return public(handler, lazy, auth.SignInPage)


def plain_app(lazy: LazyContext) -> Starlette:
    """The plain routes with what they need around them: body limits and gzip."""
    return Starlette(
        routes=routes(lazy),
        middleware=[
            Middleware(
                BodyLimit,
                limits={"/declare/": FORM_MAX_BYTES, "/session/": FORM_MAX_BYTES},
            ),
            # Level 1: the 17 kB form becomes 4.2 kB instead of 3.8 kB at level 5, in 40 %
            # of the time.
            Middleware(GZipMiddleware, minimum_size=1000, compresslevel=1),
        ],
    )


class PlainRoutesFirst:
    """ASGI middleware for st.App: /declare…, /session/… and /api/v1/… go to the plain
    routes; a signed-out browser opening a dashboard page goes to the sign-in form; everything
    else on to Streamlit."""

    def __init__(self, app: ASGIApp, lazy: LazyContext) -> None:
        self.app = app
        self.lazy = lazy
        self.plain = plain_app(lazy)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == "/declare" or path.startswith(("/declare/", "/session/", "/api/v1/")):
            await self.plain(scope, receive, send)
            return
        if path and auth.is_gated(path, scope.get("method", "")):
            try:
                redirect = await auth.sign_in_redirect(self.lazy(), Request(scope))
            except Exception:  # noqa: BLE001 - the dashboard checks the session again itself
                log.exception("sign-in gate: the session could not be checked")
                redirect = None
            if redirect is not None:
                await redirect(scope, receive, send)
                return
        if is_page_request(scope):
            await with_vietnamese_messages(self.app, scope, receive, send)
            return
        await self.app(scope, receive, send)


def middleware(lazy: LazyContext) -> list[Middleware]:
    return [Middleware(PlainRoutesFirst, lazy=lazy)]


def public_app(context: WebContext) -> Starlette:
    """Only the plain routes, for one context (tests serve it with uvicorn)."""
    return plain_app(LazyContext(lambda: context))
