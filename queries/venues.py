"""Venues: search, details, a venue's timeline, and who checked in there between two times.

Timelines read the venue rollup (per hour) or one bounded range of the (venue, time) index
(per 15 minutes); the look-up of people reads the same index range, one page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, and_, case, exists, func, or_, select

from db.dialect import epoch
from db.schema import case_record, checkin, district, person, venue, venue_hour, ward
from queries.area import area_clause, venue_clause
from rules.access import Scope, mask_id_number, mask_name, mask_phone
from rules.text import like_pattern

MAX_PRESENCE_S = 24 * 3600


def search_venues(
    connection: Connection,
    text: str,
    wards: frozenset[str] | None,
    scope: Scope | None,
    limit: int = 50,
) -> pd.DataFrame:
    """Venues of the area whose name matches the words of text (accents and case ignored),
    busiest names first; an empty text lists the area's venues."""
    query = (
        select(
            venue.c.id,
            venue.c.venue_ref,
            venue.c.name,
            venue.c.kind,
            venue.c.sector,
            ward.c.name.label("ward"),
            district.c.name.label("district"),
            venue.c.active,
        )
        .select_from(
            venue.join(ward, ward.c.code == venue.c.ward_code).join(
                district, district.c.code == ward.c.district_code
            )
        )
        .where(area_clause(venue.c.ward_code, wards), venue_clause(venue.c.id, scope))
        .order_by(venue.c.search_name)
        .limit(limit)
    )
    if text.strip():
        query = query.where(
            or_(
                venue.c.search_name.like(like_pattern(text), escape="\\"),
                venue.c.venue_ref == text.strip(),
            )
        )
    rows = connection.execute(query).all()
    return pd.DataFrame(
        rows,
        columns=["id", "venue_ref", "name", "kind", "sector", "ward", "district", "active"],
    )


@dataclass(frozen=True)
class VenueDetail:
    id: int
    venue_ref: str
    token: str
    name: str
    sector: str
    kind: str
    address: str
    ward_code: str
    ward_name: str
    district_name: str
    lat: float
    lon: float
    dwell_minutes: int
    registered_on: object
    active: bool
    procedure: str
    capacity: int | None = None  # as declared; none: not declared


def venue_detail(
    connection: Connection, venue_id: int, wards: frozenset[str] | None, scope: Scope | None
) -> VenueDetail | None:
    """The venue, or None when it does not exist or lies outside the user's area."""
    row = connection.execute(
        select(
            venue.c.id,
            venue.c.venue_ref,
            venue.c.token,
            venue.c.name,
            venue.c.sector,
            venue.c.kind,
            venue.c.address,
            venue.c.ward_code,
            ward.c.name.label("ward_name"),
            district.c.name.label("district_name"),
            venue.c.lat,
            venue.c.lon,
            venue.c.dwell_minutes,
            venue.c.registered_on,
            venue.c.active,
            venue.c.procedure,
            venue.c.capacity,
        )
        .select_from(
            venue.join(ward, ward.c.code == venue.c.ward_code).join(
                district, district.c.code == ward.c.district_code
            )
        )
        .where(
            venue.c.id == venue_id,
            area_clause(venue.c.ward_code, wards),
            venue_clause(venue.c.id, scope),
        )
    ).one_or_none()
    return VenueDetail(**row._mapping) if row else None


