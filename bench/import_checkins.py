"""Import throughput: a check-in CSV through ingest.imports, against plain SQL on the same rows.

    python bench/import_checkins.py [--rows 200000] [--days 1] [--engines postgresql,sqlite]
                                    [--database-url URL] [--chunk-size N] [--out FILE.json]

For each engine: a fresh database with the demo city's venues (11,730), a generated CSV of N
check-ins at them in time order over D days (phones written in the forms people use, 1 % with
symptoms, a third with a check-out), imported with import_checkins (parse, validate, people,
write path with rollups, one transaction per chunk). Then the same rows, already resolved to
person and venue ids, go straight into the check-in table with plain SQL (COPY on PostgreSQL,
executemany on SQLite; no validation, no idempotency check, no rollups) into the same
database. Prints a Markdown table: rows/s of both, their ratio, and where the import's time
went (reading, validation, and the write path's statements).
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, event, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.plain_load import plain_load  # noqa: E402
from bench.scratch_database import fresh_database  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.schema import person, venue  # noqa: E402
from ingest.demo_city import build_demo_city  # noqa: E402
from ingest.demo_names import (  # noqa: E402
    FAMILY_NAMES,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    MIDDLE_NAMES_FEMALE,
    MIDDLE_NAMES_MALE,
    MOBILE_PREFIXES,
)
from ingest.imports import DEFAULT_CHUNK_ROWS, import_checkins  # noqa: E402
from queries.setup import init_db  # noqa: E402
from rules.phone import normalize_phone  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg2://kbyt:kbyt@127.0.0.1:5432/kbyt"
HEADER = ["external_id", "venue_ref", "phone", "full_name", "checked_in_at", "checked_out_at",
          "channel", "symptoms", "exposures"]  # fmt: skip


def generate(
    path: Path,
    refs: list[str],
    rows: int,
    days: float,
    seed: int = 2021,
    end: datetime | None = None,
) -> None:
    """N check-ins in time order over the `days` days before `end` (default: five hours ago,
    so that check-outs of up to four hours are in the past), at the given venues."""
    rng = np.random.default_rng(seed)
    n_people = max(1_000, rows // 8)
    family = np.array([name for name, _ in FAMILY_NAMES])
    weights = np.array([share for _, share in FAMILY_NAMES])
    female = rng.random(n_people) < 0.5
    names = [
        f"{family[f]} {(MIDDLE_NAMES_FEMALE if w else MIDDLE_NAMES_MALE)[m % 10]} "
        f"{(GIVEN_NAMES_FEMALE if w else GIVEN_NAMES_MALE)[g % 33]}"
        for f, w, m, g in zip(
            rng.choice(len(family), n_people, p=weights / weights.sum()), female,
            rng.integers(10, size=n_people), rng.integers(33, size=n_people), strict=True,
        )
    ]  # fmt: skip
    prefixes = np.array(MOBILE_PREFIXES)[rng.integers(len(MOBILE_PREFIXES), size=n_people)]
    numbers = rng.choice(10_000_000, n_people, replace=False)
    forms = ("+84{p}{n:07d}", "0{p}{n:07d}", "0{p} {a:03d} {b:04d}", "84{p}{n:07d}")
    styles = rng.choice(len(forms), n_people, p=[0.6, 0.25, 0.1, 0.05])
    phones = [
        forms[s].format(p=p, n=n, a=n // 10_000, b=n % 10_000)
        for p, n, s in zip(prefixes, numbers, styles, strict=True)
    ]
    last = int(end.timestamp()) if end else int(datetime.now(UTC).timestamp()) - 5 * 3600
    starts = np.sort(last - (rng.random(rows) * days * 86_400).astype(np.int64))
    who = rng.integers(n_people, size=rows)
    where = rng.integers(len(refs), size=rows)
    stay = rng.integers(5, 240, size=rows) * 60
    has_out = rng.random(rows) < 0.35
    sick = rng.random(rows) < 0.01
    channels = np.array(["self", "proxy", "staff", "advance", ""])[
        rng.choice(5, rows, p=[0.78, 0.08, 0.08, 0.03, 0.03])
    ]
    local = pd.to_datetime(starts, unit="s", utc=True).tz_convert("Asia/Ho_Chi_Minh")
    local_out = pd.to_datetime(starts + stay, unit="s", utc=True).tz_convert("Asia/Ho_Chi_Minh")
    ins = local.strftime("%Y-%m-%dT%H:%M:%S+07:00")
    outs = local_out.strftime("%Y-%m-%dT%H:%M:%S+07:00")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow([
                f"BENCH-{i:08d}", refs[where[i]], phones[who[i]], names[who[i]], ins[i],
                outs[i] if has_out[i] else "", channels[i], "fever;cough" if sick[i] else "",
                "case_contact" if sick[i] and i % 3 == 0 else "",
            ])  # fmt: skip


class StatementClock:
    """Time spent in each kind of SQL statement, from the driver's point of view."""

    def __init__(self, engine: Engine) -> None:
        self.seconds: dict[str, float] = collections.defaultdict(float)
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, params, context, executemany) -> None:  # noqa: ANN001
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, params, context, executemany) -> None:  # noqa: ANN001
        words = statement.split()
        what = " ".join(words[:3]) if words[0] in ("INSERT", "COPY") else words[0]
        if "checkin_stage.line FROM checkin_stage WHERE" in " ".join(words):
            what = "SELECT duplicates"
        self.seconds[what] += time.perf_counter() - conn.info.pop("bench_started")


