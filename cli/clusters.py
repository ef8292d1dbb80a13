"""clusters: the space-time clusters of at-risk declarations still going on on a day."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from cli._common import database_error
from cli.trace import iso_date
from config.settings import Settings
from db.engine import make_engine
from queries.geography import list_districts
from queries.space_time_clusters import ClusterReport, SpaceTimeCluster, space_time_clusters
from rules.local_time import today_local


def cluster_json(cluster: SpaceTimeCluster, districts: dict[str, str]) -> dict[str, Any]:
    return {
        "rank": cluster.rank,
        "wards": [
            {
                "code": code,
                "name": name,
                "district_code": district,
                "district": districts.get(district, ""),
            }
            for code, name, district in zip(
                cluster.ward_codes, cluster.ward_names, cluster.district_codes, strict=True
            )
        ],  # fmt: skip
        "first_day": cluster.first_day.isoformat(),
        "last_day": cluster.last_day.isoformat(),
        "days": cluster.days,
        "observed": cluster.observed,
        "expected": round(cluster.expected, 3),
        "observed_over_expected": round(cluster.ratio, 3),
        "llr": round(cluster.llr, 4),
        "p_value": cluster.p_value,
        "recurrence_interval_days": round(cluster.recurrence_days, 1),
    }


def report_json(report: ClusterReport, districts: dict[str, str]) -> dict[str, Any]:
    return {
        "day": report.day.isoformat(),
        "window": {"first_day": report.first_day.isoformat(), "last_day": report.day.isoformat()},
        "at_risk_declarations": report.cases,
        "declarations": report.declarations,
        "replicates": report.replicates,
        "clusters": [cluster_json(cluster, districts) for cluster in report.clusters],
    }


def _text(report: ClusterReport, districts: dict[str, str]) -> str:
    lines = [
        f"Space-time clusters of at-risk declarations ending {report.day} "
        f"(window {report.first_day} … {report.day}: {report.cases:,} at-risk of "
        f"{report.declarations:,} declarations; {report.replicates:,} replicates)"
    ]
    if not report.clusters:
        lines.append("No ward has more at-risk declarations than expected on the last days.")
    for cluster in report.clusters:
        wards = "; ".join(
            f"{name} ({code}, {districts.get(district, district)})"
            for code, name, district in zip(
                cluster.ward_codes, cluster.ward_names, cluster.district_codes, strict=True
            )
        )
        lines.append(
            f"{cluster.rank}. {cluster.first_day} … {cluster.last_day} ({cluster.days} d): "
            f"observed {cluster.observed}, expected {cluster.expected:.1f}, "
            f"O/E {cluster.ratio:.2f}, LLR {cluster.llr:.2f}, p {cluster.p_value:.3f}, "
            f"recurrence interval {_plural(round(cluster.recurrence_days), 'day')}"
        )
        lines.append(f"   {_plural(len(cluster.ward_codes), 'ward')}: {wards}")
    return "\n".join(lines)


def cmd_clusters(args: argparse.Namespace, settings: Settings) -> int:
    day: date = args.date or today_local(settings.zone)
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            report = space_time_clusters(connection, day, settings.zone, settings.clusters)
            districts = dict(zip(*[list_districts(connection)[c] for c in ("code", "name")],
                                 strict=True))  # fmt: skip
    except SQLAlchemyError as error:
        return database_error("clusters", error)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(report_json(report, districts), ensure_ascii=False, indent=2))
    else:
        print(_text(report, districts))
    sys.stdout.flush()
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "clusters",
        help="space-time clusters of at-risk declarations still going on on a day "
        "(prospective space-time permutation scan; docs/early-warning.md)",
    )
    parser.add_argument(
        "--date", type=iso_date, help="the local day analysed, YYYY-MM-DD (default: today)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=cmd_clusters)


def _plural(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
