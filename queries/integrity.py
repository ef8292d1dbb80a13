"""Consistency checks: row counts, the hourly rollups against the raw check-ins, and the daily
ones against the hourly ones."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Connection, Table, case, exists, func, or_, select

from db.dialect import epoch, hour_of
from db.partitions import day_start_of
from db.schema import (
    ACTIVITY_BLOCK_DAYS,
    case_record,
    checkin,
    district,
    person,
    venue,
    venue_activity,
    venue_day,
    venue_hour,
    ward,
    ward_day,
    ward_hour,
)
from rules.local_time import day_number_start

COUNTED: tuple[Table, ...] = (district, ward, venue, person, checkin, case_record, ward_hour)


def table_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: connection.scalar(select(func.count()).select_from(table)) or 0
        for table in COUNTED
    }


def rollup_mismatches(connection: Connection) -> list[tuple[Any, ...]]:
    """(rollup, key, hour, rolled up, raw) for every hour where a rollup and the raw rows
    disagree on check-ins or at-risk counts. Empty when all is well. Scans check-ins: for
    tests and the `check` command, never for pages."""
    problems: list[tuple[Any, ...]] = []
    hour = hour_of(checkin.c.checked_in_at).label("hour_start")
    at_risk = func.sum(case((checkin.c.risk_level >= 1, 1), else_=0))
    for rollup, key_name, key in (
        (ward_hour, "ward_code", venue.c.ward_code),
        (venue_hour, "venue_id", checkin.c.venue_id),
    ):
        raw = dict(
            ((str(row[0]), int(row[1])), (int(row[2]), int(row[3])))
            for row in connection.execute(
                select(key, hour, func.count(), at_risk)
                .select_from(checkin.join(venue, venue.c.id == checkin.c.venue_id))
                .group_by(key, hour)
            )
        )
        rolled = dict(
            ((str(row[0]), int(row[1].timestamp())), (int(row[2]), int(row[3])))
            for row in connection.execute(
                select(rollup.c[key_name], rollup.c.hour_start, rollup.c.checkins, rollup.c.at_risk)
            )
        )
        for k in sorted(set(raw) | set(rolled)):
            if raw.get(k, (0, 0)) != rolled.get(k, (0, 0)):
                problems.append((rollup.name, k[0], k[1], rolled.get(k), raw.get(k)))
    return problems + _daily_mismatches(connection) + _activity_mismatches(connection)


def _daily_mismatches(connection: Connection) -> list[tuple[Any, ...]]:
    """The daily rollups against the hourly ones (themselves checked against the raw rows):
    per venue or ward and local day, (check-ins, at risk, high risk[, first hour]); the
    key's 'hour' is the day's start."""
    problems: list[tuple[Any, ...]] = []
    for daily, hourly, key_name, first_hour in (
        (venue_day, venue_hour, "venue_id", True),
        (ward_day, ward_hour, "ward_code", False),
    ):
        day = day_start_of(hourly.c.hour_start).label("day_start")
        summed: list[ColumnElement[Any]] = [
            func.sum(hourly.c[f]) for f in ("checkins", "at_risk", "high_risk")
        ]
        stored: list[ColumnElement[Any]] = [
            daily.c[f] for f in ("checkins", "at_risk", "high_risk")
        ]
        if first_hour:
            summed.append(func.min(epoch(hourly.c.hour_start)))
            stored.append(epoch(daily.c.first_hour_start))
        from_hours = {
            (str(row[0]), int(row[1])): tuple(int(v) for v in row[2:])
            for row in connection.execute(
                select(hourly.c[key_name], day, *summed).group_by(hourly.c[key_name], day)
            )
        }
        from_days = {
            (str(row[0]), int(row[1])): tuple(int(v) for v in row[2:])
            for row in connection.execute(
                select(daily.c[key_name], epoch(daily.c.day_start), *stored)
            )
        }
        problems += [
            (daily.name, k[0], k[1], from_days.get(k), from_hours.get(k))
            for k in sorted(set(from_hours) | set(from_days))
            if from_hours.get(k) != from_days.get(k)
        ]
    return problems


def _activity_mismatches(connection: Connection) -> list[tuple[Any, ...]]:
    """venue_activity against venue_day: the same (venue, local day) pairs. A pair in only one
    of them is ("venue_activity", venue, day start, in venue_activity, in venue_day); a row
    without a day, or with the sign bit set, is ("venue_activity", venue, block's first day
    start, its days, None)."""
    from_days = {
        (str(venue_id), int(start))
        for venue_id, start in connection.execute(
            select(venue_day.c.venue_id, epoch(venue_day.c.day_start))
        )
    }
    rows = connection.execute(
        select(venue_activity.c.block, venue_activity.c.venue_id, venue_activity.c.days)
    ).all()
    blocks = np.array([r[0] for r in rows], dtype=np.int64)
    days = np.array([r[2] for r in rows], dtype=np.int64)
    # Bits unpacked here, independently of the write path's packing, which this checks.
    row, bit = np.nonzero((days[:, None] >> np.arange(ACTIVITY_BLOCK_DAYS)) & 1)
    starts = day_number_start(blocks[row] * ACTIVITY_BLOCK_DAYS + bit)
    from_bits = {
        (str(rows[r][1]), int(s)) for r, s in zip(row.tolist(), starts.tolist(), strict=True)
    }
    malformed = [
        (
            "venue_activity",
            str(v),
            day_number_start(int(b) * ACTIVITY_BLOCK_DAYS),
            int(d),
            None,
        )
        for b, v, d in rows
        if not int(d) > 0
    ]
    return malformed + [
        ("venue_activity", k[0], k[1], k in from_bits, k in from_days)
        for k in sorted(from_bits ^ from_days)
    ]


def orphan_checkins(connection: Connection) -> int:
    """Check-ins whose person, venue or declarer does not exist (should always be 0)."""
    declarer = person.alias("declarer")
    missing = or_(
        ~exists().where(person.c.id == checkin.c.person_id),
        ~exists().where(venue.c.id == checkin.c.venue_id),
        checkin.c.declared_by_person_id.is_not(None)
        & ~exists().where(declarer.c.id == checkin.c.declared_by_person_id),
    )
    return connection.scalar(select(func.count()).where(missing)) or 0
