"""The public health declaration as a plain HTML form: what a venue's QR code opens.

GET  /declare?v=<venue token>[&mode=self|proxy|advance][&people=N][&lang=en]   the form
GET  /declare?checkout=<code>                                                the check-out page
POST /declare/self, /declare/proxy, /declare/advance, /declare/checkout

Server-rendered (Jinja2, autoescaped), no JavaScript, one small stylesheet. Every POST carries a
CSRF token (web.guards.Csrf) and a submission key, so that a double tap or a resend stores one
declaration and shows the same page. The result shows the risk computed from the answers just
given, never what the database knew about the person (queries.declarations). Input names are a
public contract: docs/public-form.md.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment
from markupsafe import Markup, escape
from segno import make_qr
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from geo.admin_units import hcmc_districts, hcmc_wards
from i18n.labels import LANGUAGES, label
from ingest.forms import validate_declarant
from queries.declarations import (
    Confirmation,
    DeclarationVenue,
    check_out,
    declare,
    declare_in_advance,
    venue_for_token,
)
from rules.declarant import Declarant
from rules.risk import EXPOSURES, SYMPTOMS
from web.context import LazyContext, WebContext, in_database_thread
from web.guards import (
    CSRF_COOKIE,
    CSRF_FIELD,
    client_address,
    is_submission_key,
    new_submission_key,
)

log = logging.getLogger("kbyt.web")
MODES = ("self", "proxy", "advance")
MAX_PEOPLE = 10
DEFAULT_PEOPLE = 2
FORM_MAX_BYTES = 64 * 1024
FIELD_MAX_CHARS = 200
PERSON_FIELDS = ("full_name", "phone", "id_number", "birth_year", "home_ward_code")

Handler = Callable[[Request], Awaitable[Response]]
PageHandler = Callable[["WebContext", "Page"], Awaitable[Response]]


class Page:
    """One response of the public form, in the request's language."""

    form_cookie_path = "/declare"  # where the browser sends the CSRF cookie back

    def __init__(self, context: WebContext, request: Request) -> None:
        self.context = context
        self.request = request
        asked = request.query_params.get("lang", "vi")
        self.language = asked if asked in LANGUAGES else "vi"

    def t(self, key: str, **values: object) -> str:
        return label(key, self.language, **values)

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return self.respond(self.html(template, **values), status)

    def html(self, template: str, csrf_token: str | None = None, **values: Any) -> str:
        return _render(
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

    def query(self, **changes: object) -> str:
        """A query string for a link of this form, keeping the language."""
        parts = {"lang": self.language, **changes} if self.language != "vi" else dict(changes)
        return urlencode({k: v for k, v in parts.items() if v not in (None, "")})


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


# --- GET ------------------------------------------------------------------------------------


async def show(context: WebContext, page: Page) -> Response:
    params = page.request.query_params
    if "checkout" in params:
        code = params["checkout"][:80]
        return page.render("checkout.html", code=code, done=None, query=page.query)
    token = params.get("v", "")
    if not token:
        return page.message("declare.no_token", 200)
    mode = params.get("mode", "self")
    mode = mode if mode in MODES else "self"
    people = _people_count(params.get("people"))
    venue = _venues.get(token)
    if venue is None:
        venue = await in_database_thread(context, lambda: _venue(context, token))
        if venue is None:
            return page.message("declare.bad_token", 404)
        _venues.put(token, venue)
    if not venue.active:
        return page.message("declare.inactive", 410)
    if not _SAFE_TOKEN.fullmatch(token):
        return _form(page, venue, mode, people, {}, {})
    blank = _blank_form(context.templates, page.language, mode, people, bool(venue.address))
    body = (
        blank.replace(_TOKEN_SLOT, token)
        .replace(_SUBMISSION_SLOT, new_submission_key())
        .replace(_CSRF_SLOT, page.csrf_token)
        .replace(_NAME_SLOT, escape(venue.name))
        .replace(_ADDRESS_SLOT, escape(venue.address))
    )
    return page.respond(body)


# The blank form is rendered once per language, mode and size with slots for what differs
# per venue and per visitor, and the venue behind a token is kept for a short while: a
# busy venue's QR is opened many times a minute, and rendering plus the look-up were half of
# the server's CPU per form. A renamed or closed venue shows within VENUE_TTL_S; sending the
# form always reads the venue afresh.
VENUE_TTL_S = 30.0
# Random per process, so that no venue name or address can contain them; hex, so that they
# read the same escaped for HTML and encoded for a URL.
_TOKEN_SLOT = secrets.token_hex(16)
_SUBMISSION_SLOT = secrets.token_hex(16)
_CSRF_SLOT = secrets.token_hex(16)
_NAME_SLOT = secrets.token_hex(16)
_ADDRESS_SLOT = secrets.token_hex(16)
# Tokens as manage.py makes them (secrets.token_urlsafe): the same text in a URL and in HTML.
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class _Venues:
    """QR token -> venue, the most recent 10,000, each for VENUE_TTL_S."""

    def __init__(self, size: int = 10_000) -> None:
        self._venues: OrderedDict[str, tuple[float, DeclarationVenue]] = OrderedDict()
        self._size = size

    def get(self, token: str) -> DeclarationVenue | None:
        found = self._venues.get(token)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, token: str, venue: DeclarationVenue) -> None:
        self._venues[token] = (time.monotonic() + VENUE_TTL_S, venue)
        self._venues.move_to_end(token)
        while len(self._venues) > self._size:
            self._venues.popitem(last=False)


