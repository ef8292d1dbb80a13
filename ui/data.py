"""Cached loaders for pages: the queries with a time-to-live, keyed by their arguments.

Heavy results are cached for a minute: dashboards refresh often, the figures change slowly, and
the rollups make a miss cheap anyway.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from queries.heatmap import venue_density
from queries.kpis import (
    Kpis,
    area_table,
    case_counts,
    daily_kpis,
    daily_series,
    first_day_with_data,
)
from queries.risk import alert_counts, risky_counts
from ui.runtime import engine

TTL = 60


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def kpis(
    database_url: str,
    day: date,
    zone: str,
    wards: frozenset[str] | None,
    before_hour: int | None = None,
) -> Kpis:
    with engine().connect() as connection:
        return daily_kpis(connection, day, ZoneInfo(zone), wards, before_hour)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=8)
def first_day(database_url: str, zone: str) -> date | None:
    with engine().connect() as connection:
        return first_day_with_data(connection, ZoneInfo(zone))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def series(
    database_url: str, first: date, last: date, zone: str, wards: frozenset[str] | None
) -> pd.DataFrame:
    with engine().connect() as connection:
        return daily_series(connection, first, last, ZoneInfo(zone), wards)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def areas(
    database_url: str, first: date, last: date, zone: str, wards: frozenset[str] | None, by: str
) -> pd.DataFrame:
    with engine().connect() as connection:
        return area_table(connection, first, last, ZoneInfo(zone), wards, by)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def density(
    database_url: str, first: date, last: date, zone: str, wards: frozenset[str] | None
) -> pd.DataFrame:
    with engine().connect() as connection:
        return venue_density(connection, first, last, ZoneInfo(zone), wards)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def open_cases(database_url: str, wards: frozenset[str] | None) -> dict[str, int]:
    with engine().connect() as connection:
        return case_counts(connection, wards)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def last_hour(database_url: str, until: datetime, wards: frozenset[str] | None) -> dict[str, int]:
    """Alerts and at-risk declarations in the hour before `until` (a minute-rounded instant)."""
    since = until - timedelta(hours=1)
    with engine().connect() as connection:
        alerts = alert_counts(connection, since, until, wards)
        risky = risky_counts(connection, since, until, wards)
    return {
        "alerts": sum(alerts.values()),
        "high": risky.get(2, 0),
        "medium": risky.get(1, 0),
    }
