"""Trace speed: queries.trace against hand-written plain SQL on the same demo city (PostgreSQL).

    python bench/trace.py --checkins 1000000 [--database-url URL] [--reuse] [--repeats 10]

Builds the demo city (14 days ending 2021-08-16 00:00 local, seed 2021) in a database named
kbyt_bench_<N> next to the one in the URL, or with --reuse keeps the one already there (the same
database bench/run.py uses).
Two cases are traced:

- typical: the demo case whose F1 count is the median of all demo cases;
- busiest market: the person with most check-ins at CDM-BD (Bình Điền wholesale market),
  traced over the whole period.

Each is traced to F1 and to F2, after a warm-up, --repeats times; the plain SQL computes the same
answer (visits, then every contact's level, first exposure, overlap minutes and venues) in one
statement, and the script checks that both agree. Ratio = ours / plain. Finally EXPLAIN ANALYZE
shows how the trace reads the check-ins: ix_checkin_venue_time (index only) for the probes,
ix_checkin_person_time for the F1s' onward visits.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.citus_databases import create_citus_database, is_citus_cluster  # noqa: E402
from bench.pg_databases import drop_postgres  # noqa: E402
from db.engine import driver_url, make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.schema import case_record, checkin, venue  # noqa: E402
from ingest.demo_city import build_demo_city  # noqa: E402
from ingest.progress import progress_bar  # noqa: E402
from queries.setup import init_db  # noqa: E402
from queries.trace import TraceResult, TraceRules, case_window, trace  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg2://kbyt:kbyt@127.0.0.1:5432/kbyt"
DEMO_END = datetime(2021, 8, 16, tzinfo=timezone(timedelta(hours=7)))
DEMO_DAYS = 14
BUSIEST_MARKET = "CDM-BD"

# --- the plain SQL --------------------------------------------------------------------------

VISITS_SQL = """
SELECT c.id, c.checked_in_at, v.id, v.venue_ref, v.name, v.kind, v.lat, v.lon, v.ward_code,
       LEAST(COALESCE(c.checked_out_at, c.checked_in_at + v.dwell_minutes * 60),
             c.checked_in_at + %(cap)s)
FROM checkin c JOIN venue v ON v.id = c.venue_id
WHERE c.person_id = %(case)s AND c.checked_in_at >= %(since)s AND c.checked_in_at < %(until)s
ORDER BY c.checked_in_at, c.id
"""

# F1: every check-in at the case's venues overlapping a widened visit by the minimum; covered
# time is the union (range_agg) of the qualifying overlaps per person and venue.
F1_CTES = """
exposure AS (
    SELECT c.venue_id, v.dwell_minutes, c.checked_in_at - %(buf)s AS a,
           LEAST(COALESCE(c.checked_out_at, c.checked_in_at + v.dwell_minutes * 60),
                 c.checked_in_at + %(cap)s) + %(buf)s AS b
    FROM checkin c JOIN venue v ON v.id = c.venue_id
    WHERE c.person_id = %(case)s AND c.checked_in_at >= %(since)s
      AND c.checked_in_at < %(until)s
),
pairs1 AS (
    SELECT k.person_id, x.venue_id, GREATEST(k.checked_in_at, x.a) AS s,
           LEAST(COALESCE(k.checked_out_at, k.checked_in_at + x.dwell_minutes * 60),
                 k.checked_in_at + %(cap)s, x.b) AS e
    FROM exposure x
    JOIN checkin k ON k.venue_id = x.venue_id
                  AND k.checked_in_at BETWEEN x.a + %(m)s - %(cap)s AND x.b - %(m)s
    WHERE k.person_id <> %(case)s
),
covered1 AS (
    SELECT person_id, venue_id, MIN(s) AS first_at, range_agg(int8range(s, e)) AS time
    FROM pairs1 WHERE e - s >= %(m)s GROUP BY person_id, venue_id
)
"""

# F2: each F1's visits from its first exposure, widened and cut, probe the venue index in turn;
# people already F1 (or the case) are not F2.
F2_CTES = """,
f1 AS MATERIALIZED (
    SELECT person_id, MIN(first_at) AS first_at FROM covered1 GROUP BY person_id
),
sources AS MATERIALIZED (
    SELECT o.person_id AS f1_id, o.venue_id, v.dwell_minutes,
           GREATEST(o.checked_in_at - %(buf)s, f1.first_at) AS a,
           LEAST(COALESCE(o.checked_out_at, o.checked_in_at + v.dwell_minutes * 60),
                 o.checked_in_at + %(cap)s) + %(buf)s AS b
    FROM f1
    JOIN checkin o ON o.person_id = f1.person_id
                  AND o.checked_in_at >= f1.first_at + %(m)s - %(buf)s - %(cap)s
                  AND o.checked_in_at < %(until)s
    JOIN venue v ON v.id = o.venue_id
),
pairs2 AS (
    SELECT k.person_id, x.venue_id, GREATEST(k.checked_in_at, x.a) AS s,
           LEAST(COALESCE(k.checked_out_at, k.checked_in_at + x.dwell_minutes * 60),
                 k.checked_in_at + %(cap)s, x.b) AS e
    FROM sources x
    JOIN checkin k ON k.venue_id = x.venue_id
                  AND k.checked_in_at BETWEEN x.a + %(m)s - %(cap)s AND x.b - %(m)s
    WHERE x.b - x.a >= %(m)s AND k.person_id <> %(case)s
      AND NOT EXISTS (SELECT 1 FROM f1 WHERE f1.person_id = k.person_id)
),
covered2 AS (
    SELECT person_id, venue_id, MIN(s) AS first_at, range_agg(int8range(s, e)) AS time
    FROM pairs2 WHERE e - s >= %(m)s GROUP BY person_id, venue_id
)
"""

CONTACTS_SELECT = """
SELECT p.id, p.phone, p.full_name, f.level, f.first_at, f.seconds / 60, f.venues
FROM (
    SELECT cv.level, cv.person_id, MIN(cv.first_at) AS first_at,
           SUM((SELECT SUM(upper(r) - lower(r)) FROM unnest(cv.time) r)) AS seconds,
           array_agg(ve.venue_ref ORDER BY cv.first_at, ve.venue_ref) AS venues
    FROM ({covered}) cv JOIN venue ve ON ve.id = cv.venue_id
    GROUP BY cv.level, cv.person_id
) f
JOIN person p ON p.id = f.person_id
ORDER BY f.level, f.first_at, p.full_name, p.id
"""

F1_SQL = "WITH " + F1_CTES + CONTACTS_SELECT.format(covered="SELECT 1 AS level, * FROM covered1")
F2_SQL = (
    "WITH "
    + F1_CTES
    + F2_CTES
    + CONTACTS_SELECT.format(
        covered="SELECT 1 AS level, * FROM covered1 UNION ALL SELECT 2, * FROM covered2"
    )
)


def plain_trace(engine: Engine, case: dict[str, int], depth: int) -> list[tuple]:
    """Visits and contacts with the plain SQL; returns the contacts."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(VISITS_SQL, case)
        cursor.fetchall()
        cursor.execute(F1_SQL if depth == 1 else F2_SQL, case)
        rows = cursor.fetchall()
        connection.rollback()
        return list(rows)
    finally:
        connection.close()


