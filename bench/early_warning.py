"""Early warning speed: the ward hot spots of a day (the ward read and Gi* with the settings'
permutations) and the space-time scan of it (the ward x day read and 999 replicates), on an
existing database.

    python bench/early_warning.py --database-url URL --date 2021-08-15 [--repeats 3]

Prints the time of each read (queries.hot_spots.ward_counts for the day,
queries.space_time_clusters.ward_day_counts over the settings' window) and of each computation
(geo.hot_spots.hot_spots; rules.space_time_scan via scan_counts), each the best of --repeats
after a first run, their total, the hot wards and the clusters found. The goal (issue K): the
hot spots and the scan of a day over 273 wards, 999 replicates, under 2 s at 20M check-ins.
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
from geo.hot_spots import city_wards, hot_spots  # noqa: E402
from geo.ward_neighbours import city_graph  # noqa: E402
from queries.hot_spots import ward_counts  # noqa: E402
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
    boundary = str(settings.boundary_file) if settings.boundary_file else None
    graph, wards = city_graph(boundary), city_wards()  # cached by the app once per process
    try:
        with engine.connect() as connection:
            ward_totals, hot_read_s = best_of(
                args.repeats,
                lambda: ward_counts(connection, args.date, args.date, settings.zone, None),
            )
            counts, read_s = best_of(
                args.repeats,
                lambda: ward_day_counts(
                    connection, args.date, cluster_settings.window_days, settings.zone
                ),
            )
    finally:
        engine.dispose()
    spots = settings.hot_spots
    hot, hot_s = best_of(
        args.repeats,
        lambda: hot_spots(
            ward_totals,
            graph,
            wards,
            alpha=spots.alpha,
            permutations=spots.permutations,
            seed=spots.seed,
        ),
    )
    report, scan_s = best_of(args.repeats, lambda: scan_counts(counts, cluster_settings))

    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    print(
        f"window {counts.first} … {counts.last}: {int(counts.declarations.sum()):,} "
        f"declarations, {int(counts.at_risk.sum()):,} at risk, {len(counts.wards)} wards"
    )
    print(f"hot spots: ward read {hot_read_s * 1000:,.1f} ms, Gi* ({spots.permutations:,} "
          f"permutations) {hot_s * 1000:,.0f} ms; hot wards: "
          f"{', '.join(hot.loc[hot['hot'], 'ward_name']) or 'none'}")  # fmt: skip
    print(f"ward-day read: {read_s * 1000:,.1f} ms")
    print(f"space-time scan ({report.replicates:,} replicates): {scan_s * 1000:,.0f} ms")
    total = hot_read_s + hot_s + read_s + scan_s
    print(f"total: {total * 1000:,.0f} ms (goal < 2,000 ms)")
    for cluster in report.clusters:
        print(
            f"  {cluster.rank}. {len(cluster.ward_codes)} wards from {cluster.ward_codes[0]}, "
            f"{cluster.days} d: {cluster.observed} / {cluster.expected:.1f}, "
            f"LLR {cluster.llr:.2f}, p {cluster.p_value:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
