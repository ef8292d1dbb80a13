"""Local days and UTC instants. Times are stored in UTC and shown in the configured zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as UTC instants."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_range_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start of first, end of last) local days as UTC instants."""
    return local_day_bounds(first, zone)[0], local_day_bounds(last, zone)[1]


def today_local(zone: ZoneInfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(zone).date()


def epoch_seconds(instant: datetime) -> int:
    """An aware instant as epoch seconds; a naive one is refused (its zone would be a guess)."""
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: give a time zone")
    return int(instant.timestamp())


def utc_instant(seconds: int) -> datetime:
    """Epoch seconds as an aware UTC instant."""
    return datetime.fromtimestamp(seconds, UTC)
