"""The retention purge forgetting people nobody refers to, with and without the indexes on the
person references of advance declarations and alerts (migration 0011), on PostgreSQL.

    python bench/purge_people.py [--people 50000] [--referenced 40000] [--database-url URL]

A fresh database: N people, of whom the first `referenced` are referred to by an advance
declaration (half) or an alert (half), the rest by nothing. The purge (queries.retention.purge,
one transaction) forgets the unreferenced ones: each deleted person's foreign keys are checked
against those tables. Timed with the indexes, then again on a fresh database without them.
Against plain SQL: the same DELETE … WHERE NOT EXISTS written by hand, on the indexed database.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.engine import make_engine  # noqa: E402
from queries.retention import purge  # noqa: E402
from queries.setup import init_db  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg2://kbyt:kbyt@127.0.0.1:5432/kbyt"
NAME = "kbyt_bench_purge_people"
INDEXES = ("ix_advance_declaration_person", "ix_advance_declaration_declared_by",
           "ix_alert_person_id")  # fmt: skip
NOW = datetime(2026, 12, 2, tzinfo=UTC)
PLAIN_SQL = """
DELETE FROM person p
WHERE NOT EXISTS (SELECT 1 FROM advance_declaration a WHERE a.person_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM advance_declaration a WHERE a.declared_by_person_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.person_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM checkin c WHERE c.person_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM checkin c WHERE c.declared_by_person_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM case_record c WHERE c.person_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM traced_contact t WHERE t.person_id = p.id)
"""


def city(base_url: str, people: int, referenced: int, with_indexes: bool) -> str:
    url = make_url(base_url).set(database=NAME).render_as_string(hide_password=False)
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {NAME}")
        connection.exec_driver_sql(f"CREATE DATABASE {NAME}")
    admin.dispose()
    engine = make_engine(url)
    init_db(engine)
    epoch = int(NOW.timestamp())
    half = referenced // 2
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO person (phone, full_name) SELECT '+8490' || lpad(g::text, 7, '0'), "
            f"'P' || g FROM generate_series(1, {people}) g"
        )
        connection.exec_driver_sql(
            "INSERT INTO venue (token, venue_ref, name, search_name, sector, kind, address, "
            "ward_code, lat, lon, dwell_minutes, registered_on, active) SELECT 'bench', 'V1', "
            "'V', 'v', 'public', 'market', '', (SELECT min(code) FROM ward), 10.7, 106.6, 60, "
            "'2021-01-01', true"
        )
        connection.exec_driver_sql(
            "INSERT INTO advance_declaration (code, venue_id, person_id, created_at, expires_at) "
            f"SELECT 'C' || g, (SELECT id FROM venue), g, {epoch}, {epoch + 86400} "
            f"FROM generate_series(1, {half}) g"
        )
        connection.exec_driver_sql(
            "INSERT INTO alert (checkin_id, person_id, venue_id, raised_at, reason) "
            f"SELECT g, {half} + g, (SELECT id FROM venue), {epoch}, 'open_case' "
            f"FROM generate_series(1, {referenced - half}) g"
        )
        if not with_indexes:
            for index in INDEXES:
                connection.exec_driver_sql(f"DROP INDEX {index}")
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return url


def timed_purge(url: str) -> tuple[int, float]:
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        report = purge(connection, NOW, 28)
    seconds = time.perf_counter() - started
    engine.dispose()
    return report.people, seconds


def timed_plain(url: str) -> tuple[int, float]:
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        deleted = connection.exec_driver_sql(PLAIN_SQL).rowcount
    seconds = time.perf_counter() - started
    engine.dispose()
    return deleted, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--referenced", type=int, default=40_000)
    parser.add_argument("--database-url", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    forgotten, indexed = timed_purge(city(args.database_url, args.people, args.referenced, True))
    plain_deleted, plain = timed_plain(city(args.database_url, args.people, args.referenced, True))
    _, unindexed = timed_purge(city(args.database_url, args.people, args.referenced, False))
    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {NAME}")
    print(f"{args.people:,} people, {args.referenced:,} referred to by an advance declaration "
          f"or an alert; {forgotten:,} forgotten (plain SQL: {plain_deleted:,})")  # fmt: skip
    print("| purge | seconds | ratio to plain SQL |\n|---|---|---|")
    print(f"| with the person indexes (0011) | {indexed:.2f} | {indexed / plain:.1f} |")
    print(f"| without them | {unindexed:.2f} | {unindexed / plain:.1f} |")
    print(f"| plain SQL DELETE … NOT EXISTS (indexed) | {plain:.2f} | 1.0 |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
