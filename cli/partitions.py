"""partitions: the daily partitions of the check-in table (PostgreSQL)."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta

from config.settings import Settings
from db.engine import make_engine
from db.partitions import PartitionError, ensure_days, is_partitioned, list_partitions, local_day


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        if not is_partitioned(connection):
            print("Check-ins are one table here (SQLite, or a schema before 0005).")
            return 0
        partitions = list_partitions(connection)
        sizes: dict[str, str] = dict(
            connection.exec_driver_sql(
                "SELECT c.relname, (greatest(c.reltuples, 0)::bigint, "
                "pg_total_relation_size(c.oid))::text FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'checkin'::regclass"
            ).all()
        )
    print(f"{'partition':20} {'local day':10} {'rows (est.)':>12} {'size MB':>9}")
    for partition in partitions:
        rows, size = sizes.get(partition.name, "(0,0)").strip("()").split(",")
        print(
            f"{partition.name:20} {partition.day.isoformat():10} {int(rows):>12,} "
            f"{int(size) / 1e6:>9,.1f}"
        )
    print(f"{len(partitions)} daily partitions.")
    return 0


def cmd_ensure(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    today = local_day(int(datetime.now(UTC).timestamp()))
    first = args.first or today
    last = args.last or today + timedelta(days=args.ahead)
    if last < first:
        print(f"partitions ensure: --to {last} is before --from {first}")
        return 2
    with engine.begin() as connection:
        if not is_partitioned(connection):
            print("Check-ins are one table here (SQLite, or a schema before 0005): nothing to do.")
            return 0
        try:
            created = ensure_days(connection, first, last)
        except PartitionError as error:
            print(f"partitions ensure: {error}")
            return 2
    print(
        f"Partitions for {first} … {last}: {len(created)} created, "
        f"{(last - first).days + 1 - len(created)} already there."
    )
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser(
        "partitions", help="daily partitions of check-ins (PostgreSQL): list, create ahead"
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="partitions with their day, rows and size")
    listing.set_defaults(run=cmd_list)
    ensure = actions.add_parser(
        "ensure",
        help="create the partitions of coming days (the write path also makes them on demand)",
    )
    ensure.add_argument(
        "--ahead", type=int, default=7, help="days after today (local) to create (default 7)"
    )
    ensure.add_argument("--from", dest="first", type=_day, help="first local day (YYYY-MM-DD)")
    ensure.add_argument("--to", dest="last", type=_day, help="last local day (YYYY-MM-DD)")
    ensure.set_defaults(run=cmd_ensure)
