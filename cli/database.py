"""init-db and check."""

from __future__ import annotations

import argparse
import sys

from config.settings import Settings
from db.engine import make_engine
from queries.integrity import orphan_checkins, rollup_mismatches, table_counts
from queries.setup import init_db


def cmd_init_db(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    init_db(engine)
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
    init.set_defaults(run=cmd_init_db)
    check = commands.add_parser("check", help="row counts, and rollups against raw check-ins")
    check.set_defaults(run=cmd_check)
