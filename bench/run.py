"""The benchmark: every question the app asks of a city of N check-ins, against plain SQL.

    python bench/run.py --checkins N [--database-url URL] --out FILE.json
                        [--repeats 10] [--warmup 2] [--slow-repeats 3] [--import-rows 200000]
                        [--skip-app]

PostgreSQL only (the city-scale bar of DESIGN §6). The city is the demo city of bench/trace.py
(14 days ending 2021-08-16 00:00 local, seed 2021) in a database named kbyt_bench_<N> next to
the one in the URL, reused when it holds exactly N check-ins, else built (20M takes a while).

Each measure runs the product's function and the best plain SQL for the same answer on the
same data in turns (bench/trace.timed_pair), after warm-up, and reports median and p95 in ms
and the ratio ours / plain (median). Measures: F1 and F1+F2 traces (the typical case and the
busiest market's regular), the heat map (queries.kpis.area_table, and the map's venue layer,
queries.heatmap.venue_density) and the KPIs (queries.kpis.daily_kpis for a day, daily_series
for 14 days; both count active units from the daily venue rollup, venue_day), a venue's
timeline by hour and by 15 minutes (queries.venues.venue_timeline, the busiest venue's last
day), the risk list page (queries.risk.risk_list, last day, first page and total), and a
contact export of 100,000 rows (reports.tables.to_csv_bytes, against COPY … TO STDOUT). A
trace over 5 s is repeated 3 times, not --repeats.

Then a bulk import (ingest.imports.import_checkins of a generated CSV, on the day after the
city's window so that it creates its partitions as a live import does; removed afterwards)
against COPY of the same rows, and the app's memory: `streamlit run server.py` on the city, a
headless Chromium (Debian's /usr/bin/chromium through Playwright) signs in and opens every page
with the city's last 14 days in the filter and runs a trace; the server's resident memory
(VmRSS, and VmHWM, its peak) is read from /proc after each page. A real browser is what a user
runs, and it is the same harness as the browser tests; AppTest would run the scripts in this
process without the server's websocket sessions, caches per session and component assets.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from psycopg2.errors import QueryCanceled
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from bench.import_checkins import generate, plain_load, plain_rows  # noqa: E402
from bench.trace import (  # noqa: E402
    DEMO_DAYS,
    DEMO_END,
    bench_database,
    ours_trace,
    pick_cases,
    plain_trace,
    same_answer,
    timed_pair,
)
from db.engine import make_engine  # noqa: E402
from db.partitions import DAY_S, LOCAL_OFFSET_S, list_partitions  # noqa: E402
from db.schema import ACTIVITY_BLOCK_DAYS, checkin, person, venue  # noqa: E402
from ingest.imports import import_checkins  # noqa: E402
from queries.heatmap import venue_density  # noqa: E402
from queries.kpis import area_table, daily_kpis, daily_series  # noqa: E402
from queries.risk import risk_list  # noqa: E402
from queries.trace import TraceRules  # noqa: E402
from queries.venues import venue_timeline  # noqa: E402
from reports.tables import to_csv_bytes  # noqa: E402
from rules.access import Scope  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg2://kbyt:kbyt@127.0.0.1:5432/kbyt"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SLOW_MS = 5_000
VERY_SLOW_MS = 60_000
SLOW_REPEATS = 3
PLAIN_TIMEOUT_S = 600
EXPORT_ROWS = 100_000
IMPORT_SOURCE = "bench-import"
PAGES = (
    ("Tổng quan", "overview"),
    ("Bản đồ", "map"),
    ("Địa điểm", "venues"),
    ("Ca nguy cơ", "risk"),
    ("Màn hình điều hành", "wall"),
)
APP_USER, APP_PASSWORD = "bench.admin", "bench password, long enough"
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
TRACE_RATIO_GOAL = 1.2
RSS_GOAL_MB = 1024
IMPORT_GOAL_ROWS_PER_S = 100_000


# --- plain SQL for the dashboards ------------------------------------------------------------

HEAT_MAP_SQL = """
WITH declared AS (
    SELECT w.district_code AS code, sum(h.checkins) AS declarations, sum(h.at_risk) AS at_risk
    FROM ward_day h JOIN ward w ON w.code = h.ward_code
    WHERE h.day_start >= %(start)s AND h.day_start < %(end)s
    GROUP BY w.district_code
), cases AS (
    SELECT w.district_code AS code, count(*) AS cases
    FROM case_record c JOIN person p ON p.id = c.person_id JOIN ward w ON w.code = p.home_ward_code
    WHERE c.created_at >= %(start)s AND c.created_at < %(end)s AND c.status <> 'cleared'
    GROUP BY w.district_code
), active AS (
    SELECT w.district_code AS code, count(*) AS units
    FROM (SELECT DISTINCT venue_id FROM venue_day
          WHERE day_start >= %(start)s AND day_start < %(end)s) d
    JOIN venue v ON v.id = d.venue_id JOIN ward w ON w.code = v.ward_code
    GROUP BY w.district_code
)
SELECT d.code, n.name, d.declarations, d.at_risk, coalesce(c.cases, 0), coalesce(a.units, 0),
       d.at_risk::float / nullif(d.declarations, 0)