def ours_trace(engine: Engine, case: dict[str, Any], rules: TraceRules, depth: int) -> TraceResult:
    with engine.connect() as connection:
        return trace(connection, case["case"], case["since_at"], case["until_at"], rules, depth)


# --- the database ---------------------------------------------------------------------------


def bench_database(base_url: str, checkins: int, reuse: bool) -> str:
    """URL of kbyt_bench_<N>: reused when asked and filled, else built afresh."""
    name = f"kbyt_bench_{checkins}"
    base = driver_url(base_url)
    url = base.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
    citus = is_citus_cluster(base_url)
    if reuse and exists:
        engine = make_engine(url)
        upgrade(engine)  # a city built before the newest migration gets it
        with engine.connect() as connection:
            count = connection.scalar(select(func.count()).select_from(checkin))
        engine.dispose()
        if count == checkins:  # a build that stopped half-way is built again
            print(f"Reusing {name} ({count:,} check-ins).", file=sys.stderr)
            return url
    if citus:
        url = create_citus_database(name, base_url)
    else:
        with admin.connect() as connection:
            drop_postgres(connection, name)
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = make_engine(url)
    init_db(engine, citus=citus)
    print(f"Building the demo city in {name} …", file=sys.stderr)
    summary = build_demo_city(
        engine,
        checkins=checkins,
        days=DEMO_DAYS,
        seed=2021,
        end=DEMO_END,
        progress=progress_bar(name),
    )
    print(
        f"Built {name}: {summary.checkins:,} check-ins, {summary.people:,} people in "
        f"{summary.seconds:,.0f} s ({summary.rows_per_second:,.0f} check-ins/s).",
        file=sys.stderr,
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # Index-only scans need a current visibility map, as a settled production table has.
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url


def pick_cases(engine: Engine, rules: TraceRules) -> dict[str, dict[str, Any]]:
    now = DEMO_END.astimezone(UTC)
    with engine.connect() as connection:
        counts = []
        for row in connection.execute(select(case_record).order_by(case_record.c.id)):
            since, until = case_window(row, rules, now)
            f1 = len(trace(connection, row.person_id, since, until, rules).contacts)
            counts.append((f1, row.id, row.person_id, since, until))
        counts.sort()
        _, case_id, typical, since, until = counts[len(counts) // 2]
        market = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == BUSIEST_MARKET))
        busiest = connection.execute(
            select(checkin.c.person_id, func.count())
            .where(checkin.c.venue_id == market)
            .group_by(checkin.c.person_id)
            .order_by(func.count().desc(), checkin.c.person_id)
            .limit(1)
        ).one()
        first, last = connection.execute(
            select(func.min(checkin.c.checked_in_at), func.max(checkin.c.checked_in_at))
        ).one()
    cases = {
        f"typical (case {case_id})": (typical, since, until, case_id),
        f"busiest market ({busiest[1]} visits at {BUSIEST_MARKET})": (
            busiest[0],
            first,
            last + timedelta(seconds=1),
            None,  # a regular of the market, not a registered case
        ),
    }
    return {
        label: {
            "case": person_id,
            "case_id": case_id,
            "since_at": since,
            "until_at": until,
            "since": int(since.timestamp()),
            "until": int(until.timestamp()),
            "buf": rules.buffer_minutes * 60,
            "m": rules.min_overlap_minutes * 60,
            "cap": rules.max_presence_hours * 3600,
        }
        for label, (person_id, since, until, case_id) in cases.items()
    }


