"""Exposure rules of DESIGN §5 on epoch seconds, as the trace uses them at run time. Pure: no
I/O, nothing imported from outside rules/. How presences are attributed to sources is
rules.exposure_arrays; rules.exposure_spec is the readable specification it is checked against.

Vocabulary (all intervals half-open, [start, end), in UTC epoch seconds):

- presence: when a person was at a venue: time in to time out, else time in + the venue's dwell;
  never longer than max_presence_hours.
- exposure interval: a source's presence widened by the buffer on each side; for an F1 as a
  source, also cut to start no earlier than the moment it first met the case.
- qualifying overlap: one presence against one exposure interval, at least min_overlap long
  (touching end to start is no overlap).
- covered time: the union of a contact's qualifying overlaps at a venue. A contact's overlap
  minutes are the covered time summed over venues, in whole minutes (rounded down), so a moment
  counts once even when two sources or two of the contact's own check-ins cover it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from rules.local_time import CITY_ZONE, local_day_bounds

MINUTE = 60
HOUR = 3600


class Interval(NamedTuple):
    start: int
    end: int

    @property
    def seconds(self) -> int:
        return max(0, self.end - self.start)


def presence_ends(
    checked_in_at: Any, checked_out_at: Any, dwell_minutes: Any, max_presence_hours: int
) -> Any:
    """The end of the presence each check-in stands for: the time out, else the time in plus the
    venue's dwell; never more than max_presence_hours after the time in. The one definition of
    presence, for one check-in (a time out of None when there is none) or for numpy arrays of
    them (NaN for no time out; epoch seconds are exact in a float64). The statements that read
    check-ins write it in SQL once, queries.trace.uncapped_presence_end."""
    time_in = np.asarray(checked_in_at, dtype=np.int64)
    out = np.asarray(np.nan if checked_out_at is None else checked_out_at, dtype=np.float64)
    missing = np.isnan(out)
    stay = time_in + np.asarray(dwell_minutes, dtype=np.int64) * MINUTE
    end = np.where(missing, stay, np.where(missing, 0, out)).astype(np.int64)
    return np.minimum(end, time_in + max_presence_hours * HOUR)


def presence(
    checked_in_at: int, checked_out_at: int | None, dwell_minutes: int, max_presence_hours: int
) -> Interval:
    """The time one check-in stands for (presence_ends)."""
    end = presence_ends(checked_in_at, checked_out_at, dwell_minutes, max_presence_hours)
    return Interval(checked_in_at, int(end))


# One instant or an array of them: the trace widens whole columns of visits at once.
Instants = TypeVar("Instants", int, npt.NDArray[np.int64])


def widen_bounds(start: Instants, end: Instants, buffer_minutes: int) -> tuple[Instants, Instants]:
    """[start, end) grown by the buffer on each side: a source's visit becomes its exposure
    interval (for one visit, or for arrays of them)."""
    return start - buffer_minutes * MINUTE, end + buffer_minutes * MINUTE


def widen(interval: Interval, buffer_minutes: int) -> Interval:
    """The interval grown by the buffer on each side (widen_bounds for one Interval)."""
    return Interval(*widen_bounds(interval.start, interval.end, buffer_minutes))


def overlap(a: Interval, b: Interval) -> Interval | None:
    """The common part of two intervals; None when they only touch or are apart."""
    start, end = max(a.start, b.start), min(a.end, b.end)
    return Interval(start, end) if end > start else None


def qualifying_overlap(
    presence_interval: Interval, exposure: Interval, min_overlap_minutes: int
) -> Interval | None:
    """The overlap when it is at least the minimum long, else None."""
    common = overlap(presence_interval, exposure)
    if common is None or common.seconds < min_overlap_minutes * MINUTE:
        return None
    return common


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union as sorted, disjoint intervals; touching intervals join."""
    merged: list[Interval] = []
    for current in sorted(intervals):
        if merged and current.start <= merged[-1].end:
            if current.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, current.end)
        else:
            merged.append(current)
    return merged


def union_seconds(intervals: Iterable[Interval]) -> int:
    """Length of the union: each moment counted once."""
    return sum(part.seconds for part in merge(intervals))


def lookback_window(
    onset_date: date | None,
    test_date: date | None,
    isolated_at: datetime | None,
    now: datetime,
    lookback_days: int,
    zone: ZoneInfo = CITY_ZONE,
) -> tuple[datetime, datetime]:
    """[since, until) of a case's visits that count, as aware UTC datetimes.

    since: local midnight, lookback_days before the earlier of onset and test date; until: when
    the case was isolated, else now.
    """
    dates = [day for day in (onset_date, test_date) if day is not None]
    if not dates:
        raise ValueError("a case needs an onset date or a test date")
    first_day = min(dates) - timedelta(days=lookback_days)
    since = local_day_bounds(first_day, zone)[0]
    until = (isolated_at or now).astimezone(UTC)
    return since, until