FROM declared d JOIN district n ON n.code = d.code
LEFT JOIN cases c ON c.code = d.code LEFT JOIN active a ON a.code = d.code
ORDER BY d.declarations DESC
"""

DENSITY_SQL = """
SELECT v.lat, v.lon, sum(d.checkins) AS weight
FROM venue_day d JOIN venue v ON v.id = d.venue_id
WHERE d.day_start >= %(start)s AND d.day_start < %(end)s
GROUP BY v.id, v.lat, v.lon ORDER BY weight DESC LIMIT 3000
"""

# Per local day of [start, end): check-ins, at risk, high risk (the daily ward rollup), active
# units (the daily venue rollup), new open cases and distinct traced contacts; a row for every day.
SERIES_SQL = """
WITH days AS (
    SELECT generate_series(%(first)s::int, %(last)s::int) AS day
), declared AS (
    SELECT (day_start + %(offset)s) / 86400 AS day, sum(checkins) AS n, sum(at_risk) AS risky,
           sum(high_risk) AS high
    FROM ward_day WHERE day_start >= %(start)s AND day_start < %(end)s GROUP BY 1
), active AS (
    SELECT (day_start + %(offset)s) / 86400 AS day, count(*) AS units
    FROM venue_day WHERE day_start >= %(start)s AND day_start < %(end)s GROUP BY 1
), cases AS (
    SELECT (created_at + %(offset)s) / 86400 AS day, count(*) AS n FROM case_record
    WHERE created_at >= %(start)s AND created_at < %(end)s AND status <> 'cleared' GROUP BY 1
), contacts AS (
    SELECT (traced_at + %(offset)s) / 86400 AS day, count(DISTINCT person_id) AS n
    FROM traced_contact WHERE traced_at >= %(start)s AND traced_at < %(end)s GROUP BY 1
)
SELECT days.day, coalesce(d.n, 0), coalesce(d.risky, 0), coalesce(d.high, 0),
       coalesce(c.n, 0), coalesce(t.n, 0), coalesce(a.units, 0)
FROM days LEFT JOIN declared d USING (day) LEFT JOIN active a USING (day)
LEFT JOIN cases c USING (day) LEFT JOIN contacts t USING (day)
ORDER BY days.day
"""
UNITS_SQL = """
SELECT sector, count(*) FROM venue WHERE active AND registered_on <= %(day)s GROUP BY sector
"""


# venue_hour is keyed by (hour_start, venue_id) (migration 0012): a venue's hours are probed
# one key per hour of the range.
TIMELINE_HOUR_SQL = """
SELECT h.hour_start, h.checkins, h.at_risk, coalesce(c.n, 0)
FROM venue_hour h LEFT JOIN (
    SELECT k.checked_in_at / 3600 * 3600 AS bucket, count(*) AS n FROM checkin k
    WHERE k.venue_id = %(venue)s AND k.checked_in_at >= %(start)s AND k.checked_in_at < %(end)s
      AND k.person_id IN (SELECT person_id FROM case_record WHERE status <> 'cleared')
    GROUP BY 1
) c ON c.bucket = h.hour_start
WHERE h.venue_id = %(venue)s AND h.hour_start = ANY(ARRAY(
    SELECT generate_series((%(start)s + 3599) / 3600 * 3600, %(end)s - 1, 3600)))
