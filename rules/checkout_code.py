"""Check-out codes: the check-in id with a keyed digest, so that the device that declared can
check out later and nobody can check out someone else by guessing numbers. Pure."""

from __future__ import annotations

import hashlib
import hmac


def sign(checkin_id: int, key: bytes) -> str:
    digest = hmac.new(key, str(checkin_id).encode(), hashlib.sha256).hexdigest()
    return f"{checkin_id}.{digest[:24]}"


def verify(code: str, key: bytes) -> int | None:
    """The check-in id of a genuine code, None for a forged or malformed one."""
    if not code or not code.isascii() or len(code) > 64:
        return None  # compare_digest refuses non-ASCII text; int() takes other scripts' digits
    number, _, _ = code.partition(".")
    if not number.isdigit() or len(number) > 18:
        return None
    return int(number) if hmac.compare_digest(sign(int(number), key), code) else None
