"""Where check-ins happen: venue-level weights for the density layer, from the venue rollup
(the daily one where its days are the zone's)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Connection, func, select

from db.schema import venue
from queries.area import area_clause
from queries.daily_rollup import venue_rollup
from rules.local_time import local_range_bounds


def venue_density(
    connection: Connection,
    first: date,
    last: date,
    zone: ZoneInfo,
    wards: frozenset[str] | None,
    limit: int = 3000,
) -> pd.DataFrame:
    """lat, lon, weight (check-ins) of the busiest venues of the area in the range; venues of
    equal weight in venue order, so that the cut at the limit is the same on every run and
    engine (Citus gathers the shards' groups in no fixed order)."""
    start, end = local_range_bounds(first, last, zone)
    rollup, rollup_start = venue_rollup(first, last, zone)
    weight = func.sum(rollup.c.checkins).label("weight")
    rows = connection.execute(
        select(venue.c.lat, venue.c.lon, weight)
        .select_from(rollup.join(venue, venue.c.id == rollup.c.venue_id))
        .where(
            rollup_start >= start,
            rollup_start < end,
            area_clause(venue.c.ward_code, wards),
        )
        .group_by(venue.c.id, venue.c.lat, venue.c.lon)
        .order_by(weight.desc(), venue.c.id)
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["lat", "lon", "weight"])