ORDER BY h.hour_start
"""
TIMELINE_15_SQL = """
SELECT k.checked_in_at / 900 * 900 AS bucket, count(*), count(*) FILTER (WHERE k.risk_level > 0),
       count(o.person_id)
FROM checkin k LEFT JOIN (
    SELECT DISTINCT person_id FROM case_record WHERE status <> 'cleared'
) o ON o.person_id = k.person_id
WHERE k.venue_id = %(venue)s AND k.checked_in_at >= %(start)s AND k.checked_in_at < %(end)s
GROUP BY 1 ORDER BY 1
"""

RISK_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (person_id) person_id, status, assignee FROM follow_up
    ORDER BY person_id, id DESC
)
SELECT k.id, k.person_id, k.checked_in_at, p.full_name, p.phone, v.name, w.name, k.risk_level,
       k.risk_reasons, coalesce(l.status, 'new'), coalesce(l.assignee, ''), count(*) OVER ()
FROM checkin k JOIN venue v ON v.id = k.venue_id JOIN ward w ON w.code = v.ward_code
JOIN person p ON p.id = k.person_id LEFT JOIN latest l ON l.person_id = k.person_id
WHERE k.checked_in_at >= %(start)s AND k.checked_in_at < %(end)s AND k.risk_level > 0
ORDER BY k.checked_in_at DESC, k.id DESC LIMIT 200
"""

# A trace's contact list: level, name, phone, first exposure (local), minutes, venues.
EXPORT_SELECT = """
SELECT CASE WHEN p.id %% 5 = 0 THEN 'F1' ELSE 'F2' END AS level, p.full_name, p.phone,
       to_char(to_timestamp(%(at)s + p.id %% 86400) AT TIME ZONE 'Asia/Ho_Chi_Minh',
               'YYYY-MM-DD"T"HH24:MI:SS+07:00') AS first_exposure,
       p.id %% 90 + 1 AS overlap_minutes, 'CDM-BD' AS venues
FROM person p ORDER BY p.id LIMIT %(rows)s
"""


def plain_rows_of(engine: Engine, sql: str, params: dict[str, Any]) -> list[tuple]:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        connection.rollback()
        return rows
    finally:
        connection.close()


def plain_copy_out(engine: Engine, sql: str, params: dict[str, Any]) -> bytes:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        query = cursor.mogrify(sql, params).decode()
        buffer = _Sink()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
        connection.rollback()
        return buffer.data()
    finally:
        connection.close()


class _Sink:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes | str) -> None:
        self.parts.append(data.encode() if isinstance(data, str) else data)

    def data(self) -> bytes:
        return b"".join(self.parts)


# --- measuring -------------------------------------------------------------------------------


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


def timeline_key(frame: pd.DataFrame) -> list[tuple]:
    return [
        (int(b.timestamp()), int(c), int(r), int(v))
        for b, c, r, v in frame[["bucket", "checkins", "at_risk", "case_visits"]].itertuples(
            index=False
        )
    ]


