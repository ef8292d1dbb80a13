"""Which rollup answers for a range of local days: a daily one (venue_day, ward_day: a row per
venue or ward and day) or an hourly one (venue_hour, ward_hour: a row per hour).

The daily rollups' days are Asia/Ho_Chi_Minh days (UTC+7, db.partitions.LOCAL_OFFSET_S). A
deployment configured with another zone still gets exact figures: it reads the hourly ones."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table

from db.partitions import LOCAL_OFFSET_S
from db.schema import venue_day, venue_hour, ward_day, ward_hour
from rules.local_time import local_range_bounds


def serves(first: date, last: date, zone: ZoneInfo) -> bool:
    """Whether the local days first..last of zone are the daily rollups' days."""
    start, end = local_range_bounds(first, last, zone)
    return all(
        (int(instant.timestamp()) + LOCAL_OFFSET_S) % 86_400 == 0 for instant in (start, end)
    )


def venue_rollup(first: date, last: date, zone: ZoneInfo) -> tuple[Table, ColumnElement]:
    """The venue rollup for the local days first..last of zone, and its time column."""
    if serves(first, last, zone):
        return venue_day, venue_day.c.day_start
    return venue_hour, venue_hour.c.hour_start


def ward_rollup(first: date, last: date, zone: ZoneInfo) -> tuple[Table, ColumnElement]:
    """The ward rollup for the local days first..last of zone, and its time column."""
    if serves(first, last, zone):
        return ward_day, ward_day.c.day_start
    return ward_hour, ward_hour.c.hour_start
