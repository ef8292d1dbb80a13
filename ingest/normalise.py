"""Normalisation and validation of imported values, one value at a time. Pure, no I/O.

Each function returns the value in its stored form or raises Invalid, whose reason (a code
and its values, ingest/reasons.py) is shown to the person who sent the file, with the line
number added by the caller.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache

from geo.admin_units import HCMC_BOUNDS, hcmc_wards, inside_hcmc
from ingest.reasons import Invalid
from rules.local_time import CITY_ZONE
from rules.phone import PhoneError, normalize_phone
from rules.risk import EXPOSURES, SYMPTOMS, parse_codes

# No KBYT check-in predates the system; an earlier time is a spreadsheet's date artefact.
EARLIEST = datetime(2020, 1, 1, tzinfo=CITY_ZONE)
# A phone's clock may run a little fast; beyond this a time is in the future.
FUTURE_TOLERANCE = timedelta(minutes=5)
CHANNELS = ("self", "proxy", "staff", "advance")  # and empty (or "import") for imported
NAME_MAX = 120  # person.full_name


def normalise_text(raw: str, what: str, max_length: int, *, required: bool = True) -> str:
    """NFC, trimmed, inner whitespace (tabs, newlines, NBSP) collapsed to one space."""
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if not text:
        if required:
            raise Invalid("missing", field=what)
        return ""
    if not text.isprintable():
        # Control, format (zero-width), private-use and unassigned characters are invisible:
        # they would make two people of one name. Lone surrogates are undecodable bytes.
        bad = next(ch for ch in text if not ch.isprintable())
        if unicodedata.category(bad) == "Cs":
            raise Invalid("not_utf8", field=what)
        raise Invalid("invisible_character", field=what, character=f"U+{ord(bad):04X}")
    if len(text) > max_length:
        raise Invalid("too_long", field=what, limit=max_length, length=len(text))
    return text


def normalise_key(raw: str, what: str, max_length: int) -> str:
    """An identifier from the source system (external_id, venue_ref): trimmed, else as given."""
    text = raw.strip()
    if not text:
        raise Invalid("missing", field=what)
    if not text.isprintable():
        raise Invalid("unprintable_value", field=what, value=text[:40])
    if len(text) > max_length:
        raise Invalid("too_long", field=what, limit=max_length, length=len(text))
    return text


def normalise_name(raw: str, what: str = "full_name", max_length: int = NAME_MAX) -> str:
    """A person's name as given, in NFC with tidy spaces; it must contain a letter."""
    text = normalise_text(raw, what, max_length)
    if not any(unicodedata.category(ch).startswith("L") for ch in text):
        raise Invalid("no_letters", field=what, value=text)
    return text


def normalise_phone(raw: str) -> str:
    if not raw.strip():
        raise Invalid("missing", field="phone")
    try:
        return normalize_phone(raw)
    except PhoneError as error:
        if not raw.isprintable():
            raise Invalid("unprintable", field="phone") from None
        raise Invalid(f"phone_{error.code}", **error.values) from None


def normalise_ward(raw: str, known: Collection[str] | None = None) -> str:
    code = raw.strip()
    if not code:
        raise Invalid("missing", field="ward_code")
    if code not in (known if known is not None else ward_codes()):
        raise Invalid("unknown_ward", value=code)
    return code


@lru_cache(maxsize=1)
def ward_codes() -> frozenset[str]:
    """The 273 reference ward codes."""
    return frozenset(w.code for w in hcmc_wards())


def parse_coordinate(raw: str, what: str) -> float:
    text = raw.strip()
    if not text:
        raise Invalid("missing", field=what)
    try:
        value = float(text)
    except ValueError:
        raise Invalid("not_a_number", field=what, value=text) from None
    if not math.isfinite(value):
        raise Invalid("not_a_number", field=what, value=text)
    return value


def check_inside_hcmc(lat: float, lon: float) -> None:
    if not inside_hcmc(lat, lon):
        raise Invalid("outside_hcmc", lat=lat, lon=lon, **HCMC_BOUNDS)


def parse_instant(raw: str, what: str, zone: tzinfo = CITY_ZONE) -> int:
    """An ISO 8601 time as UTC epoch seconds; without an offset it is local time in zone."""
    text = raw.strip()
    if not text:
        raise Invalid("missing", field=what)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid("not_a_time", field=what, value=text) from None
    if len(text) <= 10:  # fromisoformat takes a bare date as midnight: not a check-in time
        raise Invalid("no_time_of_day", field=what, value=text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return int(value.timestamp())


def check_instant_bounds(epoch: int, what: str, now: datetime) -> None:
    if epoch > (now + FUTURE_TOLERANCE).timestamp():
        raise Invalid("in_the_future", field=what, time=_local(epoch))
    if epoch < EARLIEST.timestamp():
        raise Invalid("too_early", field=what, time=_local(epoch), earliest=str(EARLIEST.date()))


def _local(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, CITY_ZONE).isoformat()


def normalise_codes(raw: str, known: tuple[str, ...], refusal: str) -> str:
    """'Cough; fever' -> 'fever;cough': known codes, each once, in the lists' order; else the
    reason of code refusal."""
    codes = {code.lower() for code in parse_codes(raw)}
    unknown = sorted(codes - set(known))
    if unknown:
        listed = ", ".join(repr(u) for u in unknown)
        raise Invalid(refusal, values=listed, expected=", ".join(known))
    return ";".join(code for code in known if code in codes)


def normalise_symptoms(raw: str) -> str:
    return normalise_codes(raw, SYMPTOMS, "unknown_symptom")


def normalise_exposures(raw: str) -> str:
    return normalise_codes(raw, EXPOSURES, "unknown_exposure")


def normalise_channel(raw: str) -> str:
    """'' (or 'import') means imported; otherwise one of CHANNELS."""
    channel = raw.strip().lower()
    if channel in ("", "import"):
        return "import"
    if channel not in CHANNELS:
        raise Invalid("unknown_channel", value=raw.strip(), expected=", ".join(CHANNELS))
    return channel


def normalise_choice(raw: str, known: Collection[str], what: str) -> str:
    value = raw.strip().lower()
    if not value:
        raise Invalid("missing", field=what)
    if value not in known:
        raise Invalid("unknown_choice", field=what, value=raw.strip(), expected=", ".join(known))
    return value


def parse_minutes(raw: str, what: str, low: int = 1, high: int = 24 * 60) -> int:
    text = raw.strip()
    try:
        value = int(text)
    except ValueError:
        raise Invalid("not_minutes", field=what, value=text) from None
    if not low <= value <= high:
        raise Invalid("minutes_out_of_range", field=what, value=value, low=low, high=high)
    return value


# A declared capacity: the most people a venue should hold at once. A million covers the city's
# largest industrial zones; more is a typing error.
CAPACITY_RANGE = (1, 1_000_000)


def parse_capacity(raw: str, what: str = "capacity") -> int | None:
    """A venue's declared capacity, a whole number of people; empty means none declared."""
    text = raw.strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise Invalid("not_a_whole_number", field=what, value=text) from None
    low, high = CAPACITY_RANGE
    if not low <= value <= high:
        raise Invalid("out_of_range", field=what, value=value, low=low, high=high)
    return value