def dashboards(bench: Bench, engine: Engine) -> None:
    last_day = (DEMO_END - timedelta(days=1)).date()
    first_day = last_day - timedelta(days=DEMO_DAYS - 1)
    for label, first in (("1 day", last_day), ("14 days", first_day)):
        start = datetime.combine(first, datetime.min.time(), ZONE)
        end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), ZONE)
        bounds = {"start": int(start.timestamp()), "end": int(end.timestamp())}

        def ours_map(first: date = first) -> pd.DataFrame:
            with engine.connect() as connection:
                return area_table(connection, first, last_day, ZONE, None)

        bench.measure(
            f"heat map {label}",
            ours_map,
            lambda bounds=bounds: plain_rows_of(bench.plain, HEAT_MAP_SQL, bounds),
            lambda frame, rows: (
                sorted(frame["declarations"].tolist()) == sorted(r[2] for r in rows)
                and sorted(frame["active_units"].tolist()) == sorted(r[5] for r in rows)
            ),
        )

        if label == "14 days":

            def ours_density(first: date = first) -> pd.DataFrame:
                with engine.connect() as connection:
                    return venue_density(connection, first, last_day, ZONE, None)

            bench.measure(
                "density layer 14 days",
                ours_density,
                lambda bounds=bounds: plain_rows_of(bench.plain, DENSITY_SQL, bounds),
                lambda frame, rows: sorted(frame["weight"].tolist()) == sorted(r[2] for r in rows),
                note="queries.heatmap.venue_density, the map's venue layer",
            )

    def kpi_params(first: date, last: date) -> dict[str, Any]:
        start = datetime.combine(first, datetime.min.time(), ZONE)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), ZONE)
        origin = date(1970, 1, 1)
        return {
            "start": int(start.timestamp()),
            "end": int(end.timestamp()),
            "offset": 7 * 3600,
            "first": (first - origin).days,
            "last": (last - origin).days,
            "day": last,
        }

    def ours_kpis() -> Any:
        with engine.connect() as connection:
            return daily_kpis(connection, last_day, ZONE, None)

    week = kpi_params(last_day - timedelta(days=7), last_day)

    def plain_kpis() -> tuple[list[tuple], list[tuple]]:
        return plain_rows_of(bench.plain, SERIES_SQL, week), plain_rows_of(
            bench.plain, UNITS_SQL, week
        )

    bench.measure(
        "KPIs 1 day",
        ours_kpis,
        plain_kpis,
        lambda kpis, rows: (
            kpis.today.declarations == rows[0][-1][1] and kpis.today.active_units == rows[0][-1][6]
        ),
        note="the day, the day before and the week before it (8 days)",
    )
    fortnight = kpi_params(first_day, last_day)

    def ours_series() -> pd.DataFrame:
        with engine.connect() as connection:
            return daily_series(connection, first_day, last_day, ZONE, None)

    bench.measure(
        "KPIs 14 days",
        ours_series,
        lambda: plain_rows_of(bench.plain, SERIES_SQL, fortnight),
        lambda frame, rows: (
            frame["declarations"].tolist() == [r[1] for r in rows]
            and frame["active_units"].tolist() == [r[6] for r in rows]
        ),
        note="queries.kpis.daily_series, the overview's trend",
    )


