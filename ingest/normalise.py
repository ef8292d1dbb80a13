"""Normalisation and validation of imported values, one value at a time. Pure, no I/O.

Each function returns the value in its stored form or raises Invalid, whose message is the
reason shown to the person who sent the file (with the line number added by the caller).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from geo.admin_units import HCMC_BOUNDS, hcmc_wards, inside_hcmc
from rules.phone import PhoneError, normalize_phone
from rules.risk import EXPOSURES, SYMPTOMS, parse_codes

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
# No KBYT check-in predates the system; an earlier time is a spreadsheet's date artefact.
EARLIEST = datetime(2020, 1, 1, tzinfo=SAIGON)
# A phone's clock may run a little fast; beyond this a time is in the future.
FUTURE_TOLERANCE = timedelta(minutes=5)
CHANNELS = ("self", "proxy", "staff", "advance")  # and empty (or "import") for imported
NAME_MAX = 120  # person.full_name


class Invalid(ValueError):
    """A value that cannot be imported; str() is the reason."""


def normalise_text(raw: str, what: str, max_length: int, *, required: bool = True) -> str:
    """NFC, trimmed, inner whitespace (tabs, newlines, NBSP) collapsed to one space."""
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if not text:
        if required:
            raise Invalid(f"missing {what}")
        return ""
    if not text.isprintable():
        # Control, format (zero-width), private-use and unassigned characters are invisible:
        # they would make two people of one name. Lone surrogates are undecodable bytes.
        bad = next(ch for ch in text if not ch.isprintable())
        if unicodedata.category(bad) == "Cs":
            raise Invalid(f"{what} is not valid UTF-8 text")
        raise Invalid(f"{what} contains the invisible character U+{ord(bad):04X}")
    if len(text) > max_length:
        raise Invalid(f"{what} is longer than {max_length} characters ({len(text)})")
    return text


def normalise_key(raw: str, what: str, max_length: int) -> str:
    """An identifier from the source system (external_id, venue_ref): trimmed, else as given."""
    text = raw.strip()
    if not text:
        raise Invalid(f"missing {what}")
    if not text.isprintable():
        raise Invalid(f"{what} {text[:40]!r} contains invisible or undecodable characters")
    if len(text) > max_length:
        raise Invalid(f"{what} is longer than {max_length} characters ({len(text)})")
    return text


def normalise_name(raw: str, what: str = "full_name", max_length: int = NAME_MAX) -> str:
    """A person's name as given, in NFC with tidy spaces; it must contain a letter."""
    text = normalise_text(raw, what, max_length)
    if not any(unicodedata.category(ch).startswith("L") for ch in text):
        raise Invalid(f"{what} {text!r} has no letters")
    return text


def normalise_phone(raw: str) -> str:
    if not raw.strip():
        raise Invalid("missing phone")
    try:
        return normalize_phone(raw)
    except PhoneError as error:
        if not raw.isprintable():
            raise Invalid("phone contains invisible or undecodable characters") from None
        raise Invalid(f"bad phone: {error}") from None


def normalise_ward(raw: str, known: Collection[str] | None = None) -> str:
    code = raw.strip()
    if not code:
        raise Invalid("missing ward_code")
    if code not in (known if known is not None else ward_codes()):
        raise Invalid(f"unknown ward_code {code!r} (not one of Ho Chi Minh City's 273 wards)")
    return code


@lru_cache(maxsize=1)
def ward_codes() -> frozenset[str]:
    """The 273 reference ward codes."""
    return frozenset(w.code for w in hcmc_wards())


def parse_coordinate(raw: str, what: str) -> float:
    text = raw.strip()
    if not text:
        raise Invalid(f"missing {what}")
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise Invalid(f"{what} {text!r} is not a number")
    return value


def check_inside_hcmc(lat: float, lon: float) -> None:
    if not inside_hcmc(lat, lon):
        raise Invalid(
            f"coordinates {lat}, {lon} are outside Ho Chi Minh City "
            f"(lat {HCMC_BOUNDS['min_lat']}–{HCMC_BOUNDS['max_lat']}, "
            f"lon {HCMC_BOUNDS['min_lon']}–{HCMC_BOUNDS['max_lon']})"
        )


def parse_instant(raw: str, what: str, zone: tzinfo = SAIGON) -> int:
    """An ISO 8601 time as UTC epoch seconds; without an offset it is local time in zone."""
    text = raw.strip()
    if not text:
        raise Invalid(f"missing {what}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            f"{what} {text!r} is not an ISO 8601 time (e.g. 2021-08-01T08:10:00+07:00)"
        ) from None
    if len(text) <= 10:  # fromisoformat takes a bare date as midnight: not a check-in time
        raise Invalid(f"{what} {text!r} has no time of day")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return int(value.timestamp())


def check_instant_bounds(epoch: int, what: str, now: datetime) -> None:
    if epoch > (now + FUTURE_TOLERANCE).timestamp():
        raise Invalid(f"{what} {_local(epoch)} is in the future")
    if epoch < EARLIEST.timestamp():
        raise Invalid(f"{what} {_local(epoch)} is before {EARLIEST.date()}")


def _local(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone(timedelta(hours=7))).isoformat()


def normalise_codes(raw: str, known: tuple[str, ...], what: str) -> str:
    """'Cough; fever' -> 'fever;cough': known codes, each once, in the lists' order."""
    codes = {code.lower() for code in parse_codes(raw)}
    unknown = sorted(codes - set(known))
    if unknown:
        listed = ", ".join(repr(u) for u in unknown)
        raise Invalid(f"unknown {what} {listed}; expected some of {', '.join(known)}")
    return ";".join(code for code in known if code in codes)


def normalise_symptoms(raw: str) -> str:
    return normalise_codes(raw, SYMPTOMS, "symptom")


def normalise_exposures(raw: str) -> str:
    return normalise_codes(raw, EXPOSURES, "exposure")


def normalise_channel(raw: str) -> str:
    """'' (or 'import') means imported; otherwise one of CHANNELS."""
    channel = raw.strip().lower()
    if channel in ("", "import"):
        return "import"
    if channel not in CHANNELS:
        raise Invalid(f"unknown channel {raw.strip()!r}; expected {', '.join(CHANNELS)} or empty")
    return channel


def normalise_choice(raw: str, known: Collection[str], what: str) -> str:
    value = raw.strip().lower()
    if not value:
        raise Invalid(f"missing {what}")
    if value not in known:
        raise Invalid(f"unknown {what} {raw.strip()!r}; expected one of {', '.join(known)}")
    return value


def parse_minutes(raw: str, what: str, low: int = 1, high: int = 24 * 60) -> int:
    text = raw.strip()
    try:
        value = int(text)
    except ValueError:
        raise Invalid(f"{what} {text!r} is not a whole number of minutes") from None
    if not low <= value <= high:
        raise Invalid(f"{what} {value} is outside {low}–{high} minutes")
    return value