def venue_timeline(
    connection: Connection, venue_id: int, start: datetime, end: datetime, bucket_minutes: int
) -> pd.DataFrame:
    """Per bucket (UTC start): checkins, at_risk, case_visits (check-ins by people with an
    open case). Hourly buckets probe venue_hour's key (hour_start, venue_id) once per hour of
    the range: the busiest venue's 14 days (61,411 check-ins at 20M) in 1-2 ms, where its
    check-ins took 355 ms and a range of venue_hour by time 310 ms. 15-minute buckets read
    one index range of the venue's check-ins."""
    if bucket_minutes not in (15, 60):
        raise ValueError("bucket_minutes is 15 or 60")
    size = bucket_minutes * 60
    in_range = and_(
        checkin.c.venue_id == venue_id,
        checkin.c.checked_in_at >= start,
        checkin.c.checked_in_at < end,
    )
    bucket = ((epoch(checkin.c.checked_in_at) // size) * size).label("bucket")
    if bucket_minutes == 60:
        first = -(-int(start.timestamp()) // 3600) * 3600  # the first whole hour in the range
        hours = [datetime.fromtimestamp(h, UTC) for h in range(first, int(end.timestamp()), 3600)]
        counts = connection.execute(
            select(epoch(venue_hour.c.hour_start), venue_hour.c.checkins, venue_hour.c.at_risk)
            .where(venue_hour.c.venue_id == venue_id, venue_hour.c.hour_start.in_(hours))
            .order_by(venue_hour.c.hour_start)
        ).all()
    else:
        counts = connection.execute(
            select(bucket, func.count(), func.sum(case((checkin.c.risk_level > 0, 1), else_=0)))
            .where(in_range)
            .group_by(bucket)
            .order_by(bucket)
        ).all()
    is_case = exists().where(
        case_record.c.person_id == checkin.c.person_id, case_record.c.status != "cleared"
    )
    cases = dict(
        connection.execute(
            select(bucket, func.count()).where(in_range, is_case).group_by(bucket)
        ).all()
    )
    frame = pd.DataFrame(counts, columns=["bucket", "checkins", "at_risk"])
    frame["case_visits"] = frame["bucket"].map(cases).fillna(0).astype(int)
    frame["bucket"] = pd.to_datetime(frame["bucket"].astype("int64"), unit="s", utc=True)
    return frame


@dataclass(frozen=True)
class PresencePage:
    rows: pd.DataFrame
    total: int
    masked: bool


def who_checked_in(
    connection: Connection,
    venue_id: int,
    start: datetime,
    end: datetime,
    scope: Scope | None,
    page: int = 0,
    page_size: int = 100,
) -> PresencePage:
    """Check-ins at the venue with time in inside [start, end), in time order, one page.

    Names, phones and ID numbers are masked unless the role may see personal data; the caller
    audits a page it shows unmasked.
    """
    in_range = and_(
        checkin.c.venue_id == venue_id,
        checkin.c.checked_in_at >= start,
        checkin.c.checked_in_at < end,
    )
    total = connection.scalar(select(func.count()).where(in_range)) or 0
    rows = connection.execute(
        select(
            checkin.c.checked_in_at,
            checkin.c.checked_out_at,
            person.c.full_name,
            person.c.phone,
            person.c.id_number,
            checkin.c.channel,
            checkin.c.risk_level,
            checkin.c.risk_reasons,
        )
        .select_from(checkin.join(person, person.c.id == checkin.c.person_id))
        .where(in_range)
        .order_by(checkin.c.checked_in_at, checkin.c.id)
        .limit(page_size)
        .offset(page * page_size)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "checked_in_at",
            "checked_out_at",
            "full_name",
            "phone",
            "id_number",
            "channel",
            "risk_level",
            "risk_reasons",
        ],
    )
    masked = not (scope and scope.personal_data)
    if masked and not frame.empty:
        frame["full_name"] = frame["full_name"].map(mask_name)
        frame["phone"] = frame["phone"].map(mask_phone)
        frame["id_number"] = frame["id_number"].map(mask_id_number)
    return PresencePage(frame, int(total), masked)


def venue_id_for_ref(connection: Connection, venue_ref: str) -> int | None:
    """The id of the venue with this reference (its id in the source system), or None."""
    return connection.scalar(select(venue.c.id).where(venue.c.venue_ref == venue_ref.strip()))


def has_venues(connection: Connection) -> bool:
    return (connection.scalar(select(func.count()).select_from(venue)) or 0) > 0
