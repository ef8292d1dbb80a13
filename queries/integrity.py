"""Consistency checks: row counts, and hourly rollups against the raw check-ins."""

from __future__ import annotations

from sqlalchemy import Connection, Table, case, exists, func, or_, select

from db.dialect import epoch, hour_of
from db.partitions import LOCAL_OFFSET_S
from db.schema import (
    case_record,
    checkin,
    district,
    person,
    venue,
    venue_day,
    venue_hour,
    ward,
    ward_hour,
)

COUNTED: tuple[Table, ...] = (district, ward, venue, person, checkin, case_record, ward_hour)


def table_counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: connection.scalar(select(func.count()).select_from(table)) or 0
        for table in COUNTED
    }


def rollup_mismatches(connection: Connection) -> list[tuple]:
    """(rollup, key, hour, rolled up, raw) for every hour where a rollup and the raw rows
    disagree on check-ins or at-risk counts. Empty when all is well. Scans check-ins: for
    tests and the `check` command, never for pages."""
    problems: list[tuple] = []
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
    return problems + _daily_mismatches(connection)


def _daily_mismatches(connection: Connection) -> list[tuple]:
    """venue_day against venue_hour (itself checked against the raw rows): per venue and local
    day, (check-ins, at risk, first hour); the key's 'hour' is the day's start."""
    local = epoch(venue_hour.c.hour_start) + LOCAL_OFFSET_S
    day = (local // 86_400 * 86_400 - LOCAL_OFFSET_S).label("day_start")
    hourly = {
        (str(row[0]), int(row[1])): (int(row[2]), int(row[3]), int(row[4]))
        for row in connection.execute(
            select(
                venue_hour.c.venue_id,
                day,
                func.sum(venue_hour.c.checkins),
                func.sum(venue_hour.c.at_risk),
                func.min(epoch(venue_hour.c.hour_start)),
            ).group_by(venue_hour.c.venue_id, day)
        )
    }
    daily = {
        (str(row[0]), int(row[1])): (int(row[2]), int(row[3]), int(row[4]))
        for row in connection.execute(
            select(
                venue_day.c.venue_id,
                epoch(venue_day.c.day_start),
                venue_day.c.checkins,
                venue_day.c.at_risk,
                epoch(venue_day.c.first_hour_start),
            )
        )
    }
    return [
        ("venue_day", k[0], k[1], daily.get(k), hourly.get(k))
        for k in sorted(set(hourly) | set(daily))
        if hourly.get(k) != daily.get(k)
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
