"""Space-time clusters of at-risk declarations: the ward x day counts the scan reads (from the
daily ward rollup, no check-in rows), the scan itself (rules.space_time_scan) with the
settings' window, circles and replicates, and the venues inside a cluster's wards on its days
(from the daily venue rollup; counts only, no personal data).

Method, assumptions and references: docs/early-warning.md, "Space-time clusters".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from db.partitions import local_day_of
from db.schema import venue, ward
from queries.area import area_clause, venue_clause
from queries.daily_rollup import venue_rollup, ward_rollup
from rules.access import Scope
from rules.local_time import local_range_bounds
from rules.space_time_scan import scan


class ScanSettings(Protocol):
    """What the scan takes from the settings (config.settings.ClusterSettings)."""

    window_days: int
    max_days: int
    max_share: float
    replicates: int
    seed: int
    max_clusters: int


@dataclass(frozen=True)
class WardDays:
    """Declarations and at-risk declarations per ward (rows, in `wards` order) and local day
    (columns, first..last)."""

    wards: pd.DataFrame  # code, district_code, name, lat, lon: every ward of the city
    first: date
    last: date
    declarations: np.ndarray  # (wards, days) int64
    at_risk: np.ndarray  # (wards, days) int64


@dataclass(frozen=True)
class SpaceTimeCluster:
    """A cluster found by the scan: its wards (the centre first, then by distance), its days
    first..last (last: the day analysed), the at-risk declarations observed and expected
    there, the log-likelihood ratio, the Monte-Carlo p-value and the recurrence interval."""

    rank: int  # 1: the primary cluster
    ward_codes: tuple[str, ...]
    ward_names: tuple[str, ...]
    district_codes: tuple[str, ...]
    first_day: date
    last_day: date
    observed: int
    expected: float
    llr: float
    p_value: float

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def ratio(self) -> float:
        return self.observed / self.expected if self.expected else float("inf")

    @property
    def recurrence_days(self) -> float:
        """In a daily analysis, once in 1/p days by chance."""
        return 1.0 / self.p_value


@dataclass(frozen=True)
class ClusterReport:
    day: date  # the day analysed, the last of the window
    first_day: date  # the window's first day
    cases: int  # at-risk declarations in the window
    declarations: int
    replicates: int
    clusters: tuple[SpaceTimeCluster, ...]


def _offset_s(day: date, zone: ZoneInfo) -> int:
    """The zone's offset from UTC at noon of the day (the city's: +7 all year)."""
    offset = datetime.combine(day, time(12), zone).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def ward_day_counts(connection: Connection, last: date, days: int, zone: ZoneInfo) -> WardDays:
    """Every ward's declarations and at-risk declarations on each of the `days` local days
    ending on `last`: from ward_day (ward_hour where the zone's days are not the rollup's),
    one row per ward and day with any."""
    first = last - timedelta(days=days - 1)
    start, end = local_range_bounds(first, last, zone)
    rollup, rollup_start = ward_rollup(first, last, zone)
    day = local_day_of(rollup_start, _offset_s(last, zone)).label("day")
    rows = connection.execute(
        select(
            rollup.c.ward_code,
            day,
            func.sum(rollup.c.checkins),
            func.sum(rollup.c.at_risk),
        )
        .where(rollup_start >= start, rollup_start < end)
        .group_by(rollup.c.ward_code, day)
    ).all()
    wards = pd.DataFrame(
        connection.execute(
            select(ward.c.code, ward.c.district_code, ward.c.name, ward.c.lat, ward.c.lon).order_by(
                ward.c.code
            )
        ).all(),
        columns=["code", "district_code", "name", "lat", "lon"],
    )
    declarations = np.zeros((len(wards), days), np.int64)
    at_risk = np.zeros((len(wards), days), np.int64)
    index = {code: i for i, code in enumerate(wards["code"])}
    origin = (first - date(1970, 1, 1)).days
    for code, number, checkins, risky in rows:
        row, column = index.get(code), int(number) - origin
        if row is None or not 0 <= column < days:
            continue  # a ward not in the ward table: nowhere to put it on the map either
        declarations[row, column] += int(checkins)
        at_risk[row, column] += int(risky)
    return WardDays(wards, first, last, declarations, at_risk)


def scan_counts(counts: WardDays, settings: ScanSettings) -> ClusterReport:
    """The prospective space-time permutation scan of the at-risk declarations, the
    declarations bounding the circles (settings.max_share of the window's)."""
    result = scan(
        counts.at_risk,
        counts.declarations.sum(axis=1),
        counts.wards["lat"].to_numpy(float),
        counts.wards["lon"].to_numpy(float),
        max_share=settings.max_share,
        max_days=settings.max_days,
        replicates=settings.replicates,
        seed=settings.seed,
        max_clusters=settings.max_clusters,
    )
    codes = counts.wards["code"].to_numpy()
    names = counts.wards["name"].to_numpy()
    districts = counts.wards["district_code"].to_numpy()
    clusters = tuple(
        SpaceTimeCluster(
            rank=number,
            ward_codes=tuple(str(codes[i]) for i in found.areas),
            ward_names=tuple(str(names[i]) for i in found.areas),
            district_codes=tuple(str(districts[i]) for i in found.areas),
            first_day=counts.last - timedelta(days=found.days - 1),
            last_day=counts.last,
            observed=found.observed,
            expected=found.expected,
            llr=found.llr,
            p_value=found.p_value,
        )
        for number, found in enumerate(result.clusters, start=1)
    )
    return ClusterReport(
        day=counts.last,
        first_day=counts.first,
        cases=result.cases,
        declarations=int(counts.declarations.sum()),
        replicates=result.replicates,
        clusters=clusters,
    )


def space_time_clusters(
    connection: Connection, day: date, zone: ZoneInfo, settings: ScanSettings
) -> ClusterReport:
    """The clusters of at-risk declarations still going on on `day` (the last day of the
    settings' window), city-wide: the scan compares every ward with the whole city."""
    return scan_counts(ward_day_counts(connection, day, settings.window_days, zone), settings)


def cluster_venues(
    connection: Connection,
    ward_codes: tuple[str, ...] | list[str],
    first: date,
    last: date,
    zone: ZoneInfo,
    wards: frozenset[str] | None = None,
    scope: Scope | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """The venues inside the cluster's wards (and the reader's area) with at-risk declarations
    on the local days first..last: venue_id, venue_ref, name, ward_code, at_risk, checkins,
    most at-risk first."""
    start, end = local_range_bounds(first, last, zone)
    rollup, rollup_start = venue_rollup(first, last, zone)
    at_risk = func.sum(rollup.c.at_risk).label("at_risk")
    checkins = func.sum(rollup.c.checkins).label("checkins")
    rows = connection.execute(
        select(venue.c.id, venue.c.venue_ref, venue.c.name, venue.c.ward_code, at_risk, checkins)
        .select_from(rollup.join(venue, venue.c.id == rollup.c.venue_id))
        .where(
            rollup_start >= start,
            rollup_start < end,
            venue.c.ward_code.in_(sorted(ward_codes)),
            area_clause(venue.c.ward_code, wards),
            venue_clause(venue.c.id, scope),
        )
        .group_by(venue.c.id, venue.c.venue_ref, venue.c.name, venue.c.ward_code)
        .having(func.sum(rollup.c.at_risk) > 0)
        .order_by(at_risk.desc(), venue.c.name, venue.c.id)
        .limit(limit)
    ).all()
    return pd.DataFrame(
        rows, columns=["venue_id", "venue_ref", "name", "ward_code", "at_risk", "checkins"]
    )
