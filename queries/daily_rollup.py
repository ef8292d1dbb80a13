"""Which venue rollup answers for a range of local days: the daily one (venue_day, a row per
venue and day) or the hourly one (venue_hour, a row per venue and hour).

venue_day's days are Asia/Ho_Chi_Minh days (UTC+7, db.partitions.LOCAL_OFFSET_S). A deployment
configured with another zone still gets exact figures: its queries read the hourly rollup."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table

from db.partitions import LOCAL_OFFSET_S
from db.schema import venue_day, venue_hour
from rules.local_time import local_range_bounds


def serves(first: date, last: date, zone: ZoneInfo) -> bool:
    """Whether the local days first..last of zone are days of venue_day."""
    start, end = local_range_bounds(first, last, zone)
    return all(
        (int(instant.timestamp()) + LOCAL_OFFSET_S) % 86_400 == 0 for instant in (start, end)
    )


def venue_rollup(first: date, last: date, zone: ZoneInfo) -> tuple[Table, ColumnElement]:
    """The venue rollup for the local days first..last of zone, and its time column."""
    if serves(first, last, zone):
        return venue_day, venue_day.c.day_start
    return venue_hour, venue_hour.c.hour_start