# --- timing ---------------------------------------------------------------------------------


def timed_pair(
    ours: Callable[[], Any], plain: Callable[[], Any], warmup: int, repeats: int
) -> tuple[tuple[float, float, Any], tuple[float, float, Any]]:
    """Median and p95 (nearest rank) in ms, and the last answer, for each of two runs taken in
    turns, so that both see the same conditions on a shared machine."""
    answers: list[Any] = [None, None]
    samples: list[list[float]] = [[], []]
    for round_number in range(warmup + repeats):
        for i, run in enumerate((ours, plain)):
            started = time.perf_counter()
            answers[i] = run()
            if round_number >= warmup:
                samples[i].append((time.perf_counter() - started) * 1000)

    def summary(i: int) -> tuple[float, float, Any]:
        ordered = sorted(samples[i])
        p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
        return statistics.median(ordered), p95, answers[i]

    return summary(0), summary(1)


def same_answer(ours: TraceResult, plain: list[tuple]) -> bool:
    mine = {
        (c.person_id, c.level, int(c.first_exposure.timestamp()), c.overlap_minutes, c.venues)
        for c in ours.contacts
    }
    theirs = {
        (pid, level, int(first), int(minutes), tuple(venues))
        for pid, _, _, level, first, minutes, venues in plain
    }
    return mine == theirs


def explain_trace(engine: Engine, case: dict[str, Any], rules: TraceRules) -> list[str]:
    """EXPLAIN ANALYZE of the statements an F1+F2 trace ran against the check-ins (captured as
    they were executed): the F1 venue probe, the F1s' onward visits, the first F2 probe."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        if "read_from" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        ours_trace(engine, case, rules, 2)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    probes = [c for c in captured if "onward" not in c[0]]
    onward = [c for c in captured if "onward" in c[0]]
    chosen = [
        ("F1 venue probe", probes[:1]),
        ("F1s' onward visits (first batch)", onward[:1]),
        ("F2 venue probe (first batch)", probes[1:2]),
    ]
    lines: list[str] = []
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for title, statements in chosen:
            for statement, parameters in statements:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
                lines += [f"{title}:"] + ["    " + row[0] for row in cursor.fetchall()]
        connection.rollback()
    finally:
        connection.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--reuse", action="store_true", help="reuse kbyt_bench_<N>")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    if make_url(args.database_url).get_backend_name() != "postgresql":
        print("bench/trace.py runs on PostgreSQL", file=sys.stderr)
        return 2
    if args.repeats < 5:
        print("--repeats must be at least 5", file=sys.stderr)
        return 2

    rules = TraceRules()
    url = bench_database(args.database_url, args.checkins, args.reuse)
    engine = make_engine(url)
    cases = pick_cases(engine, rules)
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(checkin)) or 0
    print(
        f"PostgreSQL, {total:,} check-ins, {os.cpu_count()} cores; median / p95 of "
        f"{args.repeats} runs (ours and plain in turns) after {args.warmup} warm-up; "
        "ratio = ours / plain (median)\n"
    )
    print(
        "| case | depth | visits | F1 | F2 | ours ms (median / p95) "
        "| plain SQL ms (median / p95) | ratio | same answer |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, case in cases.items():
        for depth in (1, 2):
            (ours_median, ours_p95, result), (plain_median, plain_p95, plain) = timed_pair(
                partial(ours_trace, engine, case, rules, depth),
                partial(plain_trace, engine, case, depth),
                args.warmup,
                args.repeats,
            )
            print(
                f"| {label} | F{depth} | {len(result.visits)} | {len(result.level(1)):,} | "
                f"{len(result.level(2)):,} | {ours_median:,.1f} / {ours_p95:,.1f} | "
                f"{plain_median:,.1f} / {plain_p95:,.1f} | {ours_median / plain_median:.2f} | "
                f"{'yes' if same_answer(result, plain) else 'NO'} |"
            )
    for label, case in cases.items():
        print(f"\nEXPLAIN, {label}:")
        for line in explain_trace(engine, case, rules):
            print("    " + line)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
