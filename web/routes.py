"""The plain HTTP routes served beside the dashboard by Streamlit's ASGI app (server.py), and
the same routes as a bare Starlette app for tests."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from web import api, declare
from web.context import STATIC, LazyContext, WebContext
from web.guards import BodyLimit


def routes(lazy: LazyContext) -> list[BaseRoute]:
    return [
        Route("/declare", declare.public(declare.show, lazy), methods=["GET", "HEAD"]),
        Route("/declare/self", declare.public(declare.post_self, lazy), methods=["POST"]),
        Route("/declare/proxy", declare.public(declare.post_proxy, lazy), methods=["POST"]),
        Route("/declare/advance", declare.public(declare.post_advance, lazy), methods=["POST"]),
        Route("/declare/checkout", declare.public(declare.post_checkout, lazy), methods=["POST"]),
        Mount("/declare/static", StaticFiles(directory=STATIC), name="declare-static"),
        Route("/api/v1/checkins", api.endpoint(api.post_checkins, lazy), methods=["POST"]),
        Route("/api/v1/health", api.endpoint(api.health, lazy), methods=["GET"]),
    ]


def middleware() -> list[Middleware]:
    return [Middleware(BodyLimit, limits={"/declare/": declare.FORM_MAX_BYTES})]


def public_app(context: WebContext) -> Starlette:
    """Only the plain routes, for one context (tests serve it with uvicorn)."""
    return Starlette(routes=routes(LazyContext(lambda: context)), middleware=middleware())
