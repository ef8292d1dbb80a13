"""Where each question's work goes on a Citus cluster: every statement a question sends,
EXPLAINed on the coordinator, with the number of shard tasks Citus plans for it (1: a router
query to one shard, or a reference table; the shard count: every shard; none: the
coordinator's own tables). Issue 17; the figures go into docs/scaling.md §5.

    python bench/citus_plans.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5441/kbyt_bench_1000000

The database is one bench/run.py built on the coordinator (the demo city ending 16 Aug 2021).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, Engine, event, func, select, text  # noqa: E402

from bench.trace import DEMO_DAYS, DEMO_END, pick_cases  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.schema import checkin  # noqa: E402
from queries.heatmap import venue_density  # noqa: E402
from queries.kpis import area_table, daily_kpis, daily_series  # noqa: E402
from queries.risk import risk_list  # noqa: E402
from queries.trace import TraceRules, case_visits, trace  # noqa: E402
from queries.venues import venue_timeline, who_checked_in  # noqa: E402
from rules.access import Scope  # noqa: E402
from rules.local_time import CITY_ZONE  # noqa: E402

TASKS = re.compile(r"Task Count: (\d+)")
ADMIN = Scope("bench", "admin")


def statements_of(engine: Engine, question: Callable[[Connection], Any]) -> list[tuple[str, Any]]:
    """The (SQL, parameters) of every statement the question sends, in order."""
    sent: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    with engine.connect() as connection:
        event.listen(engine, "before_cursor_execute", seen)
        try:
            question(connection)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    return sent


def task_counts(engine: Engine, statement: str, parameters: Any) -> list[int] | None:
    """Citus's task count of each distributed step of the statement's plan; None when the
    plan has no Citus step (coordinator tables only)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"EXPLAIN (COSTS OFF) {statement}", parameters)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    finally:
        raw.rollback()
        raw.close()
    if "Citus" not in plan:
        return None
    return [int(n) for n in TASKS.findall(plan)]


def questions(engine: Engine) -> dict[str, Callable[[Connection], Any]]:
    rules = TraceRules()
    cases = pick_cases(engine, rules)
    typical = next(case for label, case in cases.items() if label.startswith("typical"))
    last = (DEMO_END - timedelta(days=1)).date()
    first = last - timedelta(days=DEMO_DAYS - 1)
    start, end = DEMO_END - timedelta(days=1), DEMO_END
    with engine.connect() as connection:
        busiest: int | None = connection.scalar(
            select(checkin.c.venue_id)
            .where(checkin.c.checked_in_at >= start)
            .group_by(checkin.c.venue_id)
            .order_by(func.count().desc())
            .limit(1)
        )
    assert busiest is not None, "an empty city"

    def f(depth: int) -> Callable[[Connection], Any]:
        return lambda c: trace(
            c, typical["case"], typical["since_at"], typical["until_at"], rules, depth
        )

    return {
        "a case's visits": lambda c: case_visits(
            c, typical["case"], typical["since_at"], typical["until_at"], rules
        ),
        "F1 (typical case)": f(1),
        "F1+F2 (typical case)": f(2),
        "heat map 14 days": lambda c: area_table(c, first, last, CITY_ZONE, None),
        "density layer 14 days": lambda c: venue_density(c, first, last, CITY_ZONE, None),
        "KPIs 1 day": lambda c: daily_kpis(c, last, CITY_ZONE, None),
        "KPIs 14 days": lambda c: daily_series(c, first, last, CITY_ZONE, None),
        "timeline hour (busiest venue)": lambda c: venue_timeline(c, busiest, start, end, 60),
        "who was there (busiest venue)": lambda c: who_checked_in(c, busiest, start, end, ADMIN),
        "risk list page": lambda c: risk_list(c, start, end, None, ADMIN),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    with engine.connect() as connection:
        shards = connection.scalar(
            text("SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'checkin'::regclass")
        )
    print(f"check-in shards: {shards}\n")
    print("| question | statements | Citus tasks per statement |")
    print("|---|---|---|")
    for label, question in questions(engine).items():
        counts = []
        for statement, parameters in statements_of(engine, question):
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            tasks = task_counts(engine, statement, parameters)
            counts.append("coordinator" if tasks is None else "+".join(map(str, tasks)))
        shown = ", ".join(counts)
        print(f"| {label} | {len(counts)} | {shown} |")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
