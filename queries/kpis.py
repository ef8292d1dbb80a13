"""Daily KPIs, trends and the per-district table. Check-in figures come from the rollups (never
a scan of check-ins): the daily ones for whole Asia/Ho_Chi_Minh days, the hourly ones for a
day still under way or another zone (local days are sums of UTC hours, so a day is exact).

Every function takes the connection, the days, the wards the caller may read (None: the whole
city; see queries.area.allowed_wards) and returns plain values or DataFrames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, SupportsInt
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Column, ColumnElement, Connection, Row, and_, func, select, true

from db.dialect import epoch
from db.partitions import local_day_of
from db.schema import (
    case_record,
    district,
    person,
    traced_contact,
    venue,
    venue_day,
    ward,
    ward_hour,
)
from queries import daily_rollup
from queries.area import area_clause
from rules.local_time import local_range_bounds, seconds_into_day

SECTOR_GROUPS = {
    "health": "health",
    "government": "state",
    "enterprise": "state",
    "public": "public",
}


@dataclass(frozen=True)
class DayFigures:
    day: date
    declarations: int
    at_risk: int
    high_risk: int
    new_cases: int
    contacts_traced: int
    active_units: int

    @property
    def risk_rate(self) -> float:
        return self.at_risk / self.declarations if self.declarations else 0.0


@dataclass(frozen=True)
class Kpis:
    today: DayFigures
    yesterday: DayFigures
    week_average: dict[str, float]  # the seven days before `today`
    units_by_sector: dict[str, int]  # health, state (agencies and enterprises), public


def _offset_seconds(zone: ZoneInfo, day: date) -> int:
    offset = datetime.combine(day, time(12), tzinfo=zone).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _before_hour(
    column: ColumnElement[datetime], offset: int, hour: int | None
) -> ColumnElement[bool]:
    """Only the part of each local day before `hour` o'clock (all of it when hour is None)."""
    if hour is None:
        return true()
    seconds: ColumnElement[int] = seconds_into_day(epoch(column), offset)
    return seconds < hour * 3600


def _active_per_day(
    connection: Connection,
    days: tuple[date, date, ZoneInfo],
    bounds: tuple[datetime, datetime, int],
    wards: frozenset[str] | None,
    before_hour: int | None,
) -> list[tuple[int, int]]:
    """(local day number, distinct venues with a check-in) per day, before_hour as in
    daily_series: from venue_day, a venue counts when its first hour of the day is earlier."""
    start, end, offset = bounds
    rollup, column = daily_rollup.venue_rollup(*days)
    if rollup is venue_day:
        # One row per venue and day: a count of rows is a count of venues.
        venues = func.count()
        counted: ColumnElement[bool] = true()
        if before_hour is not None:
            counted = epoch(venue_day.c.first_hour_start) < (
                epoch(venue_day.c.day_start) + before_hour * 3600
            )
    else:
        venues = func.count(func.distinct(rollup.c.venue_id))
        counted = _before_hour(column, offset, before_hour)
    day = local_day_of(column, offset).label("day")
    query = select(day, venues).where(column >= start, column < end, counted).group_by(day)
    if wards is not None:
        query = query.join_from(rollup, venue, venue.c.id == rollup.c.venue_id).where(
            area_clause(venue.c.ward_code, wards)
        )
    return [(int(d), int(n)) for d, n in connection.execute(query).all()]


