"""seed-demo."""

from __future__ import annotations

import argparse
import sys

from cli._common import iso_instant, positive_int
from config.settings import Settings
from db.engine import make_engine
from ingest.demo_city import DemoCityError, build_demo_city
from ingest.progress import progress_bar
from queries.setup import init_db


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
            progress=progress_bar("demo city"),
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


def register(commands: argparse._SubParsersAction) -> None:
    seed = commands.add_parser("seed-demo", help="fill an empty database with the demo city")
    seed.add_argument("--checkins", type=positive_int, default=200_000, help="default 200,000")
    seed.add_argument("--days", type=positive_int, default=14, help="local days, ending now")
    seed.add_argument("--seed", type=int, default=2021, help="random seed (default 2021)")
    seed.add_argument(
        "--end", type=iso_instant, default=None, help="last instant, ISO 8601 (default: now)"
    )
    seed.set_defaults(run=cmd_seed_demo)
