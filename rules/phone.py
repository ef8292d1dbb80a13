"""Vietnamese phone numbers in one form: +84 followed by the national number. Pure."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")


class PhoneError(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """'0903 123.456' / '84903123456' / '+84 903 123 456' -> '+84903123456'.

    Mobile numbers have 9 digits after the country code, landlines (02x…) have 10.
    """
    text = _SEPARATORS.sub("", raw or "")
    if text.startswith("+84"):
        national = text[3:]
    elif text.startswith("0084"):
        national = text[4:]
    elif text.startswith("84") and len(text) in (11, 12):
        national = text[2:]
    elif text.startswith("0"):
        national = text[1:]
    else:
        raise PhoneError(f"not a Vietnamese phone number: {raw!r}")
    national = national.removeprefix("0")
    if not national.isdigit():
        raise PhoneError(f"a phone number has only digits: {raw!r}")
    if national.startswith("2"):
        if len(national) != 10:
            raise PhoneError(f"a landline has 10 digits after +84: {raw!r}")
    elif len(national) != 9:
        raise PhoneError(f"a mobile number has 9 digits after +84 (10 with the 0): {raw!r}")
    return "+84" + national
