"""The benchmark: every question the app asks of a city of N check-ins, against plain SQL.

    python bench/run.py --checkins N [--database-url URL] --out FILE.json
                        [--repeats 10] [--warmup 2] [--slow-repeats 3] [--import-rows 200000]
                        [--skip-app]

PostgreSQL only (the city-scale bar of DESIGN §6). The city is the demo city of bench/trace.py
(14 days ending 2021-08-16 00:00 local, seed 2021) in a database named kbyt_bench_<N> next to
the one in the URL, reused when it holds exactly N check-ins, else built (20M takes a while).

Each measure runs the product's function and the best plain SQL for the same answer on the
same data in turns (bench/trace.timed_pair), after warm-up, and reports median and p95 in ms
and the ratio ours / plain (median). Measures: F1 and F1+F2 traces (the typical case and the
busiest market's regular), the heat map (queries.kpis.area_table, and the map's venue layer,
queries.heatmap.venue_density) and the KPIs (queries.kpis.daily_kpis for a day, daily_series
for 14 days; both count active units from the daily venue rollup, venue_day), a venue's
timeline by hour and by 15 minutes (queries.venues.venue_timeline, the busiest venue's last
day), the risk list page (queries.risk.risk_list, last day, first page and total), and a
contact export of 100,000 rows (reports.tables.to_csv_bytes, against COPY … TO STDOUT). A
trace over 5 s is repeated 3 times, not --repeats.

Then a bulk import (ingest.imports.import_checkins of a generated CSV, on the day after the
city's window so that it creates its partitions as a live import does; removed afterwards)
against COPY of the same rows, and the app's memory: `streamlit run server.py` on the city, a
headless Chromium (Debian's /usr/bin/chromium through Playwright) signs in and opens every page
with the city's last 14 days in the filter and runs a trace; the server's resident memory
(VmRSS, and VmHWM, its peak) is read from /proc after each page. A real browser is what a user
runs, and it is the same harness as the browser tests; AppTest would run the scripts in this
process without the server's websocket sessions, caches per session and component assets.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.app_memory import RSS_GOAL_MB, app_memory  # noqa: E402
from bench.dashboard_measures import dashboards, export, traces, venue_pages  # noqa: E402
from bench.import_measure import bulk_import, import_goal  # noqa: E402
from bench.machine_facts import machine  # noqa: E402
from bench.measure import SLOW_REPEATS, Bench  # noqa: E402
from bench.trace import DEFAULT_POSTGRES, bench_database  # noqa: E402
from db.partitions import list_partitions  # noqa: E402

# --- report ----------------------------------------------------------------------------------


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        found = {
            table: int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)
            for table in ("checkin", "person", "venue", "venue_hour", "ward_hour", "case_record")
        }
        found["checkin_partitions"] = len(list_partitions(connection))
    return found


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"PostgreSQL {result['postgresql']}, {result['counts']['checkin']:,} check-ins "
        f"({result['counts']['checkin_partitions']} daily partitions), "
        f"{result['counts']['person']:,} people, {result['counts']['venue']:,} venues; "
        f"{result['machine']}; {result['date']}",
        "",
        "| measure | ours ms (median / p95) | plain SQL ms (median / p95) | ratio | goal | runs |",
        "|---|---|---|---|---|---|",
    ]
    for m in result["measures"]:
        goal = ""
        if "goal_ms" in m:
            goal = f"< {m['goal_ms']:,.0f} ms {'✓' if m['meets_goal'] else '✗'}"
        if "ratio_goal" in m:
            ok = m["ratio"] is not None and m["ratio"] <= m["ratio_goal"]
            goal += f"{'; ' if goal else ''}ratio ≤ {m['ratio_goal']} {'✓' if ok else '✗'}"
        same = "" if m.get("same_answer", True) else " (answers differ!)"
        if m["plain_sql_median_ms"] is None:
            plain = f"stopped after {m['plain_sql_timed_out_s']} s"
        else:
            plain = f"{m['plain_sql_median_ms']:,.1f} / {m['plain_sql_p95_ms']:,.1f}"
        runs = (
            m["runs"] if m["plain_runs"] == m["runs"] else f"{m['runs']} (plain {m['plain_runs']})"
        )
        lines.append(
            f"| {m['name']}{same} | {m['median_ms']:,.1f} / {m['p95_ms']:,.1f} | {plain} | "
            f"{m['ratio'] if m['ratio'] is not None else '—'} | {goal} | {runs} |"
        )
    imported = result.get("import")
    if imported:
        lines.append(
            f"| bulk import {imported['rows']:,} rows | {imported['rows_per_s']:,} rows/s | "
            f"{imported['plain_sql_rows_per_s']:,} rows/s (COPY) | {imported['ratio']} | "
            f"{import_goal(imported)} | 1 |"
        )
    app = result.get("app")
    if app and "rss_mb" in app:
        ok = app["peak_rss_mb"] < RSS_GOAL_MB
        lines.append(
            f"| app memory (every page, an F1 and an F1+F2 trace) | {app['rss_mb']:,.0f} MB RSS, "
            f"peak {app['peak_rss_mb']:,.0f} MB | | | < {RSS_GOAL_MB} MB {'✓' if ok else '✗'} | 1 |"
        )
    elif app:
        lines.append(f"| app memory | {app.get('skipped') or app.get('failed')} | | | | |")
    traced = [m for m in result["measures"] if "contacts" in m]
    if traced:
        lines += ["", "Traces: " + "; ".join(
            f"{m['name']}: {m['contacts']['visits']} visits, {m['contacts']['f1']:,} F1, "
            f"{m['contacts']['f2']:,} F2" for m in traced
        )]  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--slow-repeats",
        type=int,
        default=SLOW_REPEATS,
        help="runs of a measure over 5 s (a run over 60 s counts as the first)",
    )
    parser.add_argument("--import-rows", type=int, default=200_000)
    parser.add_argument("--skip-app", action="store_true", help="do not measure the app")
    args = parser.parse_args()
    if make_url(args.database_url).get_backend_name() != "postgresql":
        print("bench/run.py measures PostgreSQL (city scale)", file=sys.stderr)
        return 2
    if args.repeats < 5:
        print("--repeats must be at least 5", file=sys.stderr)
        return 2

    url = bench_database(args.database_url, args.checkins, reuse=True)
    bench = Bench(url, args.warmup, args.repeats, max(1, args.slow_repeats))
    engine = bench.engine
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar()
    print("traces …", file=sys.stderr)
    typical_case = traces(bench, engine)
    print("dashboards …", file=sys.stderr)
    dashboards(bench, engine)
    venue_pages(bench, engine)
    export(bench, engine)
    print("import …", file=sys.stderr)
    imported = bulk_import(engine, args.import_rows) if args.import_rows else None
    app = None
    if not args.skip_app:
        print("app …", file=sys.stderr)
        try:
            app = app_memory(url, typical_case)
        except Exception as error:  # noqa: BLE001 - the other figures are still worth keeping
            app = {"failed": f"{error.__class__.__name__}: {str(error).splitlines()[0]}"}
            print(f"  the app's memory was not measured: {app['failed']}", file=sys.stderr)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "postgresql": version,
        "database": make_url(url).database,
        "counts": counts(engine),
        "warmup": args.warmup,
        "repeats": args.repeats,
        "slow_repeats": bench.slow_repeats,
        "measures": bench.results,
        "import": imported,
        "app": app,
    }
    engine.dispose()
    bench.plain.dispose()
    table = markdown(result)
    print(table)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
