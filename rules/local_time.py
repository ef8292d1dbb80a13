"""Local days and UTC instants. Times are stored in UTC and shown in the configured zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# The city's zone: the default of the timezone setting, and the zone of the check-in partitions'
# days. Code that has the settings passes settings.zone instead.
CITY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Its offset from UTC, fixed: Vietnam has kept UTC+7 without daylight saving since 1975. The
# partitions and the daily rollups of the database are cut at this local midnight.
LOCAL_OFFSET_S = 7 * 3600
DAY_S = 86_400


def local_day_number(epochs: Any, offset_s: int = LOCAL_OFFSET_S) -> Any:
    """Days since 1970-01-01 of the local day of instants (epoch seconds) offset_s from UTC
    (the city's by default): an int, a numpy array or an integer SQL expression alike."""
    return (epochs + offset_s) // DAY_S


def seconds_into_day(epochs: Any, offset_s: int = LOCAL_OFFSET_S) -> Any:
    """Seconds since the local midnight of instants (epoch seconds) offset_s from UTC, typed
    as local_day_number."""
    return (epochs + offset_s) % DAY_S


def day_number_start(numbers: Any) -> Any:
    """The city's local midnight (epoch seconds) opening local day numbers (local_day_number),
    typed as local_day_number."""
    return numbers * DAY_S - LOCAL_OFFSET_S


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
