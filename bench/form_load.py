"""The load on the public declaration form: aiohttp clients on keep-alive connections, each a
resident who opens a venue's form (GET /declare?v=…) and sends it (POST /declare/self), or who
posts again and again with one form's cookie and token; every outcome counted by kind."""

from __future__ import annotations

import asyncio
import random
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from bench.load_summary import CpuMark
from rules.risk import EXPOSURES, SYMPTOMS

CONFIRMATION = 'class="confirmation'
HIDDEN = {
    name: re.compile(rf'name="{name}" value="([^"]*)"')
    for name in ("v", "submission", "csrf_token")
}
OPTION = re.compile(r'<option value="([^"]+)"')
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Đức", "Thu", "Quốc", "Hoài")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam")
MOBILE_PREFIXES = ("090", "091", "093", "094", "097", "098", "070", "079", "077", "083", "086")


@dataclass
class Sample:
    started: float
    ended: float
    post_ms: float | None
    ok: bool


@dataclass
class Outcomes:
    samples: list[Sample] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    error_bodies: dict[str, str] = field(default_factory=dict)
    locked: int = 0
    tracebacks: int = 0
    successes: int = 0  # all, warm-up and tail included (the rows check)
    attempts: int = 0

    def error(self, kind: str, body: str = "") -> None:
        self.errors[kind] += 1
        if kind not in self.error_bodies:
            self.error_bodies[kind] = _visible_text(body)[:600]

    def inspect(self, body: str) -> None:
        if "database is locked" in body:
            self.locked += 1
        if "Traceback" in body:
            self.tracebacks += 1


def _visible_text(body: str) -> str:
    text_only = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text_only)).strip()


class Resident:
    """Random answers of one declaration, like the demo city's people."""

    def __init__(self, rng: random.Random, wards: list[str]) -> None:
        self.rng, self.wards = rng, wards

    def fields(self, hidden: dict[str, str]) -> list[tuple[str, str]]:
        rng = self.rng
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        phone = rng.choice(MOBILE_PREFIXES) + "".join(rng.choices("0123456789", k=7))
        form = [(key, hidden[key]) for key in ("v", "submission", "csrf_token")]
        form += [("full_name", name), ("phone", phone)]
        if rng.random() < 0.6:
            form.append(("id_number", "0" + "".join(rng.choices("0123456789", k=11))))
        if rng.random() < 0.7:
            form.append(("birth_year", str(rng.randint(1940, 2010))))
        if self.wards and rng.random() < 0.8:
            form.append(("home_ward_code", rng.choice(self.wards)))
        if rng.random() < 0.1:
            form += [("symptoms", s) for s in rng.sample(SYMPTOMS, rng.randint(1, 2))]
        if rng.random() < 0.03:
            form.append(("exposures", rng.choice(EXPOSURES)))
        return form


def hidden_fields(body: str) -> dict[str, str] | None:
    found = {}
    for name, pattern in HIDDEN.items():
        match = pattern.search(body)
        if match is None:
            return None
        found[name] = match.group(1)
    return found


class Load:
    def __init__(self, base: str, tokens: list[str], concurrency: int) -> None:
        self.base, self.tokens, self.concurrency = base, tokens, concurrency
        self.wards: list[str] = []

    async def _get_form(
        self, session: aiohttp.ClientSession, out: Outcomes, rng: random.Random
    ) -> tuple[dict[str, str], str] | None:
        """(hidden fields, cookie) of a fresh form at a random venue, or None (counted)."""
        token = rng.choice(self.tokens)
        try:
            async with session.get(f"{self.base}/declare", params={"v": token}) as response:
                body = await response.text()
                cookie = response.cookies.get("kbyt_form")
        except (aiohttp.ClientError, TimeoutError) as error:
            out.error(f"GET {error.__class__.__name__}", str(error))
            return None
        out.inspect(body)
        if response.status != 200:
            out.error(f"GET HTTP {response.status}", body)
            return None
        hidden = hidden_fields(body)
        if hidden is None or cookie is None:
            out.error("GET 200 without form or cookie", body)
            return None
        if not self.wards:
            self.wards = OPTION.findall(body)
        return hidden, cookie.value

    async def _post(
        self,
        session: aiohttp.ClientSession,
        out: Outcomes,
        fields: list[tuple[str, str]],
        cookie: str,
    ) -> tuple[bool, float]:
        started = time.perf_counter()
        try:
            async with session.post(
                f"{self.base}/declare/self", data=fields, headers={"Cookie": f"kbyt_form={cookie}"}
            ) as response:
                body = await response.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            out.error(f"POST {error.__class__.__name__}", str(error))
            return False, (time.perf_counter() - started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
        out.inspect(body)
        if response.status != 200:
            out.error(f"POST HTTP {response.status}", body)
            return False, elapsed
        if CONFIRMATION not in body:
            out.error("POST 200 without confirmation", body)
            return False, elapsed
        return True, elapsed

    async def _client(
        self, session: aiohttp.ClientSession, out: Outcomes, seed: int, end: float, post_only: bool
    ) -> None:
        rng = random.Random(seed)
        resident = Resident(rng, self.wards)
        kept: tuple[dict[str, str], str] | None = None
        while time.monotonic() < end:
            started = time.perf_counter()
            out.attempts += 1
            form = kept if post_only else None
            if form is None:
                form = await self._get_form(session, out, rng)
                if form is None:
                    out.samples.append(Sample(started, time.perf_counter(), None, False))
                    await asyncio.sleep(0.05)  # a failing server is not hammered in a tight loop
                    continue
                resident.wards = self.wards
                if post_only:
                    kept = form
            hidden, cookie = form
            if post_only:
                hidden = {
                    **hidden,
                    "v": rng.choice(self.tokens),
                    "submission": secrets.token_hex(16),
                }
            ok, post_ms = await self._post(session, out, resident.fields(hidden), cookie)
            out.successes += ok
            out.samples.append(Sample(started, time.perf_counter(), post_ms, ok))

    async def run(
        self,
        warmup_s: float,
        seconds: float,
        post_only: bool,
        marks: dict[str, CpuMark],
        mark: Callable[[], CpuMark],
    ) -> tuple[Outcomes, float, float]:
        """Clients for warm-up + seconds; returns the outcomes and the measured window
        (perf_counter start and end). marks["start"] / ["end"] are taken at its edges."""
        out = Outcomes()
        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
        ) as session:
            if not self.wards:
                await self._get_form(session, Outcomes(), random.Random(0))
            end = time.monotonic() + warmup_s + seconds
            clients = [
                asyncio.create_task(self._client(session, out, seed, end, post_only))
                for seed in range(self.concurrency)
            ]
            await asyncio.sleep(warmup_s)
            marks["start"] = mark()
            window_start = time.perf_counter()
            await asyncio.sleep(seconds)
            marks["end"] = mark()
            window_end = time.perf_counter()
            await asyncio.gather(*clients)
        return out, window_start, window_end
