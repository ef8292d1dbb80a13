"""What stands between the public and the write path: CSRF tokens for the forms, rate limits,
request body limits and the client's address. No I/O beyond the request itself."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "kbyt_form"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE_S = 12 * 3600
SUBMISSION_PATTERN = re.compile(r"[0-9a-f]{32}")


def new_submission_key() -> str:
    """The key that makes a double tap or a resend store one declaration (128 random bits)."""
    return secrets.token_hex(16)


def is_submission_key(value: str) -> bool:
    return bool(SUBMISSION_PATTERN.fullmatch(value or ""))


class Csrf:
    """Double-submit tokens: a random value in an HttpOnly cookie and, in each form, that
    value's keyed digest with the time it was issued. Another site can make a browser post
    the form but can neither read the cookie nor forge the digest."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"kbyt csrf\0" + key).digest()

    def new_cookie(self) -> str:
        return secrets.token_urlsafe(16)

    def token(self, cookie: str, now: float | None = None) -> str:
        issued = str(int(now if now is not None else time.time()))
        return f"{issued}.{self._digest(cookie, issued)}"

    def valid(self, cookie: str | None, token: str | None, now: float | None = None) -> bool:
        if not cookie or not token or len(token) > 100:
            return False
        issued, _, digest = token.partition(".")
        if not (issued.isascii() and issued.isdigit()):
            return False
        age = (now if now is not None else time.time()) - int(issued)
        if not 0 <= age <= CSRF_MAX_AGE_S:
            return False
        return hmac.compare_digest(digest, self._digest(cookie, issued))

    def _digest(self, cookie: str, issued: str) -> str:
        message = f"{cookie}\0{issued}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]


# How often expired counters are swept from memory. limits' MemoryStorage started a thread to
# sweep every counter 10 ms after each hit: under load a new thread a hundred times a second,
# each reading every address's and venue's counters (4 % of the server's CPU at 135
# declarations/s, growing with the number of keys). A counter is also dropped when read after
# its expiry, so the sweep only gives memory back and once a second is enough.
SWEEP_EVERY_S = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory storage, its sweep of expired counters at most once a second."""

    def __init__(self) -> None:
        self._next_sweep = 0.0
        super().__init__()

    # Replaces MemoryStorage's private __schedule_expiry (name-mangled); pinned limits version,
    # and tests/test_rate_limits.py fails if the sweep is no longer ours.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or self.timer.is_alive():
            return
        self._next_sweep = now + SWEEP_EVERY_S
        # The private sweep of MemoryStorage (name-mangled), which limits does not declare.
        expire = self._MemoryStorage__expire_events  # type: ignore[attr-defined]
        self.timer = threading.Timer(0.01, expire)
        self.timer.daemon = True
        self.timer.start()


@dataclass(frozen=True)
class Limits:
    """Sliding-window rate limits kept in this process's memory: two counters per key and
    window, where a moving window keeps every hit's time (and took 5 % of the server's CPU
    under load)."""

    per_address: list[RateLimitItem]
    per_venue: list[RateLimitItem]
    per_api_key: list[RateLimitItem]
    limiter: SlidingWindowCounterRateLimiter
    # Failed sign-ins (and wrong wall-screen links) from one address, across accounts.
    sign_in_failures: list[RateLimitItem]

    @classmethod
    def from_settings(
        cls,
        per_address: str,
        per_venue: str,
        per_api_key: str,
        sign_in_failures: str = "20 per 15 minutes",
    ) -> Limits:
        return cls(
            parse_many(per_address),
            parse_many(per_venue),
            parse_many(per_api_key),
            SlidingWindowCounterRateLimiter(SweptMemoryStorage()),
            parse_many(sign_in_failures),
        )

    def room(self, items: list[RateLimitItem], *identifiers: str) -> bool:
        """Whether one more hit would be allowed, counting nothing (failures are counted
        after the fact, with allow())."""
        return all(self.limiter.test(item, *identifiers) for item in items)

    def allow(self, items: list[RateLimitItem], *identifiers: str) -> bool:
        """Count one hit against each item in turn; False at the first one spent, which then
        counts nothing, so a refused client does not dig itself deeper. (A hit alone, not a
        test first: every public request passes here.)"""
        return all(self.limiter.hit(item, *identifiers) for item in items)

    def retry_after(self, items: list[RateLimitItem], *identifiers: str) -> int:
        """Whole seconds until every spent item has room again (for a Retry-After header)."""
        now = time.time()
        waits = [
            stats.reset_time - now
            for stats in (self.limiter.get_window_stats(item, *identifiers) for item in items)
            if stats.remaining <= 0
        ]
        return max(1, math.ceil(max(waits, default=1)))


def client_address(request: Request) -> str:
    """The connection's address. Behind a reverse proxy, start the server so that it trusts
    the proxy's forwarded headers (uvicorn's --forwarded-allow-ips) and this is the phone's."""
    return request.client.host if request.client else "unknown"


class BodyLimit:
    """Refuses request bodies over a size, per path prefix, with 413 before they are read
    whole: by Content-Length when given, by counting otherwise."""

    def __init__(self, app: ASGIApp, limits: dict[str, int]) -> None:
        self.app = app
        self.limits = sorted(limits.items(), key=lambda item: -len(item[0]))

    def _limit(self, path: str) -> int | None:
        for prefix, limit in self.limits:
            if path.startswith(prefix):
                return limit
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit(scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await _too_large(send)


class BodyTooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = "Yêu cầu quá lớn. / Request too large.".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
