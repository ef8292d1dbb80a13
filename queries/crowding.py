"""Crowding now: each venue's check-ins in the last 15 and 60 minutes against its usual level
for this weekday and hour and its declared capacity (the rule: rules/crowding.py). Counts
only: no person is read.

How it stays cheap at city scale (20 million check-ins, ~10,000 venues):
- Candidates come from the hourly rollup: venue_hour is keyed by (hour_start, venue_id), so the
  two hours a 60-minute window touches are two short ranges of its key (the venues with a
  check-in in those hours, a few thousand rows). Their sum is at least the window's count, so
  a venue whose two hours hold fewer than rules.crowding.least_alerting_count cannot be crowded
  unless it declared a capacity, and is skipped without reading a check-in.
- The exact 15- and 60-minute counts are read for those candidates only, one probe each of
  the (venue, time in) index (ix_checkin_venue_time): an index-only range of the window's own
  rows. On PostgreSQL the window's bounds are constants, so at most two daily partitions are
  planned (a window across local midnight). The check-in table has no index on time alone,
  and reading its time range would scan today's partition (PostgreSQL) or the whole table
  (SQLite); the rollup alone counts whole hours only, and 20 minutes into an hour the last 60
  minutes are 40 of the hour before and 20 of this one.
- The usual level reads, for the venues that could be crowded, their 2 x N past hours from
  venue_hour (N weeks; 2 N short ranges of its key) summed per venue and week in SQL, and
  whether each was open that day from venue_day: at most N rows per venue reach Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, ScalarSelect, case, func, literal, or_, select

from db.dialect import epoch
from db.partitions import day_start
from db.schema import checkin, district, venue, venue_day, venue_hour, ward
from queries.area import area_clause
from rules.crowding import (
    HOUR_S,
    WEEK_S,
    PastWeek,
    Thresholds,
    crowding_reasons,
    least_alerting_count,
    seconds_in_last_hour,
    usual,
)

COLUMNS = [
    "venue_id", "venue_ref", "name", "ward", "district", "last_15", "last_60", "usual",
    "capacity", "reasons",
]  # fmt: skip


@dataclass(frozen=True)
class Recent:
    """A candidate venue and its check-ins in the last 15 and 60 minutes."""

    venue_id: int
    venue_ref: str
    name: str
    ward: str
    district: str
    capacity: int | None
    last_15: int
    last_60: int


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def recent_counts(
    connection: Connection, now: datetime, wards: frozenset[str] | None, floor: int
) -> list[Recent]:
    """Venues of the area with at least floor check-ins in the two hours the last 60 minutes
    touch, or with a declared capacity and any check-in there, with their exact counts in
    [now - 15 min, now) and [now - 60 min, now), busiest first."""
    end = int(now.timestamp())
    first_hour = (end - HOUR_S) // HOUR_S * HOUR_S
    last_hour = (end - 1) // HOUR_S * HOUR_S
    candidates = (
        select(venue_hour.c.venue_id, func.sum(venue_hour.c.checkins).label("upper"))
        .where(
            venue_hour.c.hour_start >= _instant(first_hour),
            venue_hour.c.hour_start <= _instant(last_hour),
        )
        .group_by(venue_hour.c.venue_id)
        .subquery("candidates")
    )

    def since(seconds: int) -> ScalarSelect[int]:
        """The candidate's check-ins in [now - seconds, now): one range of its index."""
        return (
            select(func.count())
            .where(
                checkin.c.venue_id == candidates.c.venue_id,
                checkin.c.checked_in_at >= _instant(end - seconds),
                checkin.c.checked_in_at < now,
            )
            .scalar_subquery()
        )

    rows = connection.execute(
        select(
            venue.c.id,
            venue.c.venue_ref,
            venue.c.name,
            ward.c.name,
            district.c.name,
            venue.c.capacity,
            since(15 * 60),
            since(HOUR_S),
        )  # fmt: skip
        .select_from(
            candidates.join(venue, venue.c.id == candidates.c.venue_id)
            .join(ward, ward.c.code == venue.c.ward_code)
            .join(district, district.c.code == ward.c.district_code)
        )
        .where(
            or_(candidates.c.upper >= floor, venue.c.capacity.is_not(None)),
            area_clause(venue.c.ward_code, wards),
        )
    ).all()
    found = [Recent(*row) for row in rows]
    return sorted(found, key=lambda r: (-r.last_60, -r.last_15, r.venue_ref))


