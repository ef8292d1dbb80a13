"""One measure of bench/run.py: ours and plain SQL in turns, median and p95, the ratio and
the goal of the city-scale issue."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from psycopg2.errors import QueryCanceled
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench.trace import (
    timed_pair,
)
from db.engine import make_engine

SLOW_MS = 5_000
VERY_SLOW_MS = 60_000
SLOW_REPEATS = 3
PLAIN_TIMEOUT_S = 600
# Goals of the city-scale issue, checked at 20M check-ins (printed at any size).
GOALS: dict[str, tuple[str, float]] = {
    "F1 typical": ("ms", 30),
    "F1 busiest": ("ms", 1_000),
    "F1+F2 typical": ("ms", 5_000),
    "heat map 1 day": ("ms", 100),
    "heat map 14 days": ("ms", 100),
    "KPIs 1 day": ("ms", 100),
    "KPIs 14 days": ("ms", 100),
    "timeline hour": ("ms", 100),
    "timeline 15 min": ("ms", 100),
}


class Bench:
    """Runs measures. Ours and plain SQL alternate (bench/trace.timed_pair) after warm-up. A
    measure whose first run takes over SLOW_MS is repeated slow_repeats times (its first run
    counted when it took over VERY_SLOW_MS) and its plain SQL runs once, stopped after
    PLAIN_TIMEOUT_S: a plain F2 of a whole city can take many minutes."""

    def __init__(
        self, url: str, warmup: int, repeats: int, slow_repeats: int = SLOW_REPEATS
    ) -> None:
        self.engine = make_engine(url)
        # The plain SQL's own connections, stopped after PLAIN_TIMEOUT_S.
        self.plain = create_engine(
            make_url(url).set(drivername="postgresql+psycopg2"),
            connect_args={"options": f"-c statement_timeout={PLAIN_TIMEOUT_S * 1000}"},
        )
        self.warmup, self.repeats, self.slow_repeats = warmup, repeats, slow_repeats
        self.results: list[dict[str, Any]] = []

    def measure(
        self,
        name: str,
        ours: Callable[[], Any],
        plain: Callable[[], Any],
        check: Callable[[Any, Any], bool] | None = None,
        note: str = "",
        describe: Callable[[Any], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        started = time.perf_counter()
        answer = ours()
        first_ms = (time.perf_counter() - started) * 1000
        plain_timed_out = False
        if first_ms <= SLOW_MS:
            (ours_median, ours_p95, answer), (plain_median, plain_p95, plain_answer) = timed_pair(
                ours, plain, self.warmup, self.repeats
            )
            runs = plain_runs = self.repeats
        else:
            samples = [first_ms] if first_ms > VERY_SLOW_MS else []
            while len(samples) < self.slow_repeats:
                del answer  # one result in memory at a time
                started = time.perf_counter()
                answer = ours()
                samples.append((time.perf_counter() - started) * 1000)
            ours_median, ours_p95 = statistics.median(samples), max(samples)
            runs, plain_runs = len(samples), 1
            started = time.perf_counter()
            try:
                plain_answer = plain()
                plain_median = plain_p95 = (time.perf_counter() - started) * 1000
            except QueryCanceled:
                plain_answer, plain_median, plain_p95 = None, None, None
                plain_timed_out = True
        result = {
            "name": name,
            "median_ms": round(ours_median, 1),
            "p95_ms": round(ours_p95, 1),
            "plain_sql_median_ms": None if plain_median is None else round(plain_median, 1),
            "plain_sql_p95_ms": None if plain_p95 is None else round(plain_p95, 1),
            "ratio": round(ours_median / plain_median, 2) if plain_median else None,
            "runs": runs,
            "plain_runs": plain_runs,
            "note": note,
        }
        if plain_timed_out:
            result["plain_sql_timed_out_s"] = PLAIN_TIMEOUT_S
        if check is not None and plain_answer is not None:
            result["same_answer"] = bool(check(answer, plain_answer))
        if describe is not None:
            result.update(describe(answer))
        goal = GOALS.get(name)
        if goal is not None:
            result["goal_ms"] = goal[1]
            result["meets_goal"] = ours_median < goal[1]
        self.results.append(result)
        shown = "timed out" if plain_median is None else f"{plain_median:,.1f}"
        print(f"  {name}: {ours_median:,.1f} ms (plain {shown})", file=sys.stderr)
        return result
