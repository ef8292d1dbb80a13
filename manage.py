"""KBYT command line: `python manage.py COMMAND --help`.

The database is the one in the settings (KBYT_DATABASE_URL or DATABASE_URL; default: the
embedded SQLite file under data/).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime

from config.settings import ConfigError, Settings, get_settings
from db.engine import make_engine
from db.init import init_db
from ingest.demo_city import DemoCityError, build_demo_city
from queries.integrity import orphan_checkins, rollup_mismatches, table_counts

Command = Callable[[argparse.Namespace, Settings], int]


def _progress_bar(label: str) -> Callable[[float, str], None]:
    interactive = sys.stderr.isatty()
    last = {"shown": -1}

    def show(fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if not interactive and percent // 10 == last["shown"] // 10 and fraction < 1:
            return  # in logs, one line per 10 %
        last["shown"] = percent
        filled = int(fraction * 30)
        bar = "#" * filled + "-" * (30 - filled)
        end = "\n" if fraction >= 1 or not interactive else ""
        print(f"\r{label} [{bar}] {percent:3d}% {message:<40}", end=end, file=sys.stderr)

    return show


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


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    init_db(engine)
    try:
        summary = build_demo_city(
            engine,
            checkins=args.checkins,
            days=args.days,
            seed=args.seed,
            end=args.end,
            dwell_minutes=settings.dwell_minutes,
            progress=_progress_bar("demo city"),
        )
    except DemoCityError as error:
        print(f"seed-demo: {error}", file=sys.stderr)
        return 2
    print(
        f"Demo city: {summary.venues:,} venues ({summary.registered_units:,} registered units), "
        f"{summary.people:,} people, {summary.checkins:,} check-ins, {summary.cases} cases "
        f"in {summary.seconds:.1f} s ({summary.rows_per_second:,.0f} check-ins/s)."
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


def _iso_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone offset, e.g. {text}+07:00")
    return value


def _positive(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser("init-db", help="create or migrate the schema; load geography")
    init.set_defaults(run=cmd_init_db)

    seed = commands.add_parser("seed-demo", help="fill an empty database with the demo city")
    seed.add_argument("--checkins", type=_positive, default=200_000, help="default 200,000")
    seed.add_argument("--days", type=_positive, default=14, help="local days, ending now")
    seed.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
    seed.add_argument(
        "--end", type=_iso_instant, default=None, help="last instant, ISO 8601 (default: now)"
    )
    seed.set_defaults(run=cmd_seed_demo)

    check = commands.add_parser("check", help="row counts, and rollups against raw check-ins")
    check.set_defaults(run=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    run: Command = args.run
    return run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
