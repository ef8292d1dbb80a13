"""The personas' city: the demo city `make run` builds on its first start (init_db, then
ingest.demo_city.build_demo_city with the settings' demo size, and the demo accounts), plus one
account per persona; a SQLite file in the temporary directory unless a URL is given."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.scratch_database import prepare_database

PASSWORD = "bench persona password, long enough"
# persona: (username, role, district)
ACCOUNTS = {
    "command_centre": ("bench.command", "command_centre", None),
    "district_officer": ("bench.govap", "district_officer", "764"),
    "epidemiologist": ("bench.epi", "epidemiologist", None),
    "leadership": ("bench.leader", "leadership", None),
    "admin": ("bench.admin", "admin", None),
}


def prepare_city(url: str | None, checkins: int, reuse: bool) -> str:
    """The database URL of a demo city of `checkins` check-ins with the persona accounts."""
    from config.settings import DemoSettings
    from db.engine import make_engine
    from db.schema import venue
    from ingest.demo_accounts import create_demo_accounts
    from ingest.demo_city import build_demo_city
    from queries.setup import init_db
    from queries.users import create_user

    if url is None:
        folder = Path(tempfile.gettempdir()) / "kbyt-bench-personas"
        folder.mkdir(exist_ok=True)
        path = folder / f"city-{checkins}.db"
        if not reuse:
            for stale in folder.glob(f"city-{checkins}.db*"):
                stale.unlink()
        url = f"sqlite:///{path}"
    elif make_url(url).get_backend_name() == "postgresql":
        url = prepare_database(url, reuse).url  # a kbyt_bench… database, as the load benchmark
    engine = make_engine(url)
    try:
        init_db(engine)  # as ui/first_start.py on the embedded default; `manage.py init-db`
        with engine.connect() as connection:
            built = bool(connection.scalar(select(func.count()).select_from(venue)))
        if not built:
            demo = DemoSettings(checkins=checkins)
            print(f"building the demo city: {checkins:,} check-ins, {demo.days} days …",
                  file=sys.stderr)  # fmt: skip
            summary = build_demo_city(engine, checkins=demo.checkins, days=demo.days,
                                      seed=demo.seed)  # fmt: skip
            print(f"  {summary.venues:,} venues, {summary.checkins:,} check-ins in "
                  f"{summary.seconds:.0f} s", file=sys.stderr)  # fmt: skip
            with engine.begin() as connection:
                create_demo_accounts(connection)  # their passwords are not printed here
        with engine.begin() as connection:
            for username, role, district in ACCOUNTS.values():
                try:
                    create_user(connection, username, PASSWORD, role, district)
                except ValueError:
                    pass  # there from an earlier run (--reuse)
    finally:
        engine.dispose()
    return url


def city_facts(url: str) -> dict[str, int]:
    from db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
                for table in ("checkin", "person", "venue", "case_record")
            }
    finally:
        engine.dispose()
