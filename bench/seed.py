"""Seed throughput: the demo city through the product's write path, against plain SQL.

    python bench/seed.py --checkins 1000000 [--database-url URL] [--out FILE.json]

Builds the demo city in a fresh database (a new PostgreSQL database next to the one in the URL,
or a new SQLite file), reports check-ins per second, then loads one more batch twice on the
same data: once through write_checkins (staging, idempotency check, rollups) and once with plain
SQL straight into the check-in table (COPY on PostgreSQL, executemany on SQLite, no rollups).
The ratio is the price of the write path over the plainest load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.plain_load import plain_load  # noqa: E402
from bench.scratch_database import fresh_database  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.schema import person, venue  # noqa: E402
from ingest.demo_city import build_demo_city  # noqa: E402
from queries.setup import init_db  # noqa: E402
from queries.writes import write_checkins  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg2://kbyt:kbyt@127.0.0.1:5432/kbyt"
BATCH = 200_000


def batch(engine: Engine, size: int, offset: int) -> pd.DataFrame:
    rng = np.random.default_rng(offset)
    with engine.connect() as connection:
        venue_ids = np.array(connection.scalars(select(venue.c.id)).all())
        person_ids = np.array(connection.scalars(select(person.c.id)).all())
    start = int(datetime.now(UTC).timestamp()) - 86_400
    checked_in = start + rng.integers(0, 86_400, size)
    return pd.DataFrame(
        {
            "person_id": rng.choice(person_ids, size),
            "venue_id": rng.choice(venue_ids, size),
            "checked_in_at": checked_in,
            "checked_out_at": pd.Series(checked_in + 1800, dtype="Int64"),
            "channel": "import",
            "declared_by_person_id": pd.Series([None] * size, dtype="Int64"),
            "symptoms": "",
            "exposures": "",
            "risk_level": 0,
            "risk_reasons": "",
            "source": "bench",
            "external_id": [f"B{offset}-{i}" for i in range(size)],
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url, drop = fresh_database(make_url(args.database_url).get_backend_name(), args.database_url)
    engine = make_engine(url)
    init_db(engine)
    summary = build_demo_city(engine, checkins=args.checkins, days=14, seed=2021)

    ours_frame, plain_frame = batch(engine, BATCH, 1), batch(engine, BATCH, 2)
    started = time.perf_counter()
    with engine.begin() as connection:
        write_checkins(connection, ours_frame)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    plain_load(engine, plain_frame)
    plain = time.perf_counter() - started
    engine.dispose()
    if not args.keep:
        drop()

    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "engine": make_url(url).get_backend_name(),
        "checkins": summary.checkins,
        "venues": summary.venues,
        "people": summary.people,
        "seed_seconds": round(summary.seconds, 1),
        "seed_rows_per_s": round(summary.rows_per_second),
        "batch_rows": BATCH,
        "write_path_rows_per_s": round(BATCH / ours),
        "plain_sql_rows_per_s": round(BATCH / plain),
        "ratio": round(ours / plain, 2),
    }
    print(
        f"| engine | check-ins | seed rows/s | write path rows/s | plain SQL rows/s | ratio |\n"
        f"|---|---|---|---|---|---|\n"
        f"| {result['engine']} | {result['checkins']:,} | {result['seed_rows_per_s']:,} | "
        f"{result['write_path_rows_per_s']:,} | {result['plain_sql_rows_per_s']:,} | "
        f"{result['ratio']} |"
    )
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
