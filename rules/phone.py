"""Vietnamese phone numbers in one form: +84 followed by the national number. Pure.

Accepted: 0903 123 456, 0903.123.456, 0903-123-456, 84903123456, +84 903 123 456,
+84 (0) 903 123 456, 0084 903 123 456, full-width digits, and 903123456 (a spreadsheet drops
the leading zero of a number it takes for an integer). A mobile number has 9 digits after +84
and starts with 3, 5, 7, 8 or 9; a landline has 10 and starts with 2 (02x area codes).
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s.\-()/]")
MOBILE_FIRST_DIGITS = frozenset("35789")
_NORMAL = re.compile(r"\+84(?:[35789][0-9]{8}|2[0-9]{9})")


class PhoneError(ValueError):
    """Why a text is no phone number: str() says it in English; code and values (the text as
    given, the digit no number starts with) name it for a translation (ingest.reasons)."""

    def __init__(self, message: str, code: str, **values: str) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


def normalize_phone(raw: str) -> str:
    """'0903 123.456' / '84903123456' / '+84 903 123 456' -> '+84903123456'."""
    if _NORMAL.fullmatch(raw or ""):
        return raw  # already in the stored form: the common case in system exports
    # NFKC turns full-width digits and plus signs (typed with some Vietnamese IMEs) into ASCII.
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if not text:
        raise PhoneError("no phone number", "empty")
    national = _national_part(text, raw)
    if not (national.isascii() and national.isdigit()):
        raise PhoneError(f"a phone number has only digits: {raw!r}", "not_digits", value=raw)
    first = national[0]
    if first == "2":
        if len(national) != 10:
            raise PhoneError(
                f"a landline has 10 digits after +84 (11 with the 0): {raw!r}",
                "landline_length",
                value=raw,
            )
    elif first in MOBILE_FIRST_DIGITS:
        if len(national) != 9:
            raise PhoneError(
                f"a mobile number has 9 digits after +84 (10 with the 0): {raw!r}",
                "mobile_length",
                value=raw,
            )
    elif first == "1" and len(national) == 10:
        # 11-digit 01xx mobile numbers were renumbered in 2018; mapping them is the source's job.
        raise PhoneError(
            f"an old 11-digit mobile number (renumbered in 2018): {raw!r}", "old_mobile", value=raw
        )
    else:
        raise PhoneError(
            f"no Vietnamese number starts with +84 {first}: {raw!r}",
            "bad_start",
            value=raw,
            first=first,
        )
    return "+84" + national


def _national_part(text: str, raw: str) -> str:
    """The digits after the country code (or the trunk 0), still unchecked."""
    if text.startswith("+"):
        if not text.startswith("+84"):
            raise PhoneError(
                f"not a Vietnamese phone number (country code +84): {raw!r}", "foreign", value=raw
            )
        return text[3:].removeprefix("0")  # '+84 (0) 903…' writes the trunk 0 as well
    if text.startswith("00"):
        if not text.startswith("0084"):
            raise PhoneError(
                f"not a Vietnamese phone number (country code 0084): {raw!r}",
                "foreign_0084",
                value=raw,
            )
        return text[4:].removeprefix("0")
    if text.startswith("0"):
        return text[1:]
    if text.startswith("84") and len(text) in (11, 12):
        return text[2:]
    if len(text) == 9 or (len(text) == 10 and text.startswith("2")):
        return text  # the leading 0 was lost on the way (spreadsheets)
    raise PhoneError(f"not a Vietnamese phone number: {raw!r}", "not_vietnamese", value=raw)
