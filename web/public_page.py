"""A page of the public web: the response of a plain HTML form in the request's language, with
its CSRF cookie and strict headers, and the route wrapper that turns any fault into a sentence.

The declaration form (web.declare_form, web.declare) and the sign-in form (web.auth) are such
pages.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from i18n.labels import LANGUAGES, label
from web.context import LazyContext, WebContext
from web.guards import CSRF_COOKIE

log = logging.getLogger("kbyt.web")
FORM_MAX_BYTES = 64 * 1024

Handler = Callable[[Request], Awaitable[Response]]
PageHandler = Callable[["WebContext", "Page"], Awaitable[Response]]


class PageLanguage:
    """What a template needs of a page: its language, its labels and its links (a page built
    without a request, such as the cached blank form, is only this)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def t(self, key: str, **values: object) -> str:
        return label(key, self.language, **values)

    def query(self, **changes: object) -> str:
        """A query string for a link of this form, keeping the language."""
        parts = {"lang": self.language, **changes} if self.language != "vi" else dict(changes)
        return urlencode({k: v for k, v in parts.items() if v not in (None, "")})


class Page(PageLanguage):
    """One response of the public form, in the request's language."""

    form_cookie_path = "/declare"  # where the browser sends the CSRF cookie back

    def __init__(self, context: WebContext, request: Request) -> None:
        self.context = context
        self.request = request
        asked = request.query_params.get("lang", "vi")
        super().__init__(asked if asked in LANGUAGES else "vi")

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return self.respond(self.html(template, **values), status)

    def html(self, template: str, csrf_token: str | None = None, **values: Any) -> str:
        return render_template(
            self.context.templates, template, self, csrf_token or self.csrf_token, values
        )

    @property
    def csrf_token(self) -> str:
        return self.context.csrf.token(self._cookie)

    @cached_property
    def _cookie(self) -> str:
        """The browser's form cookie, or a new one (set on the response)."""
        cookie = self.request.cookies.get(CSRF_COOKIE) or ""
        return cookie if 0 < len(cookie) <= 64 else self.context.csrf.new_cookie()

    def respond(self, body: str, status: int = 200) -> HTMLResponse:
        response = HTMLResponse(body, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        if self._cookie != self.request.cookies.get(CSRF_COOKIE):
            response.set_cookie(
                CSRF_COOKIE,
                self._cookie,
                max_age=24 * 3600,
                httponly=True,
                samesite="lax",
                secure=self.request.url.scheme == "https",
                path=self.form_cookie_path,
            )
        return response

    def message(self, key: str, status: int, **values: Any) -> HTMLResponse:
        return self.render("message.html", status, message=self.t(key), **values)


def public(
    handler: Callable[[WebContext, Page], Awaitable[Response]],
    lazy: LazyContext,
    page_class: type[Page] | None = None,
) -> Handler:
    """A route that answers the public with a page in every case: settings or database
    problems become a sentence, never a traceback."""

    async def endpoint(request: Request) -> Response:
        try:
            context = lazy()
        except Exception:  # noqa: BLE001 - no detail of a server fault goes to the public
            log.exception("declaration form: the server is not ready")
            return HTMLResponse(_fallback("public.error.unavailable"), status_code=503)
        page = (page_class or Page)(context, request)
        try:
            return await handler(context, page)
        except HTTPException as error:  # a body Starlette could not parse as a form
            return page.message("public.error.bad_form", min(error.status_code, 499))
        except DBAPIError:
            log.exception("declaration form: database error")
            return page.message("public.error.busy", 503)
        except Exception:  # noqa: BLE001
            log.exception("declaration form failed")
            return page.message("public.error.unexpected", 500)

    return endpoint


def _fallback(key: str) -> str:
    return f"<!doctype html><meta charset=utf-8><p>{label(key, 'vi')}</p><p>{label(key, 'en')}</p>"


def render_template(
    templates: Environment,
    template: str,
    page: PageLanguage,
    csrf_token: str,
    values: dict[str, Any],
) -> str:
    return templates.get_template(template).render(
        t=page.t,
        lang=page.language,
        other_language="en" if page.language == "vi" else "vi",
        csrf_token=csrf_token,
        **values,
    )


async def read_form(request: Request, max_fields: int) -> FormData:
    """The posted fields. A browser posts this form urlencoded, and the standard library reads
    that several times faster than the streaming parser Starlette uses for every form kind
    (a tenth of the server's CPU per declaration); the body is already capped by
    web.guards.BodyLimit. Multipart bodies go to Starlette's parser."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return await request.form(max_files=0, max_fields=max_fields, max_part_size=FORM_MAX_BYTES)
    body = await request.body()
    try:
        fields = parse_qsl(
            body.decode("utf-8", errors="replace"),
            keep_blank_values=True,
            max_num_fields=max_fields,
        )
    except ValueError as error:  # more fields than max_fields
        raise HTTPException(400, "too many fields") from error
    return FormData(list(fields))  # FormData also takes uploads: its list is wider


def too_many(page: Page) -> HTMLResponse:
    response = page.message("public.error.too_many", 429)
    response.headers["Retry-After"] = "60"
    return response