def venue_pages(bench: Bench, engine: Engine) -> None:
    with engine.connect() as connection:
        busiest = connection.execute(
            select(venue.c.id, venue.c.venue_ref)
            .select_from(venue.join(checkin, checkin.c.venue_id == venue.c.id))
            .where(checkin.c.checked_in_at >= DEMO_END - timedelta(days=1))
            .group_by(venue.c.id, venue.c.venue_ref)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    start, end = DEMO_END - timedelta(days=1), DEMO_END
    params = {"venue": busiest[0], "start": int(start.timestamp()), "end": int(end.timestamp())}
    for label, minutes, sql in (
        ("timeline hour", 60, TIMELINE_HOUR_SQL),
        ("timeline 15 min", 15, TIMELINE_15_SQL),
    ):

        def ours(minutes: int = minutes) -> pd.DataFrame:
            with engine.connect() as connection:
                return venue_timeline(connection, busiest[0], start, end, minutes)

        bench.measure(
            label,
            ours,
            lambda sql=sql: plain_rows_of(bench.plain, sql, params),
            lambda frame, rows: timeline_key(frame) == [tuple(map(int, r)) for r in rows],
            note=f"{busiest[1]}, the busiest venue, its last day",
        )

    scope = Scope(username="bench", role="epidemiologist")
    risk_params = {"start": int(start.timestamp()), "end": int(end.timestamp())}

    def ours_risk() -> tuple[pd.DataFrame, int]:
        with engine.connect() as connection:
            return risk_list(connection, start, end, None, scope, limit=200)

    bench.measure(
        "risk list page",
        ours_risk,
        lambda: plain_rows_of(bench.plain, RISK_SQL, risk_params),
        lambda ours, rows: (
            ours[1] == (rows[0][-1] if rows else 0)
            and ours[0]["checkin_id"].tolist() == [r[0] for r in rows]
        ),
        note="the last day, first page of 200 and the total",
    )


def export(bench: Bench, engine: Engine) -> None:
    params = {"at": int(DEMO_END.timestamp()) - 86_400, "rows": EXPORT_ROWS}

    def ours() -> bytes:
        with engine.connect() as connection:
            frame = pd.DataFrame(
                connection.exec_driver_sql(EXPORT_SELECT, params).all(),
                columns=["level", "full_name", "phone", "first_exposure", "overlap_minutes",
                         "venues"],
            )  # fmt: skip
        return to_csv_bytes(frame)

    bench.measure(
        "contact export 100k",
        ours,
        lambda: plain_copy_out(bench.plain, EXPORT_SELECT, params),
        lambda mine, theirs: mine.count(b"\n") == theirs.count(b"\n"),
        note="reports.tables.to_csv_bytes (cells neutralised) vs COPY … TO STDOUT",
    )


def traces(bench: Bench, engine: Engine) -> int | None:
    """Measures the traces; returns the typical case's id (the app step traces it too)."""
    rules = TraceRules()
    cases = pick_cases(engine, rules)
    for label, case in cases.items():
        short = "typical" if label.startswith("typical") else "busiest"
        for depth in (1, 2):
            result = bench.measure(
                f"F1 {short}" if depth == 1 else f"F1+F2 {short}",
                lambda case=case, depth=depth: ours_trace(engine, case, rules, depth),
                lambda case=case, depth=depth: plain_trace(bench.plain, case, depth),
                same_answer,
                note=label,
                describe=lambda answer: {
                    "contacts": {
                        "visits": len(answer.visits),
                        "f1": len(answer.level(1)),
                        "f2": len(answer.level(2)),
                    }
                },
            )
            result["ratio_goal"] = TRACE_RATIO_GOAL
    return next((case["case_id"] for case in cases.values() if case["case_id"]), None)


# --- bulk import -----------------------------------------------------------------------------


def bulk_import(engine: Engine, rows: int) -> dict[str, Any]:
    """Import `rows` check-ins on the day after the city's window, then COPY the same rows;
    both are removed afterwards (their partitions dropped), leaving the city as it was."""
    day = (DEMO_END + timedelta(days=1)).date()  # wholly after the demo's last instant
    end = datetime.combine(day, datetime.min.time(), ZONE) + timedelta(hours=23, minutes=59)
    with engine.connect() as connection:
        refs = connection.scalars(select(venue.c.venue_ref).order_by(venue.c.id)).all()
        last_person = connection.scalar(select(func.max(person.c.id))) or 0
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "checkins.csv"
        generate(path, list(refs), rows, 0.99, end=end)
        try:
            report = import_checkins(engine, path, source=IMPORT_SOURCE)
            frame = plain_rows(engine, path)
            started = time.perf_counter()
            plain_load(engine, frame)
            plain_seconds = time.perf_counter() - started
        finally:
            _remove_import(engine, day, last_person)
    return {
        "rows": report.read,
        "imported": report.imported,
        "rows_per_s": round(report.read / report.seconds),
        "read_s": round(report.timings["read"], 2),
        "validate_s": round(report.timings["validate"], 2),
        "write_s": round(report.timings["write"], 2),
        "plain_sql_rows_per_s": round(len(frame) / plain_seconds),
        "ratio": round(report.seconds / plain_seconds, 2),
    }


def _remove_import(engine: Engine, day: date, last_person: int) -> None:
    start = int(datetime.combine(day, datetime.min.time(), ZONE).timestamp())
    with engine.begin() as connection:
        for partition in list_partitions(connection):
            if partition.lower >= start:
                connection.exec_driver_sql(f"DROP TABLE {partition.name}")
        connection.exec_driver_sql(
            "DELETE FROM checkin_key WHERE source = %(source)s", {"source": IMPORT_SOURCE}
        )
        for rollup, column in (
            ("venue_hour", "hour_start"),
            ("ward_hour", "hour_start"),
            ("venue_day", "day_start"),
            ("ward_day", "day_start"),
        ):
            connection.exec_driver_sql(
                f"DELETE FROM {rollup} WHERE {column} >= %(start)s",  # noqa: S608
                {"start": start},
            )
        # venue_activity's blocks from the import's day on are rebuilt from what venue_day
        # keeps: a bit cannot be subtracted the way a count can.
        block = (start + LOCAL_OFFSET_S) // DAY_S // ACTIVITY_BLOCK_DAYS
        local_day = f"(day_start + {LOCAL_OFFSET_S}) / {DAY_S}"
        connection.exec_driver_sql(
            "DELETE FROM venue_activity WHERE block >= %(block)s", {"block": block}
        )
        connection.exec_driver_sql(
            "INSERT INTO venue_activity (block, venue_id, days)"
            f" SELECT {local_day} / {ACTIVITY_BLOCK_DAYS}, venue_id,"  # noqa: S608
            f" bit_or(1::bigint << ({local_day} %% {ACTIVITY_BLOCK_DAYS})::int)"
            f" FROM venue_day WHERE {local_day} / {ACTIVITY_BLOCK_DAYS} >= %(block)s"
            " GROUP BY 1, 2",
            {"block": block},
        )
        connection.exec_driver_sql("DELETE FROM person WHERE id > %(id)s", {"id": last_person})


# --- the app's memory ------------------------------------------------------------------------


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def app_memory(url: str, f2_case: int | None = None) -> dict[str, Any]:
    """Serve the app on the city and open its pages in Chromium, then trace f2_case (F1, then
    F1 and F2; without it the first case, F1) in the trace panel; memory of the server."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed (requirements-dev.txt)"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"no Chromium at {CHROMIUM} (scripts/ensure-chromium)"}
    _ensure_user(url)
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KBYT_")}
    environment.update({"KBYT_DATABASE_URL": url, "KBYT_DEMO__SEED_ON_FIRST_START": "false"})
    log = open(Path(tempfile.gettempdir()) / f"kbyt-bench-app-{port}.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    samples: list[dict[str, Any]] = []
    peak = {"rss": 0.0}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak["rss"] = max(peak["rss"], rss_mb(server.pid)[0])
            stop.wait(0.2)

    try:
        _wait_healthy(base, server)
        samples.append({"page": "started", "rss_mb": round(rss_mb(server.pid)[0], 1)})
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        last_day = (DEMO_END - timedelta(days=1)).date()
        query = f"from={last_day - timedelta(days=DEMO_DAYS - 1)}&to={last_day}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="vi-VN")
            page.goto(f"{base}/?{query}")
            _sign_in(page)
            for title, path in PAGES:
                started = time.perf_counter()
                page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
                # The default page (the overview) is served at "/".
                page.wait_for_url(re.compile(f"/({path})?(\\?|$)"), timeout=120_000)
                _wait_run(page)
                samples.append(
                    {
                        "page": title,
                        "seconds": round(time.perf_counter() - started, 1),
                        "rss_mb": round(rss_mb(server.pid)[0], 1),
                    }
                )
            samples += _trace_in_browser(page, server.pid, f2_case)
            browser.close()
        rss, hwm = rss_mb(server.pid)
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return {
        "method": "streamlit run server.py + headless Chromium; VmRSS / VmHWM of the server",
        "rss_mb": round(rss, 1),
        "peak_rss_mb": round(max(hwm, peak["rss"]), 1),
        "pages": samples,
    }


def _sign_in(page: Any) -> None:
    _wait_run(page)
    page.get_by_label("Tên đăng nhập").fill(APP_USER)
    page.get_by_label("Mật khẩu").fill(APP_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for(timeout=120_000)
    _wait_run(page)


def _trace_in_browser(page: Any, pid: int, case_id: int | None = None) -> list[dict[str, Any]]:
    """Open a case on the trace page (case_id, else the first of the list) and trace it: F1;
    then, for case_id, F1 and F2 (F1 is shown at once, F2 after). A sample after each."""
    samples = []
    started = time.perf_counter()
    depth = 1
    try:
        page.locator("[data-testid='stSidebarNav'] a", has_text="Truy vết").first.click()
        page.wait_for_url(re.compile("/trace(\\?|$)"), timeout=120_000)
        _wait_run(page)
        if case_id is not None:
            page.get_by_label(re.compile("Tìm ca bệnh")).fill(str(case_id))
            page.keyboard.press("Enter")
            _wait_run(page)
        page.get_by_role("button", name="Mở ca").click()
        _wait_run(page)
        page.get_by_label(re.compile("Mục đích truy vết")).fill("Đo hiệu năng")
        page.keyboard.press("Enter")
        _wait_run(page)
        for depth in (1, 2) if case_id is not None else (1,):
            if depth == 2:
                started = time.perf_counter()
                page.get_by_text("F1 và F2", exact=True).click()
                _wait_run(page)
            page.get_by_role("button", name="Truy vết", exact=True).click()
            _wait_run(page, timeout_ms=600_000)
            page.get_by_text("Các địa điểm ca đã đến").wait_for(timeout=600_000)
            # F2 runs after F1 is shown, under this heading, then the page draws again.
            page.get_by_text("Đang tính F2…").wait_for(state="detached", timeout=600_000)
            _wait_run(page, timeout_ms=600_000)
            samples.append(_trace_sample(pid, case_id, depth, "traced", started))
    except Exception as error:  # noqa: BLE001 - the page may change; memory is still read
        outcome = f"not traced ({error.__class__.__name__})"
        samples.append(_trace_sample(pid, case_id, depth, outcome, started))
    return samples


def _trace_sample(
    pid: int, case_id: int | None, depth: int, outcome: str, started: float
) -> dict[str, Any]:
    return {
        "page": f"Truy vết (F{'1+F2' if depth == 2 else '1'}, case {case_id or 'first'}: "
        f"{outcome})",
        "seconds": round(time.perf_counter() - started, 1),
        "rss_mb": round(rss_mb(pid)[0], 1),
    }


def _ensure_user(url: str) -> None:
    from queries.users import create_user

    engine = make_engine(url)
    with engine.begin() as connection:
        known = connection.exec_driver_sql(
            "SELECT 1 FROM app_user WHERE username = %(name)s", {"name": APP_USER}
        ).scalar()
        if not known:
            create_user(connection, APP_USER, APP_PASSWORD, "admin")
    engine.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(base: str, server: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the app exited while starting")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling the health endpoint
    raise RuntimeError("the app did not become healthy")


def _wait_run(page: Any, timeout_ms: int = 120_000) -> None:
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout_ms
    )


# --- report ----------------------------------------------------------------------------------


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        found = {
            table: int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)
            for table in ("checkin", "person", "venue", "venue_hour", "ward_hour", "case_record")
        }
        found["checkin_partitions"] = len(list_partitions(connection))
    return found


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"PostgreSQL {result['postgresql']}, {result['counts']['checkin']:,} check-ins "
        f"({result['counts']['checkin_partitions']} daily partitions), "
        f"{result['counts']['person']:,} people, {result['counts']['venue']:,} venues; "
        f"{result['machine']}; {result['date']}",
        "",
        "| measure | ours ms (median / p95) | plain SQL ms (median / p95) | ratio | goal | runs |",
        "|---|---|---|---|---|---|",
    ]
    for m in result["measures"]:
        goal = ""
        if "goal_ms" in m:
            goal = f"< {m['goal_ms']:,.0f} ms {'✓' if m['meets_goal'] else '✗'}"
        if "ratio_goal" in m:
            ok = m["ratio"] is not None and m["ratio"] <= m["ratio_goal"]
            goal += f"{'; ' if goal else ''}ratio ≤ {m['ratio_goal']} {'✓' if ok else '✗'}"
        same = "" if m.get("same_answer", True) else " (answers differ!)"
        if m["plain_sql_median_ms"] is None:
            plain = f"stopped after {m['plain_sql_timed_out_s']} s"
        else:
            plain = f"{m['plain_sql_median_ms']:,.1f} / {m['plain_sql_p95_ms']:,.1f}"
        runs = (
            m["runs"] if m["plain_runs"] == m["runs"] else f"{m['runs']} (plain {m['plain_runs']})"
        )
        lines.append(
            f"| {m['name']}{same} | {m['median_ms']:,.1f} / {m['p95_ms']:,.1f} | {plain} | "
            f"{m['ratio'] if m['ratio'] is not None else '—'} | {goal} | {runs} |"
        )
    imported = result.get("import")
    if imported:
        lines.append(
            f"| bulk import {imported['rows']:,} rows | {imported['rows_per_s']:,} rows/s | "
            f"{imported['plain_sql_rows_per_s']:,} rows/s (COPY) | {imported['ratio']} | "
            f"≥ {IMPORT_GOAL_ROWS_PER_S:,} rows/s "
            f"{'✓' if imported['rows_per_s'] >= IMPORT_GOAL_ROWS_PER_S else '✗'} | 1 |"
        )
    app = result.get("app")
    if app and "rss_mb" in app:
        ok = app["peak_rss_mb"] < RSS_GOAL_MB
        lines.append(
            f"| app memory (every page, an F1 and an F1+F2 trace) | {app['rss_mb']:,.0f} MB RSS, "
            f"peak {app['peak_rss_mb']:,.0f} MB | | | < {RSS_GOAL_MB} MB {'✓' if ok else '✗'} | 1 |"
        )
    elif app:
        lines.append(f"| app memory | {app.get('skipped') or app.get('failed')} | | | | |")
    traced = [m for m in result["measures"] if "contacts" in m]
    if traced:
        lines += ["", "Traces: " + "; ".join(
            f"{m['name']}: {m['contacts']['visits']} visits, {m['contacts']['f1']:,} F1, "
            f"{m['contacts']['f2']:,} F2" for m in traced
        )]  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--slow-repeats",
        type=int,
        default=SLOW_REPEATS,
        help="runs of a measure over 5 s (a run over 60 s counts as the first)",
    )
    parser.add_argument("--import-rows", type=int, default=200_000)
    parser.add_argument("--skip-app", action="store_true", help="do not measure the app")
    args = parser.parse_args()
    if make_url(args.database_url).get_backend_name() != "postgresql":
        print("bench/run.py measures PostgreSQL (city scale)", file=sys.stderr)
        return 2
    if args.repeats < 5:
        print("--repeats must be at least 5", file=sys.stderr)
        return 2

    url = bench_database(args.database_url, args.checkins, reuse=True)
    bench = Bench(url, args.warmup, args.repeats, max(1, args.slow_repeats))
    engine = bench.engine
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar()
    print("traces …", file=sys.stderr)
    typical_case = traces(bench, engine)
    print("dashboards …", file=sys.stderr)
    dashboards(bench, engine)
    venue_pages(bench, engine)
    export(bench, engine)
    print("import …", file=sys.stderr)
    imported = bulk_import(engine, args.import_rows) if args.import_rows else None
    app = None
    if not args.skip_app:
        print("app …", file=sys.stderr)
        try:
            app = app_memory(url, typical_case)
        except Exception as error:  # noqa: BLE001 - the other figures are still worth keeping
            app = {"failed": f"{error.__class__.__name__}: {str(error).splitlines()[0]}"}
            print(f"  the app's memory was not measured: {app['failed']}", file=sys.stderr)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{_memory_gb()} GB RAM, Python {platform.python_version()}",
        "postgresql": version,
        "database": make_url(url).database,
        "counts": counts(engine),
        "warmup": args.warmup,
        "repeats": args.repeats,
        "slow_repeats": bench.slow_repeats,
        "measures": bench.results,
        "import": imported,
        "app": app,
    }
    engine.dispose()
    bench.plain.dispose()
    table = markdown(result)
    print(table)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


def _memory_gb() -> int:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return math.floor(pages / 1024**3 + 0.5)


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
