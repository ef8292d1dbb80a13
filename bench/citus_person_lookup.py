"""A person's check-ins on Citus: fanned out to every shard of `checkin` (sharded by venue), or
read from a copy sharded by person. Issue 17, item 3; the figures go into docs/scaling.md §5.

The trace reads check-ins by person twice: the case's own visits (one person) and the F1s'
onward visits (a batch of up to 5,000 people). With check-ins sharded by venue both go to
every shard, each probing its part of ix_checkin_person_time. The alternative is a second,
narrow copy of each check-in (person_id, checked_in_at, checked_out_at, venue_id) sharded by
person: the case's visits become a router query to one shard, the F1s' batch still reaches
every shard but each finds only its own people. This script builds that copy once in the bench
database (`checkin_by_person`, dropped at the end unless --keep) and times both reads, the
same statements as queries/trace.py, on the same cases: the fan-out twice, as Citus plans it
and as the trace now reads it (every shard joining by index, db.citus.joins_by_index: the
shards' plan, not the sharding, made most of the difference measured first).

    python bench/citus_person_lookup.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5441/kbyt_bench_1000000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, text  # noqa: E402

from bench.trace import pick_cases  # noqa: E402
from db.arrays import pg_array  # noqa: E402
from db.citus import joins_by_index  # noqa: E402
from db.engine import make_engine  # noqa: E402
from queries.trace import TraceRules, trace  # noqa: E402

COPY_TABLE = "checkin_by_person"
RUNS = 7

VISITS_BY_VENUE_SHARDS = """
SELECT c.id, c.checked_in_at, c.checked_out_at, v.id, v.venue_ref, v.dwell_minutes
FROM checkin c JOIN venue v ON v.id = c.venue_id
WHERE c.person_id = %(person)s AND c.checked_in_at >= %(since)s AND c.checked_in_at < %(until)s
ORDER BY c.checked_in_at, c.id
"""
VISITS_BY_PERSON_SHARDS = """
SELECT c.checkin_id, c.checked_in_at, c.checked_out_at, v.id, v.venue_ref, v.dwell_minutes
FROM checkin_by_person c JOIN venue v ON v.id = c.venue_id
WHERE c.person_id = %(person)s AND c.checked_in_at >= %(since)s AND c.checked_in_at < %(until)s
ORDER BY c.checked_in_at, c.checkin_id
"""
ONWARD = """
SELECT c.person_id, c.venue_id, v.dwell_minutes, c.checked_in_at, c.checked_out_at
FROM unnest(%(people)s::bigint[], %(read_from)s::bigint[]) AS o (person_id, read_from)
JOIN {table} c ON c.person_id = o.person_id AND c.checked_in_at >= o.read_from
  AND c.checked_in_at < %(until)s
JOIN venue v ON v.id = c.venue_id
"""


def build_copy(engine: Engine) -> float:
    """checkin_by_person from checkin, sharded by person, with its index; seconds taken."""
    clock = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {COPY_TABLE}"))
        connection.execute(
            text(
                f"CREATE TABLE {COPY_TABLE} (checkin_id bigint NOT NULL, person_id bigint NOT "
                "NULL, checked_in_at bigint NOT NULL, checked_out_at bigint, venue_id bigint "
                "NOT NULL)"
            )
        )
        connection.execute(text(f"SELECT create_distributed_table('{COPY_TABLE}', 'person_id')"))
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL citus.multi_shard_modify_mode TO 'parallel'"))
        connection.execute(
            text(
                f"INSERT INTO {COPY_TABLE} SELECT id, person_id, checked_in_at, checked_out_at, "
                "venue_id FROM checkin"
            )
        )
        connection.execute(
            text(
                f"CREATE INDEX ON {COPY_TABLE} (person_id, checked_in_at) "
                "INCLUDE (checked_out_at, venue_id)"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM ANALYZE {COPY_TABLE}"))
    return time.perf_counter() - clock


def timed(engine: Engine, sql: str, params: dict, by_index: bool = False) -> tuple[float, int]:
    """Median milliseconds of RUNS runs (after one warm-up) and the rows returned; every shard
    joins by index when by_index (db.citus.joins_by_index, as the trace reads)."""
    times = []
    rows = 0
    with engine.connect() as connection:
        for run in range(RUNS + 1):
            with connection.begin(), joins_by_index(connection) if by_index else nullcontext():
                clock = time.perf_counter()
                rows = len(connection.exec_driver_sql(sql, params).all())
                if run:
                    times.append((time.perf_counter() - clock) * 1000)
    return statistics.median(times), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--keep", action="store_true", help=f"keep {COPY_TABLE} afterwards")
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    rules = TraceRules()
    cases = pick_cases(engine, rules)
    print(f"building {COPY_TABLE} …", file=sys.stderr)
    seconds = build_copy(engine)
    print(f"{COPY_TABLE} built in {seconds:.1f} s\n")
    print(
        "| read | sharded by venue (checkin), as planned ms | sharded by venue, joined by index "
        "(the trace's) ms | sharded by person (copy) ms | rows |"
    )
    print("|---|---|---|---|---|")
    for label, case in cases.items():
        params = {"person": case["case"], "since": case["since"], "until": case["until"]}
        planned_ms, rows = timed(engine, VISITS_BY_VENUE_SHARDS, params)
        venue_ms, same_rows = timed(engine, VISITS_BY_VENUE_SHARDS, params, by_index=True)
        person_ms, copy_rows = timed(engine, VISITS_BY_PERSON_SHARDS, params)
        assert rows == same_rows == copy_rows, (rows, same_rows, copy_rows)
        print(
            f"| {label}: the case's visits | {planned_ms:.1f} | {venue_ms:.1f} "
            f"| {person_ms:.1f} | {rows:,} |"
        )
        with engine.connect() as connection:
            f1 = trace(connection, case["case"], case["since_at"], case["until_at"], rules)
        people = [c.person_id for c in f1.contacts][:5000]
        onward = {
            "people": pg_array(people),
            "read_from": pg_array([case["since"]] * len(people)),
            "until": case["until"],
        }
        fanned_out = ONWARD.format(table="checkin")
        planned_ms, rows = timed(engine, fanned_out, onward)
        venue_ms, same_rows = timed(engine, fanned_out, onward, by_index=True)
        person_ms, copy_rows = timed(engine, ONWARD.format(table=COPY_TABLE), onward)
        assert rows == same_rows == copy_rows, (rows, same_rows, copy_rows)
        print(
            f"| {label}: {len(people):,} F1s' visits | {planned_ms:.1f} | {venue_ms:.1f} "
            f"| {person_ms:.1f} | {rows:,} |"
        )
    if not args.keep:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE {COPY_TABLE}"))
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
