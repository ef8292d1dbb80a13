"""init-db and check."""

from __future__ import annotations

import argparse
import sys

from config.settings import Settings
from db.citus import NotCitus
from db.engine import make_engine
from queries.integrity import orphan_checkins, rollup_mismatches, table_counts
from queries.setup import init_db


def cmd_init_db(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    if args.shard_count is not None and (not args.citus or args.shard_count < 1):
        print("--shard-count goes with --citus and is at least 1.", file=sys.stderr)
        return 2
    if args.citus and engine.dialect.name != "postgresql":
        print("init-db --citus needs a PostgreSQL URL of a Citus coordinator.", file=sys.stderr)
        return 2
    try:
        made = init_db(engine, citus=args.citus, shard_count=args.shard_count)
    except NotCitus as error:
        print(f"init-db --citus: {error}.", file=sys.stderr)
        return 2
    for line in made:
        print(f"Citus: {line}")
    with engine.connect() as connection:
        counts = table_counts(connection)
    print(
        f"Database ready ({engine.url.render_as_string(hide_password=True)}): "
        f"{counts['district']} districts, {counts['ward']} wards."
    )
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        counts = table_counts(connection)
        mismatches = rollup_mismatches(connection)
        orphans = orphan_checkins(connection)
    for table, count in counts.items():
        print(f"{table:16} {count:>12,}")
    if orphans:
        print(f"{orphans:,} check-ins point at a missing person or venue.", file=sys.stderr)
        return 1
    if mismatches:
        print(f"Rollups differ from raw check-ins in {len(mismatches)} hours:", file=sys.stderr)
        for row in mismatches[:20]:
            print(f"  {row}", file=sys.stderr)
        return 1
    print("Rollups match the raw check-ins.")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("init-db", help="create or migrate the schema; load geography")
    init.add_argument(
        "--citus",
        action="store_true",
        help="on a Citus coordinator: distribute check-ins and venue rollups by venue, "
        "make geography, venues and people reference tables (docs/scaling.md)",
    )
    init.add_argument(
        "--shard-count",
        type=int,
        help="with --citus: shards of the venue tables (default: two per worker)",
    )
    init.set_defaults(run=cmd_init_db)
    check = commands.add_parser("check", help="row counts, and rollups against raw check-ins")
    check.set_defaults(run=cmd_check)