_venues = _Venues()


@lru_cache(maxsize=128)
def _blank_form(
    templates: Environment, language: str, mode: str, people: int, with_address: bool
) -> str:
    """The form with slots for the token, the venue's name and address, the submission key
    and the CSRF token."""
    slots = DeclarationVenue(
        id=0, venue_ref="", name=_NAME_SLOT, address=_ADDRESS_SLOT if with_address else "",
        kind="", active=True, procedure="", ward_code="",
    )  # fmt: skip
    page = _Language(language)
    values = _form_values(page, slots, mode, people, {"v": _TOKEN_SLOT}, {}, _SUBMISSION_SLOT)  # type: ignore[arg-type]
    return _render(templates, "declare.html", page, _CSRF_SLOT, values)


class _Language:
    """What a template needs of a page when there is no request: its language and links."""

    def __init__(self, language: str) -> None:
        self.language = language

    t = Page.t
    query = Page.query


def _render(
    templates: Environment,
    template: str,
    page: Page | _Language,
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


def _people_count(raw: str | None) -> int:
    if raw and raw.isascii() and raw.isdigit():
        return max(1, min(MAX_PEOPLE, int(raw)))
    return DEFAULT_PEOPLE


def _venue(context: WebContext, token: str) -> DeclarationVenue | None:
    with context.engine.connect() as connection:
        return venue_for_token(connection, token)


def _form(
    page: Page,
    venue: DeclarationVenue,
    mode: str,
    people: int,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    submission: str | None = None,
) -> HTMLResponse:
    """The form again with what was typed and what to fix."""
    form = _form_values(page, venue, mode, people, values, errors, submission)
    return page.render("declare.html", status, **form)


def _form_values(
    page: Page,
    venue: DeclarationVenue,
    mode: str,
    people: int,
    values: dict[str, Any],
    errors: dict[str, str],
    submission: str | None,
) -> dict[str, Any]:
    return {
        "venue": venue,
        "token": values.get("v") or page.request.query_params.get("v", ""),
        "mode": mode,
        "modes": MODES,
        "people": people,
        "max_people": MAX_PEOPLE,
        "values": values,
        "errors": errors,
        "submission": submission or new_submission_key(),
        "symptoms": SYMPTOMS,
        "exposures": EXPOSURES,
        "wards": _ward_choices(),
        "ward_options": _ward_options(),
        "query": page.query,
        "field_max": FIELD_MAX_CHARS,
    }


_WARDS: list[tuple[str, list[tuple[str, str]]]] = []


def _ward_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """(district name, [(ward code, ward name)]) for the home ward list, built once."""
    if not _WARDS:
        wards = hcmc_wards()
        for district in hcmc_districts():
            _WARDS.append(
                (
                    district.name,
                    [(w.code, w.name) for w in wards if w.district_code == district.code],
                )
            )
    return _WARDS


@lru_cache(maxsize=1)
def _ward_options() -> Markup:
    """The 273 wards as <optgroup>s, nothing selected: rendered once, not on every form."""
    return Markup("").join(
        Markup('<optgroup label="{}">{}</optgroup>').format(
            district,
            Markup("").join(
                Markup('<option value="{}">{}</option>').format(code, name)
                for code, name in choices
            ),
        )
        for district, choices in _ward_choices()
    )


# --- POST -----------------------------------------------------------------------------------


async def _posted(context: WebContext, page: Page) -> tuple[FormData, Response | None]:
    """The form, or a page refusing it: over the rate limits, a stale or forged form."""
    request = page.request
    limits = context.limits
    if not limits.allow(limits.per_address, "address", client_address(request)):
        return FormData(), _too_many(page)
    form = await read_form(request, max_fields=400)
    token = str(form.get("v", ""))[:64]
    if not limits.allow(limits.per_venue, "venue", token):
        return form, _too_many(page)
    if not context.csrf.valid(request.cookies.get(CSRF_COOKIE), str(form.get(CSRF_FIELD, ""))):
        return form, page.message("public.error.stale_form", 403, retry=f"?{page.query(v=token)}")
    if not is_submission_key(str(form.get("submission", ""))):
        return form, page.message("public.error.stale_form", 400, retry=f"?{page.query(v=token)}")
    return form, None


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
    return FormData(fields)


def _too_many(page: Page) -> HTMLResponse:
    response = page.message("public.error.too_many", 429)
    response.headers["Retry-After"] = "60"
    return response


def _values(form: FormData) -> dict[str, Any]:
    """The posted fields, cut to a sane length, multi-valued answers as lists: what the
    form shows again when something must be fixed."""
    values: dict[str, Any] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):
            continue
        if name.endswith(("symptoms", "exposures")):
            values.setdefault(name, []).append(value[:40])
        else:
            values[name] = value[:FIELD_MAX_CHARS]
    return values


