"""Which rollup answers for a range of local days: a daily one (venue_day, ward_day: a row per
venue or ward and day; venue_activity: a bit per venue and day) or an hourly one (venue_hour,
ward_hour: a row per hour).

The daily rollups' days are Asia/Ho_Chi_Minh days (UTC+7, db.partitions.day_start). A
deployment configured with another zone still gets exact figures: it reads the hourly ones."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, Table, and_, false, or_, select

from db.partitions import day_start
from db.schema import (
    ACTIVITY_BLOCK_DAYS,
    venue_activity,
    venue_day,
    venue_hour,
    ward_day,
    ward_hour,
)
from rules.local_time import epoch_seconds, local_range_bounds


def serves(first: date, last: date, zone: ZoneInfo) -> bool:
    """Whether the local days first..last of zone are the daily rollups' days."""
    start, end = local_range_bounds(first, last, zone)
    return all(day_start(seconds) == seconds for seconds in map(epoch_seconds, (start, end)))


def venue_rollup(first: date, last: date, zone: ZoneInfo) -> tuple[Table, ColumnElement[datetime]]:
    """The venue rollup for the local days first..last of zone, and its time column."""
    if serves(first, last, zone):
        return venue_day, venue_day.c.day_start
    return venue_hour, venue_hour.c.hour_start


def ward_rollup(first: date, last: date, zone: ZoneInfo) -> tuple[Table, ColumnElement[datetime]]:
    """The ward rollup for the local days first..last of zone, and its time column."""
    if serves(first, last, zone):
        return ward_day, ward_day.c.day_start
    return ward_hour, ward_hour.c.hour_start


def _days_of_block(block: int, first: int, last: int) -> int:
    """venue_activity's mask of the local days first..last (day numbers) within block."""
    origin = block * ACTIVITY_BLOCK_DAYS
    low = max(first, origin) - origin
    high = min(last, origin + ACTIVITY_BLOCK_DAYS - 1) - origin
    return ((1 << (high - low + 1)) - 1) << low


def active_venues(first: date, last: date, zone: ZoneInfo) -> Select[int]:
    """The venue_id of every venue with a check-in on a local day first..last of zone, each
    once: from venue_activity (a row per venue and 63-day block) for the daily rollups' days,
    else from the hourly rollup."""
    if not serves(first, last, zone):
        start, end = local_range_bounds(first, last, zone)
        return (
            select(venue_hour.c.venue_id)
            .where(venue_hour.c.hour_start >= start, venue_hour.c.hour_start < end)
            .distinct()
        )
    # serves() means zone's days are the rollup's, so a date's ordinal is its local day number.
    origin = date(1970, 1, 1)
    lo, hi = (first - origin).days, (last - origin).days
    if hi < lo:  # an empty range has no mask (a negative shift would raise)
        return select(venue_activity.c.venue_id).where(false())
    blocks = (lo // ACTIVITY_BLOCK_DAYS, hi // ACTIVITY_BLOCK_DAYS)
    block, days = venue_activity.c.block, venue_activity.c.days
    # Only the end blocks are partly in the range; every stored row has a day set, so the
    # blocks between them count whole.
    wanted = [
        and_(block == b, days.bitwise_and(_days_of_block(b, lo, hi)) != 0)
        for b in sorted(set(blocks))
    ]
    if blocks[1] - blocks[0] > 1:
        wanted.append(and_(block > blocks[0], block < blocks[1]))
    query = select(venue_activity.c.venue_id).where(or_(*wanted))
    # Within one block a venue has one row; across blocks it may have several.
    return query if blocks[0] == blocks[1] else query.distinct()
