"""The measures of the dashboards' questions on the city: the heat map, KPIs, a venue's
timeline, the risk list, the contact export and the traces (bench/run.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from bench.measure import Bench
from bench.plain_dashboard_sql import (
    DENSITY_SQL,
    EXPORT_SELECT,
    HEAT_MAP_SQL,
    RISK_SQL,
    SERIES_SQL,
    TIMELINE_15_SQL,
    TIMELINE_HOUR_SQL,
    UNITS_SQL,
    plain_copy_out,
    plain_rows_of,
)
from bench.trace import (
    DEMO_DAYS,
    DEMO_END,
    ours_trace,
    pick_cases,
    plain_trace,
    same_answer,
)
from db.schema import checkin, venue
from queries.heatmap import venue_density
from queries.kpis import area_table, daily_kpis, daily_series
from queries.risk import risk_list
from queries.trace import TraceRules
from queries.venues import venue_timeline
from reports.tables import to_csv_bytes
from rules.access import Scope
from rules.local_time import CITY_ZONE

EXPORT_ROWS = 100_000
TRACE_RATIO_GOAL = 1.2


def timeline_key(frame: pd.DataFrame) -> list[tuple]:
    return [
        (int(b.timestamp()), int(c), int(r), int(v))
        for b, c, r, v in frame[["bucket", "checkins", "at_risk", "case_visits"]].itertuples(
            index=False
        )
    ]


def dashboards(bench: Bench, engine: Engine) -> None:
    last_day = (DEMO_END - timedelta(days=1)).date()
    first_day = last_day - timedelta(days=DEMO_DAYS - 1)
    for label, first in (("1 day", last_day), ("14 days", first_day)):
        start = datetime.combine(first, datetime.min.time(), CITY_ZONE)
        end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), CITY_ZONE)
        bounds = {"start": int(start.timestamp()), "end": int(end.timestamp())}

        def ours_map(first: date = first) -> pd.DataFrame:
            with engine.connect() as connection:
                return area_table(connection, first, last_day, CITY_ZONE, None)

        bench.measure(
            f"heat map {label}",
            ours_map,
            partial(plain_rows_of, bench.plain, HEAT_MAP_SQL, bounds),
            lambda frame, rows: (
                sorted(frame["declarations"].tolist()) == sorted(r[2] for r in rows)
                and sorted(frame["active_units"].tolist()) == sorted(r[5] for r in rows)
            ),
        )

        if label == "14 days":

            def ours_density(first: date = first) -> pd.DataFrame:
                with engine.connect() as connection:
                    return venue_density(connection, first, last_day, CITY_ZONE, None)

            bench.measure(
                "density layer 14 days",
                ours_density,
                partial(plain_rows_of, bench.plain, DENSITY_SQL, bounds),
                lambda frame, rows: sorted(frame["weight"].tolist()) == sorted(r[2] for r in rows),
                note="queries.heatmap.venue_density, the map's venue layer",
            )

    def kpi_params(first: date, last: date) -> dict[str, Any]:
        start = datetime.combine(first, datetime.min.time(), CITY_ZONE)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), CITY_ZONE)
        origin = date(1970, 1, 1)
        return {
            "start": int(start.timestamp()),
            "end": int(end.timestamp()),
            "offset": 7 * 3600,
            "first": (first - origin).days,
            "last": (last - origin).days,
            "day": last,
        }

    def ours_kpis() -> Any:
        with engine.connect() as connection:
            return daily_kpis(connection, last_day, CITY_ZONE, None)

    week = kpi_params(last_day - timedelta(days=7), last_day)

    def plain_kpis() -> tuple[list[tuple], list[tuple]]:
        return plain_rows_of(bench.plain, SERIES_SQL, week), plain_rows_of(
            bench.plain, UNITS_SQL, week
        )

    bench.measure(
        "KPIs 1 day",
        ours_kpis,
        plain_kpis,
        lambda kpis, rows: (
            kpis.today.declarations == rows[0][-1][1] and kpis.today.active_units == rows[0][-1][6]
        ),
        note="the day, the day before and the week before it (8 days)",
    )
    fortnight = kpi_params(first_day, last_day)

    def ours_series() -> pd.DataFrame:
        with engine.connect() as connection:
            return daily_series(connection, first_day, last_day, CITY_ZONE, None)

    bench.measure(
        "KPIs 14 days",
        ours_series,
        lambda: plain_rows_of(bench.plain, SERIES_SQL, fortnight),
        lambda frame, rows: (
            frame["declarations"].tolist() == [r[1] for r in rows]
            and frame["active_units"].tolist() == [r[6] for r in rows]
        ),
        note="queries.kpis.daily_series, the overview's trend",
    )


def venue_pages(bench: Bench, engine: Engine) -> None:
    with engine.connect() as connection:
        busiest = connection.execute(
            select(venue.c.id, venue.c.venue_ref)
            .select_from(venue.join(checkin, checkin.c.venue_id == venue.c.id))
            .where(checkin.c.checked_in_at >= DEMO_END - timedelta(days=1))
            .group_by(venue.c.id, venue.c.venue_ref)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    start, end = DEMO_END - timedelta(days=1), DEMO_END
    params = {"venue": busiest[0], "start": int(start.timestamp()), "end": int(end.timestamp())}
    for label, minutes, sql in (
        ("timeline hour", 60, TIMELINE_HOUR_SQL),
        ("timeline 15 min", 15, TIMELINE_15_SQL),
    ):

        def ours(minutes: int = minutes) -> pd.DataFrame:
            with engine.connect() as connection:
                return venue_timeline(connection, busiest[0], start, end, minutes)

        bench.measure(
            label,
            ours,
            partial(plain_rows_of, bench.plain, sql, params),
            lambda frame, rows: timeline_key(frame) == [tuple(map(int, r)) for r in rows],
            note=f"{busiest[1]}, the busiest venue, its last day",
        )

    scope = Scope(username="bench", role="epidemiologist")
    risk_params = {"start": int(start.timestamp()), "end": int(end.timestamp())}

    def ours_risk() -> tuple[pd.DataFrame, int]:
        with engine.connect() as connection:
            return risk_list(connection, start, end, None, scope, limit=200)

    bench.measure(
        "risk list page",
        ours_risk,
        lambda: plain_rows_of(bench.plain, RISK_SQL, risk_params),
        lambda ours, rows: (
            ours[1] == (rows[0][-1] if rows else 0)
            and ours[0]["checkin_id"].tolist() == [r[0] for r in rows]
        ),
        note="the last day, first page of 200 and the total",
    )


def export(bench: Bench, engine: Engine) -> None:
    params = {"at": int(DEMO_END.timestamp()) - 86_400, "rows": EXPORT_ROWS}

    def ours() -> bytes:
        with engine.connect() as connection:
            frame = pd.DataFrame(
                connection.exec_driver_sql(EXPORT_SELECT, params).all(),
                columns=["level", "full_name", "phone", "first_exposure", "overlap_minutes",
                         "venues"],
            )  # fmt: skip
        return to_csv_bytes(frame)

    bench.measure(
        "contact export 100k",
        ours,
        lambda: plain_copy_out(bench.plain, EXPORT_SELECT, params),
        lambda mine, theirs: mine.count(b"\n") == theirs.count(b"\n"),
        note="reports.tables.to_csv_bytes (cells neutralised) vs COPY … TO STDOUT",
    )


def traces(bench: Bench, engine: Engine) -> int | None:
    """Measures the traces; returns the typical case's id (the app step traces it too)."""
    rules = TraceRules()
    cases = pick_cases(engine, rules)
    for label, case in cases.items():
        short = "typical" if label.startswith("typical") else "busiest"
        for depth in (1, 2):
            result = bench.measure(
                f"F1 {short}" if depth == 1 else f"F1+F2 {short}",
                partial(ours_trace, engine, case, rules, depth),
                partial(plain_trace, bench.plain, case, depth),
                same_answer,
                note=label,
                describe=lambda answer: {
                    "contacts": {
                        "visits": len(answer.visits),
                        "f1": len(answer.level(1)),
                        "f2": len(answer.level(2)),
                    }
                },
            )
            result["ratio_goal"] = TRACE_RATIO_GOAL
    return next((case["case_id"] for case in cases.values() if case["case_id"]), None)
