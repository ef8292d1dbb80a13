"""Declarations and at-risk declarations per ward over a few local days: what the ward hot
spots (geo/hot_spots.py) are computed from. Read from the ward rollup (ward_day where its days
are the zone's, else ward_hour), so the cost is one row per ward and day (at most 273 a day),
whatever the number of check-ins."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Connection, func, select

from queries.area import area_clause
from queries.daily_rollup import ward_rollup
from rules.local_time import local_range_bounds

COLUMNS = ["ward_code", "declarations", "at_risk"]


def ward_counts(
    connection: Connection,
    first: date,
    last: date,
    zone: ZoneInfo,
    wards: frozenset[str] | None,
) -> pd.DataFrame:
    """ward_code, declarations, at_risk of every ward of the area (wards; None: the city) with
    a declaration on a local day first..last of zone, by ward_code. Wards without one have no
    row."""
    start, end = local_range_bounds(first, last, zone)
    rollup, at = ward_rollup(first, last, zone)
    rows = connection.execute(
        select(rollup.c.ward_code, func.sum(rollup.c.checkins), func.sum(rollup.c.at_risk))
        .where(at >= start, at < end, area_clause(rollup.c.ward_code, wards))
        .group_by(rollup.c.ward_code)
        .having(func.sum(rollup.c.checkins) > 0)
        .order_by(rollup.c.ward_code)
    ).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=COLUMNS)
    return frame.astype({"ward_code": str, "declarations": "int64", "at_risk": "int64"})