def daily_series(
    connection: Connection,
    first: date,
    last: date,
    zone: ZoneInfo,
    wards: frozenset[str] | None,
    before_hour: int | None = None,
) -> pd.DataFrame:
    """Per local day: declarations, at_risk, high_risk, new_cases, contacts_traced,
    active_units. Every day of the range has a row (zeros where nothing happened).

    before_hour counts only each day's hours before that local hour, so that a day still
    under way compares with the same hours of the days before it.
    """
    start, end = local_range_bounds(first, last, zone)
    offset = _offset_seconds(zone, first)
    # A day still under way (before_hour) needs the hours; whole days read the daily rollup.
    wards_by, at = (
        daily_rollup.ward_rollup(first, last, zone)
        if before_hour is None
        else (ward_hour, ward_hour.c.hour_start)
    )
    day = local_day_of(at, offset).label("day")
    checkins = connection.execute(
        select(
            day,
            func.sum(wards_by.c.checkins),
            func.sum(wards_by.c.at_risk),
            func.sum(wards_by.c.high_risk),
        )
        .where(
            at >= start,
            at < end,
            area_clause(wards_by.c.ward_code, wards),
            _before_hour(at, offset, before_hour),
        )
        .group_by(day)
    ).all()
    active = _active_per_day(
        connection, (first, last, zone), (start, end, offset), wards, before_hour
    )
    cases = _per_day(
        connection, case_record.c.created_at, case_record.c.person_id, (start, end, offset),
        wards, and_(case_record.c.status != "cleared",
                    _before_hour(case_record.c.created_at, offset, before_hour)),
    )  # fmt: skip
    contacts = _per_day(
        connection, traced_contact.c.traced_at, traced_contact.c.person_id, (start, end, offset),
        wards, _before_hour(traced_contact.c.traced_at, offset, before_hour), distinct=True,
    )  # fmt: skip

    # Built in plain Python and made a frame once: per-cell .loc writes cost ~30 ms a call.
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    origin = (first - date(1970, 1, 1)).days
    columns = ("declarations", "at_risk", "high_risk", "new_cases", "contacts_traced")
    figures = {name: [0] * len(days) for name in (*columns, "active_units")}

    def put(column: str, number: SupportsInt, value: SupportsInt) -> None:
        position = int(number) - origin
        if 0 <= position < len(days):
            figures[column][position] = int(value)

    for number, total, risky, high in checkins:
        put("declarations", number, total)
        put("at_risk", number, risky)
        put("high_risk", number, high)
    for column, rows in (
        ("active_units", active),
        ("new_cases", cases),
        ("contacts_traced", contacts),
    ):
        for number, count in rows:
            put(column, number, count)
    frame = pd.DataFrame({"day": days, **figures})
    frame["risk_rate"] = (
        frame["at_risk"] / frame["declarations"].where(frame["declarations"] > 0)
    ).fillna(0.0)
    return frame


def _per_day(
    connection: Connection,
    instant: Column[datetime],
    person_id: Column[int],
    window: tuple[datetime, datetime, int],
    wards: frozenset[str] | None,
    condition: ColumnElement[bool] | None,
    distinct: bool = False,
) -> list[Row[Any, int]]:
    start, end, offset = window
    day = local_day_of(instant, offset).label("day")
    counted = func.count(func.distinct(person_id)) if distinct else func.count()
    query = (
        select(day, counted)
        .select_from(instant.table.join(person, person.c.id == person_id))
        .where(instant >= start, instant < end)
        .group_by(day)
    )
    if wards is not None:
        query = query.where(area_clause(person.c.home_ward_code, wards))
    if condition is not None:
        query = query.where(condition)
    return list(connection.execute(query).all())


def units_by_sector(
    connection: Connection, day: date, wards: frozenset[str] | None
) -> dict[str, int]:
    """Registered, active units by 'health', 'state' (agencies and enterprises) and 'public'."""
    rows = connection.execute(
        select(venue.c.sector, func.count())
        .where(
            venue.c.active.is_(True),
            venue.c.registered_on <= day,
            area_clause(venue.c.ward_code, wards),
        )
        .group_by(venue.c.sector)
    ).all()
    counts = {"health": 0, "state": 0, "public": 0}
    for sector, count in rows:
        counts[SECTOR_GROUPS[sector]] += int(count)
    return counts


def daily_kpis(
    connection: Connection,
    day: date,
    zone: ZoneInfo,
    wards: frozenset[str] | None,
    before_hour: int | None = None,
) -> Kpis:
    """The day's figures, the day before, and the average of the seven days before; with
    before_hour (a day under way), every day counts only its hours before that hour."""
    series = daily_series(connection, day - timedelta(days=7), day, zone, wards, before_hour)
    figures = [
        DayFigures(
            day=row["day"],
            declarations=int(row["declarations"]),
            at_risk=int(row["at_risk"]),
            high_risk=int(row["high_risk"]),
            new_cases=int(row["new_cases"]),
            contacts_traced=int(row["contacts_traced"]),
            active_units=int(row["active_units"]),
        )
        for row in series.to_dict("records")
    ]
    week = series.iloc[:7]
    average = {
        column: float(week[column].mean())
        for column in (
            "declarations",
            "at_risk",
            "high_risk",
            "new_cases",
            "contacts_traced",
            "active_units",
        )
    }
    total = float(week["declarations"].sum())
    average["risk_rate"] = float(week["at_risk"].sum()) / total if total else 0.0
    return Kpis(figures[-1], figures[-2], average, units_by_sector(connection, day, wards))


