"""Partner API throughput: check-ins/s through POST /api/v1/checkins over real HTTP.

    python bench/api_ingest.py [--rows 100000] [--batch 5000] [--clients 1]
                               [--database-url URL] [--in-process] [--profile FILE.prof]

A fresh PostgreSQL database with the demo city's venues (11,730); the rows of
bench/import_checkins.py's generator (phones in the forms people use, 1 % with symptoms, a
third with a check-out) as JSON arrays of --batch rows, posted by --clients threads to the API.
The server runs as `make run` runs it, in its own process (`streamlit run server.py`, as
bench/app_server.start_under_load, with the API's rate and body limits raised); --in-process
serves the API with uvicorn in this process instead, where the clients' threads share its
interpreter lock (measured so before 2 December). Prints check-ins/s (stored rows over wall
time), the mean and worst request time and the CPU per check-in of the server process, the
PostgreSQL backends, the clients (this process) and the whole machine.
With --profile the same bodies skip HTTP and go to the handler's worker function
(web.api.ingest: parse, import, audit) in this thread under cProfile, whose statistics are
written to the file (cProfile sees one thread only).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.app_server import start_under_load  # noqa: E402
from bench.backend_watch import BackendWatch  # noqa: E402
from bench.import_checkins import DEFAULT_POSTGRES, generate  # noqa: E402
from bench.proc_stats import machine_cpu_s, process_cpu_s, self_cpu_s  # noqa: E402
from bench.scratch_database import fresh_database  # noqa: E402
from bench.web_server import serve  # noqa: E402
from config.settings import load_settings  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.schema import venue  # noqa: E402
from ingest.demo_city import build_demo_city  # noqa: E402
from queries.api_keys import create_api_key  # noqa: E402
from queries.setup import init_db  # noqa: E402
from web.api import ingest  # noqa: E402
from web.context import WebContext, build_context  # noqa: E402


def batches(path: Path, size: int) -> list[bytes]:
    """The CSV's rows as JSON array bodies (empty optional fields left out, as a partner's
    serialiser would)."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [{k: v for k, v in r.items() if v} for r in csv.DictReader(handle)]
    return [
        json.dumps(rows[start : start + size], ensure_ascii=False).encode()
        for start in range(0, len(rows), size)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--in-process", action="store_true", help="uvicorn in this process")
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()

    url, drop = fresh_database("postgresql", args.database_url)
    try:
        engine = make_engine(url)
        init_db(engine)
        build_demo_city(engine, checkins=1_000, days=1, seed=2021)  # the demo venues
        with engine.begin() as connection:
            key = create_api_key(connection, "bench", "bench")
            refs = connection.scalars(select(venue.c.venue_ref).order_by(venue.c.id)).all()
        engine.dispose()
        with tempfile.TemporaryDirectory() as workdir:
            path = Path(workdir) / "checkins.csv"
            generate(path, list(refs), args.rows, 1.0)
            bodies = batches(path, args.batch)
        settings = load_settings(
            database_url=url,
            secret_key="bench",
            public={"api_rate_per_key": "100000/minute", "api_max_body_bytes": 64 * 1024**2},
        )
        cpu: dict[str, float] = {}
        if args.profile or args.in_process:
            context = build_context(settings)
            if args.profile:
                results, seconds = profiled(context, bodies, args.profile)
            else:
                with serve(context) as base_url:
                    results, seconds = over_http(base_url, key, bodies, args.clients)
            context.engine.dispose()
        else:
            server = start_under_load(url, API_LIMITS)
            print(f"server pid {server.process.pid}, log {server.log}", file=sys.stderr)
            backends = BackendWatch(url.rsplit("/", 1)[-1])
            try:
                backends.start()
                before = _cpu(server.process.pid, backends)
                results, seconds = over_http(server.url, key, bodies, args.clients)
                after = _cpu(server.process.pid, backends)
                cpu = {name: after[name] - before[name] for name in after}
            finally:
                backends.stop()
                server.stop()
    finally:
        drop()
    stored = sum(n for _, n in results)
    times = [t for t, _ in results]
    server_kind = "in this process" if args.in_process else "process"
    where = f"{args.clients} client(s), server {server_kind}"
    where = "no HTTP, profiled" if args.profile else where
    cpu_text = (
        "; CPU per check-in: "
        + ", ".join(f"{name} {value / stored * 1e6:,.0f} µs" for name, value in cpu.items())
        if cpu
        else ""
    )
    print(
        f"{stored:,} check-ins stored in {len(bodies)} requests of {args.batch:,} rows, "
        f"{where}: {stored / seconds:,.0f} check-ins/s; request mean "
        f"{statistics.mean(times) * 1000:,.0f} ms, worst {max(times) * 1000:,.0f} ms{cpu_text}"
    )
    return 0


def _cpu(server_pid: int, backends: BackendWatch) -> dict[str, float]:
    """CPU seconds so far of the server process, the PostgreSQL backends of the bench
    database, this process (the clients) and the whole machine (what else ran shows as the
    difference)."""
    return {
        "server": process_cpu_s(server_pid),
        "PostgreSQL": backends.cpu_s()[0],
        "clients": self_cpu_s(),
        "machine": machine_cpu_s()[0],
    }


# The API's limits raised for the run: one key sends everything, in bodies of up to 64 MB.
API_LIMITS = {
    "KBYT_PUBLIC__API_RATE_PER_KEY": "100000/minute",
    "KBYT_PUBLIC__API_MAX_BODY_BYTES": str(64 * 1024**2),
}


def over_http(
    base_url: str, key: str, bodies: list[bytes], clients: int
) -> tuple[list[tuple[float, int]], float]:
    session = threading.local()

    def send(body: bytes) -> tuple[float, int]:
        client = getattr(session, "client", None) or requests.Session()
        session.client = client
        started = time.perf_counter()
        answer = client.post(
            base_url + "/api/v1/checkins",
            data=body,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            timeout=300,
        )
        answer.raise_for_status()
        return time.perf_counter() - started, answer.json()["stored"]

    send(b"[]")  # connections and caches warm
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(send, bodies))
    return results, time.perf_counter() - started


def profiled(
    context: WebContext, bodies: list[bytes], out: Path
) -> tuple[list[tuple[float, int]], float]:
    profiler = cProfile.Profile()
    results = []
    started = time.perf_counter()
    for body in bodies:
        clock = time.perf_counter()
        profiler.enable()
        answer = ingest(context, "bench", body, "application/json")
        profiler.disable()
        results.append((time.perf_counter() - clock, answer.body["stored"]))
    seconds = time.perf_counter() - started
    profiler.dump_stats(out)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return results, seconds


if __name__ == "__main__":
    sys.exit(main())
