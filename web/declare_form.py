"""GET /declare: the public declaration form a venue's QR code opens, and the check-out page.

The blank form is rendered once per language, mode and size and the venue behind a token kept
for a short while, so that a busy venue's QR costs little (see VENUE_TTL_S). The same form shows
again, with what was typed and what to fix, when a POST (web.declare) is refused.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse, Response

from geo.admin_units import hcmc_districts, hcmc_wards
from queries.declarations import DeclarationVenue, venue_for_token
from rules.risk import EXPOSURES, SYMPTOMS
from web.context import WebContext, in_database_thread
from web.guards import new_submission_key
from web.public_page import Page, PageLanguage, render_template

MODES = ("self", "proxy", "advance")
MAX_PEOPLE = 10
DEFAULT_PEOPLE = 2
FIELD_MAX_CHARS = 200


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
    people = people_count(params.get("people"))
    venue = _venues.get(token)
    if venue is None:
        venue = await in_database_thread(context, lambda: _venue(context, token))
        if venue is None:
            return venue_refused(page, venue)
        _venues.put(token, venue)
    if not venue.active:
        return venue_refused(page, venue)
    if not _SAFE_TOKEN.fullmatch(token):
        return form_again(page, venue, mode, people, {}, {})
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
    page = PageLanguage(language)
    values = _form_values(page, slots, mode, people, {"v": _TOKEN_SLOT}, {}, _SUBMISSION_SLOT)  # type: ignore[arg-type]  # PageLanguage stands in for a Page
    return render_template(templates, "declare.html", page, _CSRF_SLOT, values)


def venue_refused(page: Page, venue: DeclarationVenue | None) -> Response:
    """The answer when a QR code's venue takes no declarations: its token names none (404), or
    the venue is no longer active (410)."""
    if venue is None:
        return page.message("declare.bad_token", 404)
    return page.message("declare.inactive", 410)


def people_count(raw: str | None) -> int:
    if raw and raw.isascii() and raw.isdigit():
        return max(1, min(MAX_PEOPLE, int(raw)))
    return DEFAULT_PEOPLE


def _venue(context: WebContext, token: str) -> DeclarationVenue | None:
    with context.engine.connect() as connection:
        return venue_for_token(connection, token)


def form_again(
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