def _declarant(
    values: dict[str, Any], prefix: str, phone_fallback: str = "", with_answers: bool = True
) -> tuple[Declarant | None, dict[str, str]]:
    """One person's fields (named prefix + field) checked; errors keyed by the field's name."""
    raw = {field: str(values.get(prefix + field, "")).strip() for field in PERSON_FIELDS}
    errors: dict[str, str] = {}
    birth_year = None
    if raw["birth_year"]:
        # ASCII digits only: int() also takes '١٩٩٠', and '²' passes isdigit().
        if raw["birth_year"].isascii() and raw["birth_year"].isdigit():
            birth_year = int(raw["birth_year"])
        else:
            errors["birth_year"] = "form.error.birth_year"
    symptoms = tuple(values.get(prefix + "symptoms", ())) if with_answers else ()
    exposures = tuple(values.get(prefix + "exposures", ())) if with_answers else ()
    declarant, problems = validate_declarant(
        raw["full_name"],
        raw["phone"] or phone_fallback,
        raw["id_number"],
        birth_year if not errors else None,
        raw["home_ward_code"] or None,
        symptoms,
        exposures,
    )
    errors.update(problems)
    if errors:
        return None, {prefix + field: key for field, key in errors.items()}
    return declarant, {}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def post_self(context: WebContext, page: Page) -> Response:
    return await _declare_people(context, page, "self")


async def post_proxy(context: WebContext, page: Page) -> Response:
    return await _declare_people(context, page, "proxy")


