"""What the load on the declaration form reads from and writes to its city: an administrator,
the venues' QR tokens, the declarations stored and the city's size."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import func, select

from db.engine import make_engine
from db.schema import checkin, venue, venue_day

SOURCE = "kbyt"  # the source of a check-in declared on the public form
BENCH_USER, BENCH_PASSWORD = "bench.admin", "bench password, long enough"


def ensure_account(url: str) -> None:
    """An administrator, so that `/sign_in` shows the sign-in page as it does in service (an
    empty database shows the first administrator's setup page instead)."""
    from queries.users import create_user

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if not connection.exec_driver_sql("SELECT count(*) FROM app_user").scalar():
                create_user(connection, BENCH_USER, BENCH_PASSWORD, "admin")
    finally:
        engine.dispose()


def venue_tokens(url: str, weighted: bool) -> list[str]:
    """The active venues' tokens; weighted, each as often as the venue's share of the demo
    city's check-ins (a busy market's QR is scanned far more often than a small shop's),
    otherwise each once (every form a venue not seen for a while)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not weighted:
                return list(connection.scalars(select(venue.c.token).where(venue.c.active)))
            checkins = func.coalesce(func.sum(venue_day.c.checkins), 0)
            rows = connection.execute(
                select(venue.c.token, checkins)
                .select_from(venue.outerjoin(venue_day, venue_day.c.venue_id == venue.c.id))
                .where(venue.c.active)
                .group_by(venue.c.token)
            ).all()
    finally:
        engine.dispose()
    return [token for token, count in rows for _ in range(max(int(count), 1))]


def stored_declarations(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count()).select_from(checkin).where(checkin.c.source == SOURCE)
                )
                or 0
            )
    finally:
        engine.dispose()


def database_facts(url: str, engine_name: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if engine_name == "postgresql":
                version = "PostgreSQL " + str(
                    connection.exec_driver_sql("SHOW server_version").scalar()
                )
            else:
                version = f"SQLite {sqlite3.sqlite_version}"
            checkins = int(connection.scalar(select(func.count()).select_from(checkin)) or 0)
    finally:
        engine.dispose()
    return {"engine": version, "checkins_before": checkins}
