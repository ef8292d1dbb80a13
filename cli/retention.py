"""purge."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from cli._common import iso_instant
from config.settings import Settings
from db.engine import make_engine
from queries.audit import about, record
from queries.retention import purge


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    now = args.now or datetime.now(UTC)
    days = args.days or settings.retention_days
    with engine.connect() as connection:
        transaction = connection.begin()
        report = purge(connection, now, days)
        if args.dry_run:
            transaction.rollback()
        else:
            detail = (
                f"people={report.people} alerts={report.alerts} "
                f"advance={report.advance_declarations}"
            )
            subject = about("purge", cutoff=report.cutoff.isoformat())
            record(
                connection, "manage.py", "purge", subject, row_count=report.checkins, detail=detail
            )
            transaction.commit()
    verb = "Would delete" if args.dry_run else "Deleted"
    print(
        f"{verb} {report.checkins:,} check-ins before {report.cutoff:%Y-%m-%d %H:%M} UTC "
        f"({days} days), {report.people:,} people no longer referred to, {report.alerts:,} alerts, "
        f"{report.advance_declarations:,} advance declarations. Hourly rollups are kept."
    )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser("purge", help="delete check-ins past the retention period")
    command.add_argument("--days", type=int, help="retention in days (default: the setting)")
    command.add_argument("--now", type=iso_instant, help="the present, ISO 8601 (for tests)")
    command.add_argument("--dry-run", action="store_true", help="count only; change nothing")
    command.set_defaults(run=cmd_purge)