def area_table(
    connection: Connection,
    first: date,
    last: date,
    zone: ZoneInfo,
    wards: frozenset[str] | None,
    by: str = "district",
) -> pd.DataFrame:
    """Per district (by="district") or per ward (by="ward"): code, name, declarations,
    at_risk, risk_rate, cases (open, by home ward, registered in the range), active_units;
    the most declarations first, then by code."""
    if by not in ("district", "ward"):
        raise ValueError(f"by must be 'district' or 'ward', not {by!r}")
    start, end = local_range_bounds(first, last, zone)
    one_district = by == "ward"
    key = ward.c.code if one_district else ward.c.district_code
    name = ward.c.name if one_district else district.c.name
    wards_by, at = daily_rollup.ward_rollup(first, last, zone)
    joined = wards_by.join(ward, ward.c.code == wards_by.c.ward_code).join(
        district, district.c.code == ward.c.district_code
    )
    rows = connection.execute(
        select(key, name, func.sum(wards_by.c.checkins), func.sum(wards_by.c.at_risk))
        .select_from(joined)
        .where(at >= start, at < end, area_clause(wards_by.c.ward_code, wards))
        .group_by(key, name)
    ).all()
    frame = pd.DataFrame(rows, columns=["code", "name", "declarations", "at_risk"])
    cases = connection.execute(
        select(
            (person.c.home_ward_code if one_district else ward.c.district_code),
            func.count(),
        )
        .select_from(
            case_record.join(person, person.c.id == case_record.c.person_id).join(
                ward, ward.c.code == person.c.home_ward_code
            )
        )
        .where(
            case_record.c.created_at >= start,
            case_record.c.created_at < end,
            case_record.c.status != "cleared",
            area_clause(person.c.home_ward_code, wards),
        )
        .group_by(person.c.home_ward_code if one_district else ward.c.district_code)
    ).all()
    venue_key = venue.c.ward_code if one_district else ward.c.district_code
    # Each venue once, then counted by area: cheaper than a distinct count per area.
    active_venues = daily_rollup.active_venues(first, last, zone).subquery("active_venue")
    active = connection.execute(
        select(venue_key, func.count())
        .select_from(
            active_venues.join(venue, venue.c.id == active_venues.c.venue_id).join(
                ward, ward.c.code == venue.c.ward_code
            )
        )
        .where(area_clause(venue.c.ward_code, wards))
        .group_by(venue_key)
    ).all()
    frame["cases"] = frame["code"].map(dict(cases)).fillna(0).astype(int)
    frame["active_units"] = frame["code"].map(dict(active)).fillna(0).astype(int)
    frame["declarations"] = frame["declarations"].astype(int)
    frame["at_risk"] = frame["at_risk"].astype(int)
    frame["risk_rate"] = (
        frame["at_risk"] / frame["declarations"].where(frame["declarations"] > 0)
    ).fillna(0.0)
    # Areas with as many declarations follow their codes: the groups come back in the plan's
    # order, which differs between refreshes and between PostgreSQL and Citus.
    ordered = frame.sort_values(["declarations", "code"], ascending=[False, True], kind="stable")
    return ordered.reset_index(drop=True)


def first_day_with_data(connection: Connection, zone: ZoneInfo) -> date | None:
    """The local day of the earliest check-in the rollups hold (they outlive retention), or
    None for an empty database: how far back the filters can go."""
    first = connection.scalar(select(func.min(ward_hour.c.hour_start)))
    return first.astimezone(zone).date() if first is not None else None


def case_counts(connection: Connection, wards: frozenset[str] | None) -> dict[str, int]:
    """Open cases (suspected, confirmed) by status in the area, by the person's home ward."""
    query = (
        select(case_record.c.status, func.count())
        .select_from(case_record.join(person, person.c.id == case_record.c.person_id))
        .where(case_record.c.status != "cleared", area_clause(person.c.home_ward_code, wards))
        .group_by(case_record.c.status)
    )
    return {status: int(count) for status, count in connection.execute(query)}
