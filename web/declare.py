"""The public health declaration as a plain HTML form: what a venue's QR code opens.

GET  /declare?v=<venue token>[&mode=self|proxy|advance][&people=N][&lang=en]   the form
GET  /declare?checkout=<code>                                                the check-out page
POST /declare/self, /declare/proxy, /declare/advance, /declare/checkout

This module answers the POSTs; the form itself is web.declare_form's and the page around both
web.public_page's. Server-rendered (Jinja2, autoescaped), no JavaScript, one small stylesheet.
Every POST carries a CSRF token (web.guards.Csrf) and a submission key, so that a double tap or
a resend stores one declaration and shows the same page. The result shows the risk computed
from the answers just given, never what the database knew about the person
(queries.declarations). Input names are a public contract: docs/public-form.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from segno import make_qr
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response

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
from web.context import WebContext, in_database_thread
from web.declare_form import FIELD_MAX_CHARS, form_again, people_count, venue_refused
from web.guards import CSRF_COOKIE, CSRF_FIELD, client_address, is_submission_key
from web.public_page import Page, read_form, too_many

PERSON_FIELDS = ("full_name", "phone", "id_number", "birth_year", "home_ward_code")


async def _posted(context: WebContext, page: Page) -> tuple[FormData, Response | None]:
    """The form, or a page refusing it: over the rate limits, a stale or forged form."""
    request = page.request
    limits = context.limits
    if not limits.allow(limits.per_address, "address", client_address(request)):
        return FormData(), too_many(page)
    form = await read_form(request, max_fields=400)
    token = str(form.get("v", ""))[:64]
    if not limits.allow(limits.per_venue, "venue", token):
        return form, too_many(page)
    if not context.csrf.valid(request.cookies.get(CSRF_COOKIE), str(form.get(CSRF_FIELD, ""))):
        return form, page.message("public.error.stale_form", 403, retry=f"?{page.query(v=token)}")
    if not is_submission_key(str(form.get("submission", ""))):
        return form, page.message("public.error.stale_form", 400, retry=f"?{page.query(v=token)}")
    return form, None


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
    people = people_count(values.get("people"))
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
    if venue is None or not venue.active:
        return venue_refused(page, venue)
    if errors:
        return form_again(page, venue, mode, people, values, errors, 422, submission)
    return _result(context, page, venue, confirmations)


def _result(
    context: WebContext, page: Page, venue: DeclarationVenue, confirmations: list[Confirmation]
) -> HTMLResponse:
    zone = context.settings.zone
    shown: list[dict[str, Any]] = [
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
    if venue is None or not venue.active:
        return venue_refused(page, venue)
    if errors:
        return form_again(page, venue, "advance", 1, values, errors, 422, submission)
    qr = make_qr(code, error="m").svg_data_uri(scale=6, border=2)
    return page.render(
        "advance.html", venue=venue, code=f"{code[:4]}-{code[4:]}", qr=qr, query=page.query
    )


async def post_checkout(context: WebContext, page: Page) -> Response:
    request = page.request
    limits = context.limits
    if not limits.allow(limits.per_address, "address", client_address(request)):
        return too_many(page)
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