def plain_rows(engine: Engine, path: Path) -> pd.DataFrame:
    """The CSV's rows resolved to ids, as plain SQL would get them (not timed)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    with engine.connect() as connection:
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        people = {
            (phone, name): pid
            for pid, phone, name in connection.execute(
                select(person.c.id, person.c.phone, person.c.full_name)
            )
        }
    phones = frame["phone"].map(normalize_phone)
    times_in = pd.to_datetime(frame["checked_in_at"], utc=True, format="ISO8601")
    times_out = pd.to_datetime(frame["checked_out_at"].replace("", None), utc=True,
                               format="ISO8601")  # fmt: skip
    return pd.DataFrame(
        {
            "person_id": [people[p] for p in zip(phones, frame["full_name"], strict=True)],
            "venue_id": frame["venue_ref"].map(venues).astype(np.int64),
            "checked_in_at": _epoch(times_in),
            "checked_out_at": pd.Series(
                np.where(times_out.notna(), _epoch(times_out.fillna(times_in)), 0)
            )
            .astype("Int64")
            .mask(times_out.isna().to_numpy()),
            "channel": frame["channel"].replace("", "import"),
            "declared_by_person_id": pd.array([pd.NA] * len(frame), dtype="Int64"),
            "symptoms": frame["symptoms"],
            "exposures": frame["exposures"],
            "risk_level": np.where(frame["symptoms"] != "", 2, 0),
            "risk_reasons": "",
            "source": "bench-plain",
            "external_id": frame["external_id"],
        }
    )


def _epoch(times: pd.Series) -> np.ndarray:
    """Epoch seconds of aware times, whatever the series' resolution (pandas 3 may not use
    nanoseconds)."""
    return ((times - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy(np.int64)


def run(engine_name: str, args: argparse.Namespace, workdir: Path) -> dict:
    url, drop = fresh_database(engine_name, args.database_url)
    engine = make_engine(url)
    try:
        init_db(engine)
        build_demo_city(engine, checkins=1_000, days=1, seed=2021)  # the demo venues
        csv_path = workdir / "checkins.csv"
        if not csv_path.exists():
            with engine.connect() as connection:
                refs = connection.scalars(select(venue.c.venue_ref).order_by(venue.c.id)).all()
            generate(csv_path, list(refs), args.rows, args.days)
        clock = StatementClock(engine)
        report = import_checkins(engine, csv_path, source="bench", chunk_size=args.chunk_size)
        statements = dict(clock.seconds)
        frame = plain_rows(engine, csv_path)
        started = time.perf_counter()
        plain_load(engine, frame)
        plain = time.perf_counter() - started
    finally:
        engine.dispose()
        drop()
    write_path = sum(statements.values())
    # COPY into the staging tables (psycopg2's copy_expert), frame handling and commits are
    # not cursor executions: they are the write time the statements do not explain.
    statements["rest of the write (COPY to stage, frames, commit)"] = max(
        report.timings["write"] - write_path, 0.0
    )
    return {
        "engine": engine_name,
        "rows": report.read,
        "imported": report.imported,
        "rejected": report.rejected,
        "file_mb": round(csv_path.stat().st_size / 1e6, 1),
        "chunk_size": args.chunk_size,
        "import_seconds": round(report.seconds, 2),
        "import_rows_per_s": round(report.read / report.seconds),
        "plain_sql_rows_per_s": round(len(frame) / plain),
        "ratio": round(report.seconds / plain, 2),
        "read_s": round(report.timings["read"], 2),
        "validate_s": round(report.timings["validate"], 2),
        "write_s": round(report.timings["write"], 2),
        "sql_s": round(write_path, 2),
        "statements_s": {
            k: round(v, 2) for k, v in sorted(statements.items(), key=lambda i: -i[1])
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--days", type=float, default=1.0, help="the rows' time span")
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for engine_name in args.engines.split(","):
            results.append(run(engine_name.strip(), args, Path(workdir)))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"{args.rows:,} check-ins over {args.days:g} day(s), chunks of {args.chunk_size:,}; "
          f"{machine}\n")  # fmt: skip
    print("| engine | rows | import rows/s | plain SQL rows/s | ratio | read s | validate s "
          "| write s (SQL s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['engine']} | {r['rows']:,} | {r['import_rows_per_s']:,} | "
              f"{r['plain_sql_rows_per_s']:,} | {r['ratio']} | {r['read_s']} | "
              f"{r['validate_s']} | {r['write_s']} ({r['sql_s']}) |")  # fmt: skip
    print("\nWrite path, seconds per statement kind:\n")
    for r in results:
        parts = ", ".join(f"{k}: {v}" for k, v in list(r["statements_s"].items())[:8])
        print(f"- {r['engine']}: {parts}")
    if args.out:
        args.out.write_text(
            json.dumps({"date": datetime.now(UTC).isoformat(timespec="seconds"),
                        "machine": machine, "results": results}, indent=2)
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