async def _declare_people(context: WebContext, page: Page, mode: str) -> Response:
    form, refused = await _posted(context, page)
    if refused:
        return refused
    values = _values(form)
    token, submission = values.get("v", ""), values["submission"]
    people = _people_count(values.get("people"))
    declared_by = None
    if mode == "self":
        declarant, errors = _declarant(values, "")
        declarants = [declarant] if declarant else []
    else:
        declared_by, errors = _declarant(values, "declarer.", with_answers=False)
        declarants = []
        for n in range(1, people + 1):
            prefix = f"d{n}."
            if not any(str(values.get(prefix + f, "")).strip() for f in PERSON_FIELDS):
                continue
            dependant, problems = _declarant(values, prefix, str(values.get("declarer.phone", "")))
            errors.update(problems)
            if dependant:
                declarants.append(dependant)
        if not declarants and not errors:
            errors["d1.full_name"] = "public.error.no_dependant"

    def write() -> tuple[DeclarationVenue | None, list[Confirmation]]:
        with context.engine.begin() as connection:
            venue = venue_for_token(connection, token)
            if venue is None or not venue.active or errors:
                return venue, []
            return venue, declare(
                connection, venue.id, declarants, mode, _now(), submission,
                context.checkout_key, declared_by, context.settings.risk.high_risk_symptoms,
                place=venue,
            )  # fmt: skip

    venue, confirmations = await in_database_thread(context, write)
    if venue is None:
        return page.message("declare.bad_token", 404)
    if not venue.active:
        return page.message("declare.inactive", 410)
    if errors:
        return _form(page, venue, mode, people, values, errors, 422, submission)
    return _result(context, page, venue, confirmations)


def _result(
    context: WebContext, page: Page, venue: DeclarationVenue, confirmations: list[Confirmation]
) -> HTMLResponse:
    zone = context.settings.zone
    shown = [
        {
            "full_name": item.full_name,
            "time": item.checked_in_at.astimezone(zone).strftime("%H:%M %d/%m/%Y"),
            "level": item.answers_risk.level,
            "reasons": ", ".join(page.t(f"reason.{code}") for code in item.answers_risk.reasons),
            "checkout_code": item.checkout_code,
        }
        for item in confirmations
    ]
    at_risk = any(item["level"] > 0 for item in shown)
    return page.render(
        "result.html",
        venue=venue,
        confirmations=shown,
        procedure=(venue.procedure or context.settings.default_procedure) if at_risk else "",
        base_url=context.settings.public_base_url.rstrip("/"),
        query=page.query,
    )


async def post_advance(context: WebContext, page: Page) -> Response:
    form, refused = await _posted(context, page)
    if refused:
        return refused
    values = _values(form)
    token, submission = values.get("v", ""), values["submission"]
    declarant, errors = _declarant(values, "")

    def write() -> tuple[DeclarationVenue | None, str]:
        with context.engine.begin() as connection:
            venue = venue_for_token(connection, token)
            if venue is None or not venue.active or declarant is None:
                return venue, ""
            code = declare_in_advance(connection, venue.id, declarant, _now(), None, submission)
            return venue, code

    venue, code = await in_database_thread(context, write)
    if venue is None:
        return page.message("declare.bad_token", 404)
    if not venue.active:
        return page.message("declare.inactive", 410)
    if errors:
        return _form(page, venue, "advance", 1, values, errors, 422, submission)
    qr = make_qr(code, error="m").svg_data_uri(scale=6, border=2)
    return page.render(
        "advance.html", venue=venue, code=f"{code[:4]}-{code[4:]}", qr=qr, query=page.query
    )


async def post_checkout(context: WebContext, page: Page) -> Response:
    request = page.request
    limits = context.limits
    if not limits.allow(limits.per_address, "address", client_address(request)):
        return _too_many(page)
    form = await read_form(request, max_fields=10)
    code = str(form.get("code", ""))[:80]
    if not context.csrf.valid(request.cookies.get(CSRF_COOKIE), str(form.get(CSRF_FIELD, ""))):
        return page.message("public.error.stale_form", 403, retry=f"?{page.query(checkout=code)}")

    def write() -> bool:
        with context.engine.begin() as connection:
            return check_out(connection, code, context.checkout_key, _now())

    done = await in_database_thread(context, write)
    return page.render(
        "checkout.html", 200 if done else 400, code=code, done=done, query=page.query
    )