def past_weeks(
    connection: Connection, venue_ids: Sequence[int], now: datetime, weeks: int
) -> dict[int, list[PastWeek]]:
    """Per venue, its counts in the two hours of the same 60 minutes 1..weeks weeks before
    now (the hour before and the hour the window ends in), and whether it had a check-in on
    that local day (the day of the window's end): one entry per week, newest first. A venue
    absent from venue_hour in a week counted 0 there."""
    if not venue_ids:
        return {}
    end = int(now.timestamp())
    last_hour = (end - 1) // HOUR_S * HOUR_S  # the hour the window ends in
    ids = sorted(set(venue_ids))
    ends = [last_hour - week * WEEK_S for week in range(1, weeks + 1)]
    befores = [hour - HOUR_S for hour in ends]
    week = ((literal(last_hour) - epoch(venue_hour.c.hour_start) + HOUR_S) // WEEK_S).label("week")
    is_end = epoch(venue_hour.c.hour_start).in_(ends)
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for venue_id, number, before, of_end in connection.execute(
            select(
                venue_hour.c.venue_id,
                week,
                func.sum(case((is_end, 0), else_=venue_hour.c.checkins)),
                func.sum(case((is_end, venue_hour.c.checkins), else_=0)),
            )
            .where(
                venue_hour.c.hour_start.in_([_instant(h) for h in ends + befores]),
                venue_hour.c.venue_id.in_(chunk),
            )
            .group_by(venue_hour.c.venue_id, week)
        ):
            counts[(int(venue_id), int(number))] = (int(before), int(of_end))
    days = {int(day_start(end - 1 - week * WEEK_S)): week for week in range(1, weeks + 1)}
    open_days: set[tuple[int, int]] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for venue_id, day in connection.execute(
            select(venue_day.c.venue_id, epoch(venue_day.c.day_start)).where(
                venue_day.c.day_start.in_([_instant(d) for d in days]),
                venue_day.c.venue_id.in_(chunk),
            )
        ):
            open_days.add((int(venue_id), days[int(day)]))
    result: dict[int, list[PastWeek]] = {}
    for venue_id in ids:
        entries = []
        for number in range(1, weeks + 1):
            before, of_end = counts.get((venue_id, number), (0, 0))
            was_open = (venue_id, number) in open_days or before + of_end > 0
            entries.append(PastWeek(before, of_end, was_open))
        result[venue_id] = entries
    return result


def crowded_venues(
    connection: Connection,
    now: datetime,
    wards: frozenset[str] | None,
    thresholds: Thresholds,
    weeks: int,
) -> pd.DataFrame:
    """The area's venues crowded at now (the rule: rules.crowding.crowding_reasons), busiest
    first: venue_id, venue_ref, name, ward, district, last_15, last_60, usual (a float, NaN
    without enough past weeks), capacity (Int64, <NA> when not declared), reasons (a tuple of
    codes)."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: give a time zone")
    floor = least_alerting_count(thresholds)
    recent = recent_counts(connection, now, wards, floor)
    # Only a venue at or above the floor can be above its usual; the others need no usual.
    judged = [r.venue_id for r in recent if r.last_60 >= floor]
    history = past_weeks(connection, judged, now, weeks)
    seconds = seconds_in_last_hour(int(now.timestamp()))
    rows = []
    for r in recent:
        level = usual(history.get(r.venue_id, []), seconds, thresholds.min_weeks)
        reasons = crowding_reasons(r.last_15, r.last_60, level, r.capacity, thresholds)
        if reasons:
            rows.append((
                r.venue_id, r.venue_ref, r.name, r.ward, r.district, r.last_15, r.last_60,
                None if level is None else level.level, r.capacity, reasons,
            ))  # fmt: skip
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["usual"] = frame["usual"].astype(float)  # NaN: no usual
    frame["capacity"] = frame["capacity"].astype("Int64")  # <NA>: none declared
    return frame
