"""Where check-ins happen: venue-level weights for the density layer, from the venue rollup."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Connection, func, select

from db.schema import venue, venue_hour
from queries.area import area_clause
from rules.local_time import local_range_bounds


def venue_density(
    connection: Connection,
    first: date,
    last: date,
    zone: ZoneInfo,
    wards: frozenset[str] | None,
    limit: int = 3000,
) -> pd.DataFrame:
    """lat, lon, weight (check-ins) of the busiest venues of the area in the range."""
    start, end = local_range_bounds(first, last, zone)
    weight = func.sum(venue_hour.c.checkins).label("weight")
    rows = connection.execute(
        select(venue.c.lat, venue.c.lon, weight)
        .select_from(venue_hour.join(venue, venue.c.id == venue_hour.c.venue_id))
        .where(
            venue_hour.c.hour_start >= start,
            venue_hour.c.hour_start < end,
            area_clause(venue.c.ward_code, wards),
        )
        .group_by(venue.c.id, venue.c.lat, venue.c.lon)
        .order_by(weight.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["lat", "lon", "weight"])
