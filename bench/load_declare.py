"""Load on the public declaration form: declarations per second, latency and CPU per declaration.

    python bench/load_declare.py --database-url URL --seconds 30 --concurrency 32
                                 [--checkins 100000] [--out FILE.json] [--streamlit-sessions 10]
                                 [--warmup 3] [--post-only-seconds S] [--reuse] [--keep]
    python bench/load_declare.py --summarise-profile FILE

The database: on PostgreSQL a database named as in the URL (it must start with kbyt_bench),
created next to the URL's for the run (through the same role on the database `kbyt`) and dropped
afterwards unless --keep; --reuse keeps one that already holds venues (and keeps it). On SQLite
(`sqlite://`) a file in a temporary directory. `manage.py init-db` and `manage.py seed-demo
--checkins N` fill it; the active venues' QR tokens are read back.

The server is started as `make run` starts it: `streamlit run server.py --server.headless true`
(Streamlit's ASGI app under uvicorn, one process) with KBYT_SECRET_KEY=bench, no demo seeding,
and the public rate limits raised to 1,000,000/minute per address and per venue, because all of
the load comes from 127.0.0.1.

--concurrency clients (aiohttp, keep-alive connections) then declare, after --warmup seconds
that are not counted, for --seconds:

- GET + POST, the realistic flow: each declaration is a new resident (no cookie) who opens the
  form of a random venue (GET /declare?v=…: hidden v, submission and csrf_token, the kbyt_form
  cookie) and sends it (POST /declare/self) with a random name, phone and answers (about 10 %
  with a symptom). Latency of the pair, and of the POST alone.
- POST only (--post-only-seconds, default --seconds; 0 skips it): each client opens one form,
  then posts declarations with that cookie and token and a fresh random submission key.

A declaration succeeds on 200 with a body holding `class="confirmation`. Every other outcome is
counted by kind (HTTP status, exception, 200 without a confirmation), and bodies that say
"database is locked" or "Traceback" are counted apart. Check-ins with source 'kbyt' are counted
before and after: rows stored must equal the successes.

CPU: the server's utime + stime (and its children's, waited-for and live) from /proc over each
measured window, per declaration; the same for the PostgreSQL backends of the bench database
(BackendWatch: they come and go with the server's connection pool, so the sessions opened are
counted too, from pg_stat_database), the load generator (this process) and the whole machine
(/proc/stat), so that what else ran is visible.

Then --streamlit-sessions K: K Streamlit sessions, each a fresh headless Chromium context
(Debian's /usr/bin/chromium through Playwright, bench/chromium.py) opening `/sign_in`
(the dashboard's sign-in page, a Streamlit page; `/` now sends a signed-out browser to the plain
sign-in form) and waiting until the script has run (stApp notRunning), one after another after
one uncounted session; the server's CPU per session. The old QR flow ran one such session per
declaration (the kiosk page, behind sign-in; an administrator is created so that the page
shows what it shows in service): this is the price of a session, not of that page.

The server's pid is printed when the load starts. To see where it spends its CPU, attach py-spy
(not a requirement: pip-install it for the run) from another shell during the GET + POST window,
`py-spy record -d 20 --format raw --gil -o FILE --pid PID`, then `--summarise-profile FILE`
prints the top frames by self time and the product's own frames by total time (with --gil:
Python holding the GIL, so C code that released it, such as SQLite's own work, is not in it).
Started by this script itself, py-spy recorded only a few samples per run on this machine, so
it is not started here.

Before the load, the server's CPU while idle is measured for IDLE_S seconds.

The modules: bench/scratch_database.py (the database), bench/declare_data.py (what is read
from it), bench/app_server.py (the server), bench/form_load.py (the clients),
bench/load_summary.py (a flow's figures), bench/streamlit_sessions.py (the session path),
bench/load_report.py (the report), bench/py_spy_summary.py (--summarise-profile).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.app_server import RATE_LIMITS, AppServer, log_excerpt, start_under_load  # noqa: E402
from bench.backend_watch import BackendWatch, pg_sessions  # noqa: E402
from bench.declare_data import (  # noqa: E402
    database_facts,
    ensure_account,
    stored_declarations,
    venue_tokens,
)
from bench.form_load import Load  # noqa: E402
from bench.load_report import markdown  # noqa: E402
from bench.load_summary import CpuMark, summarise  # noqa: E402
from bench.machine_facts import code_version, load_average, machine  # noqa: E402
from bench.proc_stats import memory_mb, process_cpu_s  # noqa: E402
from bench.py_spy_summary import print_profile  # noqa: E402
from bench.scratch_database import (  # noqa: E402
    drop_database,
    has_venues,
    manage,
    prepare_database,
)
from bench.streamlit_sessions import streamlit_sessions  # noqa: E402

IDLE_S = 5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite://")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument(
        "--venues",
        choices=("weighted", "uniform"),
        default="weighted",
        help="which venue a resident is at: by the venues' share of past check-ins (default), "
        "or any venue alike",
    )
    parser.add_argument("--warmup", type=float, default=3, help="seconds not counted (default 3)")
    parser.add_argument(
        "--post-only-seconds", type=float, default=None, help="default --seconds; 0 skips it"
    )
    parser.add_argument("--streamlit-sessions", type=int, default=10, help="0 skips them")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--reuse", action="store_true", help="reuse (and keep) a seeded database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--summarise-profile", type=Path, metavar="FILE", help="only summarise a py-spy raw file"
    )
    args = parser.parse_args()
    if args.summarise_profile:
        print_profile(args.summarise_profile)
        return 0
    if args.seconds <= 0 or args.concurrency < 1:
        parser.error("--seconds and --concurrency must be positive")
    post_only_seconds = args.seconds if args.post_only_seconds is None else args.post_only_seconds

    load_before = load_average()
    print(f"database … (load average {load_before})", file=sys.stderr)
    database = prepare_database(args.database_url, args.reuse)
    server: AppServer | None = None
    backends: BackendWatch | None = None
    try:
        if not (args.reuse and has_venues(database.url)):
            manage(database.url, "init-db")
            manage(database.url, "seed-demo", "--checkins", str(args.checkins))
        ensure_account(database.url)
        tokens = venue_tokens(database.url, weighted=args.venues == "weighted")
        if not tokens:
            raise SystemExit("no active venue in the database")
        facts = database_facts(database.url, database.engine_name)
        facts["venues"] = len(set(tokens))
        facts["venue_choice"] = args.venues
        facts["name"] = database.name or database.url
        stored_before = stored_declarations(database.url)

        print("server …", file=sys.stderr)
        server = start_under_load(database.url)
        pid = server.process.pid
        print(f"  server pid {pid}, log {server.log}", file=sys.stderr)
        load = Load(server.url, tokens, args.concurrency)
        time.sleep(1)
        idle_before = process_cpu_s(pid)
        time.sleep(IDLE_S)
        idle_cores = (process_cpu_s(pid) - idle_before) / IDLE_S

        backends = BackendWatch(database.name)
        backends.start()

        def mark() -> CpuMark:
            return CpuMark.take(pid, backends)

        flows = []
        phases = [("GET form + POST (new resident each time)", args.seconds, False)]
        if post_only_seconds > 0:
            phases.append(("POST only (one cookie + token per client)", post_only_seconds, True))
        for label, seconds, post_only in phases:
            print(f"{label}: {args.concurrency} clients, {seconds:g} s …", file=sys.stderr)
            marks: dict[str, CpuMark] = {}
            sessions_before = pg_sessions(database.admin_url, database.name)
            out, start, end = asyncio.run(load.run(args.warmup, seconds, post_only, marks, mark))
            flow = summarise(label, out, (start, end), marks)
            if sessions_before is not None:
                time.sleep(1.5)  # backends report their statistics within a second
                after = pg_sessions(database.admin_url, database.name)
                flow["postgresql_sessions_opened"] = (
                    None if after is None else after - sessions_before
                )
            flows.append(flow)
            print(
                f"  {flow['declarations_per_s']:,.1f}/s, p95 {flow['latency_ms']['p95']} ms, "
                f"errors {sum(flow['errors'].values())}",
                file=sys.stderr,
            )
        successes = sum(flow["successes_all"] for flow in flows)
        stored = stored_declarations(database.url) - stored_before
        rss = memory_mb(pid)[0]

        st_result = None
        if args.streamlit_sessions > 0:
            print(f"Streamlit sessions: {args.streamlit_sessions} …", file=sys.stderr)
            try:
                st_result = streamlit_sessions(server.url, pid, args.streamlit_sessions)
            except Exception as error:  # noqa: BLE001 - the form's figures are still worth keeping
                st_result = {"failed": f"{error.__class__.__name__}: {str(error).splitlines()[0]}"}
    finally:
        if backends is not None:
            backends.stop()
        if server is not None:
            server.stop()
        if not args.keep and not args.reuse and database.created:
            drop_database(database)
        else:
            print(f"  database kept: {make_url(database.url)}", file=sys.stderr)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "code": code_version(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "engine": database.engine_name,
        "database": facts,
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "post_only_seconds": post_only_seconds,
        "warmup_s": args.warmup,
        "rate_limits": RATE_LIMITS,
        "server": {
            "command": " ".join(
                Path(part).name if n == 0 else part for n, part in enumerate(server.command)
            ),
            "log": str(server.log),
            "rss_mb_after_load": round(rss, 1),
            "idle_cpu_cores": round(idle_cores, 3),
            "log_excerpt": log_excerpt(server.log),
        },  # fmt: skip
        "flows": flows,
        "rows": {"stored": stored, "successes": successes},
        "streamlit": st_result,
    }
    print(markdown(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
