"""The bulk import measure of bench/run.py: a generated CSV imported through the product's
importer on the day after the city's window, against COPY of the same rows; both removed after."""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from bench.import_checkins import generate, plain_rows
from bench.plain_load import plain_load
from bench.trace import (
    DEMO_END,
)
from db.partitions import DAY_S, LOCAL_OFFSET_S, list_partitions
from db.schema import ACTIVITY_BLOCK_DAYS, person, venue
from ingest.imports import import_checkins
from rules.local_time import CITY_ZONE

IMPORT_SOURCE = "bench-import"
# The city-scale issue's goal (it replaced an earlier 100,000 rows/s, more than a bare COPY
# reaches on this machine): at least the 1M city's import speed of 26 November, and within
# three times a bare COPY of the same rows.
IMPORT_GOAL_ROWS_PER_S = 29_000
IMPORT_GOAL_RATIO = 3.0


def import_goal(imported: dict[str, Any]) -> str:
    """The goal cell of the bulk import's row: each half with its mark."""
    fast = imported["rows_per_s"] >= IMPORT_GOAL_ROWS_PER_S
    close = imported["ratio"] <= IMPORT_GOAL_RATIO
    return (
        f"≥ {IMPORT_GOAL_ROWS_PER_S:,} rows/s {'✓' if fast else '✗'}; "
        f"ratio ≤ {IMPORT_GOAL_RATIO:g} {'✓' if close else '✗'}"
    )


def bulk_import(engine: Engine, rows: int) -> dict[str, Any]:
    """Import `rows` check-ins on the day after the city's window, then COPY the same rows;
    both are removed afterwards (their partitions dropped), leaving the city as it was."""
    day = (DEMO_END + timedelta(days=1)).date()  # wholly after the demo's last instant
    end = datetime.combine(day, datetime.min.time(), CITY_ZONE) + timedelta(hours=23, minutes=59)
    with engine.connect() as connection:
        refs = connection.scalars(select(venue.c.venue_ref).order_by(venue.c.id)).all()
        last_person = connection.scalar(select(func.max(person.c.id))) or 0
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "checkins.csv"
        generate(path, list(refs), rows, 0.99, end=end)
        try:
            report = import_checkins(engine, path, source=IMPORT_SOURCE)
            frame = plain_rows(engine, path)
            started = time.perf_counter()
            plain_load(engine, frame)
            plain_seconds = time.perf_counter() - started
        finally:
            _remove_import(engine, day, last_person)
    return {
        "rows": report.read,
        "imported": report.imported,
        "rows_per_s": round(report.read / report.seconds),
        "read_s": round(report.timings["read"], 2),
        "validate_s": round(report.timings["validate"], 2),
        "write_s": round(report.timings["write"], 2),
        "plain_sql_rows_per_s": round(len(frame) / plain_seconds),
        "ratio": round(report.seconds / plain_seconds, 2),
    }


def _remove_import(engine: Engine, day: date, last_person: int) -> None:
    start = int(datetime.combine(day, datetime.min.time(), CITY_ZONE).timestamp())
    with engine.begin() as connection:
        for partition in list_partitions(connection):
            if partition.lower >= start:
                connection.exec_driver_sql(f"DROP TABLE {partition.name}")
        connection.exec_driver_sql(
            "DELETE FROM checkin_key WHERE source = %(source)s", {"source": IMPORT_SOURCE}
        )
        for rollup, column in (
            ("venue_hour", "hour_start"),
            ("ward_hour", "hour_start"),
            ("venue_day", "day_start"),
            ("ward_day", "day_start"),
        ):
            connection.exec_driver_sql(
                f"DELETE FROM {rollup} WHERE {column} >= %(start)s",  # noqa: S608
                {"start": start},
            )
        # venue_activity's blocks from the import's day on are rebuilt from what venue_day
        # keeps: a bit cannot be subtracted the way a count can.
        block = (start + LOCAL_OFFSET_S) // DAY_S // ACTIVITY_BLOCK_DAYS
        local_day = f"(day_start + {LOCAL_OFFSET_S}) / {DAY_S}"
        connection.exec_driver_sql(
            "DELETE FROM venue_activity WHERE block >= %(block)s", {"block": block}
        )
        connection.exec_driver_sql(
            "INSERT INTO venue_activity (block, venue_id, days)"
            f" SELECT {local_day} / {ACTIVITY_BLOCK_DAYS}, venue_id,"  # noqa: S608
            f" bit_or(1::bigint << ({local_day} %% {ACTIVITY_BLOCK_DAYS})::int)"
            f" FROM venue_day WHERE {local_day} / {ACTIVITY_BLOCK_DAYS} >= %(block)s"
            " GROUP BY 1, 2",
            {"block": block},
        )
        connection.exec_driver_sql("DELETE FROM person WHERE id > %(id)s", {"id": last_person})
    # The deletes leave dead rows and index entries behind, which the next run's look-ups and
    # inserts would step over and clean (a probe of the people's index dirtied a page each):
    # vacuumed away, the city is as it was, and runs do not pay for each other's cleanup.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(
            "VACUUM person, checkin_key, venue_hour, ward_hour, venue_day, ward_day, venue_activity"
        )
