"""Early warning speed: the ward x day read from the daily rollup and the space-time scan of a
day (999 replicates by default), on an existing database.

    python bench/early_warning.py --database-url URL --date 2021-08-15 [--repeats 3]

Prints the time of the read (queries.space_time_clusters.ward_day_counts over the settings'
window) and of the scan (rules.space_time_scan via scan_counts), each the best of --repeats
after a first run, and the clusters found. The goal (issue K): the scan of a day over 273
wards with 999 replicates, with the ward hot spots, under 2 s at 20M check-ins.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.settings import ClusterSettings, get_settings  # noqa: E402
from db.engine import make_engine  # noqa: E402
from queries.space_time_clusters import scan_counts, ward_day_counts  # noqa: E402

Result = TypeVar("Result")


def best_of(repeats: int, work: Callable[[], Result]) -> tuple[Result, float]:
    """work()'s result and its best wall time in seconds over 1 + repeats runs (the first
    warms caches and is not counted unless it is the only one)."""
    started = time.perf_counter()
    result = work()
    times = [time.perf_counter() - started]
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return result, min(times[1:] or times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--replicates", type=int, default=None, help="default: the setting")
    args = parser.parse_args(argv)

    settings = get_settings()
    cluster_settings: ClusterSettings = settings.clusters
    if args.replicates:
        cluster_settings = cluster_settings.model_copy(update={"replicates": args.replicates})
    engine = make_engine(args.database_url)
    try:
        with engine.connect() as connection:
            counts, read_s = best_of(
                args.repeats,
                lambda: ward_day_counts(
                    connection, args.date, cluster_settings.window_days, settings.zone
                ),
            )
    finally:
        engine.dispose()
    report, scan_s = best_of(args.repeats, lambda: scan_counts(counts, cluster_settings))

    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(
        f"window {counts.first} … {counts.last}: {int(counts.declarations.sum()):,} "
        f"declarations, {int(counts.at_risk.sum()):,} at risk, {len(counts.wards)} wards"
    )
    print(f"ward-day read: {read_s * 1000:,.1f} ms")
    print(f"space-time scan ({report.replicates:,} replicates): {scan_s * 1000:,.0f} ms")
    for cluster in report.clusters:
        print(
            f"  {cluster.rank}. {len(cluster.ward_codes)} wards from {cluster.ward_codes[0]}, "
            f"{cluster.days} d: {cluster.observed} / {cluster.expected:.1f}, "
            f"LLR {cluster.llr:.2f}, p {cluster.p_value:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
