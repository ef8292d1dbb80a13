"""Page timings each persona meets, in headless Chromium on the demo city (issue 14's closing note).

    python bench/persona_timings.py [--checkins 100000] [--database-url URL] [--reuse]
                                    [--repeat 3] [--personas admin,epidemiologist,…]
                                    [--out FILE.json] [--profile DIR] [--timeout 180]

The city is the one `make run` builds on its first start (ui/first_start.py): init_db, then
ingest.demo_city.build_demo_city with the settings' demo size (100,000 check-ins over 14 days
ending now, seed 2021) and the demo accounts, plus one account per persona. Without
--database-url it is a SQLite file in the temporary directory (kbyt-bench-personas/city-N.db),
rebuilt unless --reuse; a PostgreSQL URL must name a database kbyt_bench… (created, or dropped
and created again unless --reuse, through the same role on the database `kbyt`).

The app is started as `make run` starts it, `streamlit run server.py` (headless, a free port on
127.0.0.1, KBYT_DEMO__SEED_ON_FIRST_START=false; the file watcher off, see
bench/persona_server.start_server), and polled on /_stcore/health (bench/app_server.py; the
health poll and stop are bench/web_server.py's, which the browser tests share, as they share
the Chromium binary and flags of bench/chromium.py: a benchmark does not depend on the test
package).

Each round signs every persona in, in a fresh browser context (no cookies, no HTTP cache: the
first visit of the day on that machine) at 1920×1080, and times each step with
time.perf_counter from the click to the moment the page is done: the step's own elements are
visible (the map's district labels, the venue's timeline, the trace's places…) and Streamlit is
CONNECTED with its script notRunning, after at least one script run that began after the click
(a counter kept by a MutationObserver on stApp's data-test-script-state; a page that has not
started its rerun yet is briefly notRunning too). Never a fixed sleep.

Steps: command centre — sign-in to the wall drawn (map, 22 district names); district officer —
sign-in to the overview, the Venues page, a venue picked and its timeline drawn; epidemiologist —
sign-in to the overview, the Trace page, a case opened, its F1 trace shown, a contact followed
by one click on their row (their visits), back to the case, F2 of the case from its one
button; leadership — sign-in to the overview, the daily report downloaded; admin — sign-in to
the overview, the Administration page.

Per step: wall seconds, the server's CPU seconds (utime + stime of the streamlit process from
/proc/PID/stat; PostgreSQL's backends are not in it), and from the browser the seconds the page
showed a script running and the seconds of long tasks (main thread blocked ≥ 50 ms, the
Performance API). The table gives the median over --repeat rounds with min–max, and the first
round apart (the server's caches are cold then). Rounds go through the personas in turn, so a
busy spell on a shared machine falls on all of them.

--profile DIR runs the server with every script run under cProfile (one .prof per run, in DIR;
the bootstrap is below, no product code is changed) and prints, for the two slowest steps, the
functions with the most cumulative time in the runs that began during the step. Profiling slows
the server: its timings are not the table's.

The modules: bench/persona_city.py (the city and accounts), bench/persona_server.py (the
server, its profiles), bench/persona_walk.py (timing a step), bench/persona_steps.py (each
persona's steps), bench/persona_report.py (the table).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy.engine import make_url  # noqa: E402

from bench.app_server import AppServer  # noqa: E402
from bench.chromium import CHROMIUM, CHROMIUM_FLAGS, browser_missing  # noqa: E402
from bench.machine_facts import code_version, load_average  # noqa: E402
from bench.persona_city import city_facts, prepare_city  # noqa: E402
from bench.persona_report import table  # noqa: E402
from bench.persona_server import profile_report, start_server  # noqa: E402
from bench.persona_steps import PERSONAS  # noqa: E402
from bench.persona_walk import OBSERVER, Sample, Walk  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

VIEWPORT: ViewportSize = {"width": 1920, "height": 1080}


def walk_all(
    server: AppServer, personas: Sequence[str], repeat: int, timeout_ms: int, shots: Path
) -> list[Sample]:
    from playwright.sync_api import sync_playwright

    samples: list[Sample] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for number in range(1, repeat + 1):
                for persona in personas:
                    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
                    context.add_init_script(OBSERVER)
                    page = context.new_page()
                    page.set_default_timeout(timeout_ms)
                    walk = Walk(page, server, persona, number, timeout_ms)
                    try:
                        PERSONAS[persona](walk)
                    except Exception as error:  # noqa: BLE001 - the next persona still runs
                        shot = shots / f"{persona}-{number}-failed.png"
                        page.screenshot(path=str(shot), full_page=True)
                        message = f"{error.__class__.__name__}: {str(error).splitlines()[0]}"
                        walk.samples.append(
                            Sample(persona, "(failed after the steps above)", number, None, None,
                                   error=f"{message} — {shot}")
                        )  # fmt: skip
                        print(f"  {persona} round {number}: {message}", file=sys.stderr)
                    else:
                        page.screenshot(path=str(shots / f"{persona}-{number}.png"))
                    context.close()
                    samples += walk.samples
                    for sample in walk.samples:
                        if sample.seconds is not None:
                            print(f"  round {number} {persona:17} {sample.step:40} "
                                  f"{sample.seconds:6.2f} s  CPU {sample.cpu_s:6.2f} s",
                                  file=sys.stderr)  # fmt: skip
        finally:
            browser.close()
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--checkins", type=int, default=None, help="demo city size (default: demo.checkins)"
    )
    parser.add_argument("--database-url", default=None,
                        help="default: a SQLite file in the temporary directory")  # fmt: skip
    parser.add_argument("--reuse", action="store_true", help="keep a city already built there")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--personas", default=",".join(PERSONAS),
                        help=f"comma-separated, of {', '.join(PERSONAS)}")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=180, help="seconds per step")
    parser.add_argument("--out", type=Path, default=None, help="every sample as JSON")
    parser.add_argument("--profile", type=Path, default=None,
                        help="profile each script run with cProfile into this folder")  # fmt: skip
    args = parser.parse_args(argv)
    personas = [p.strip() for p in args.personas.split(",") if p.strip()]
    unknown = [p for p in personas if p not in PERSONAS]
    if unknown:
        parser.error(f"unknown persona(s): {', '.join(unknown)}")
    missing = browser_missing()
    if missing:
        raise SystemExit(missing)
    if not (REPO / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        raise SystemExit("the map's assets are missing: run scripts/fetch-map-assets")

    from config.settings import DemoSettings

    checkins = args.checkins or DemoSettings().checkins
    url = prepare_city(args.database_url, checkins, args.reuse)
    facts = city_facts(url)
    shots = Path(tempfile.gettempdir()) / "kbyt-bench-personas" / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    load_before = load_average(" ")
    server = start_server(url, args.profile)
    print(f"server pid {server.process.pid} at {server.url}, log {server.log}", file=sys.stderr)
    try:
        samples = walk_all(server, personas, args.repeat, int(args.timeout * 1000), shots)
    finally:
        server.stop()
    load_after = load_average(" ")
    engine_name = make_url(url).get_backend_name()
    heading = (
        f"{engine_name}, {facts['checkin']:,} check-ins, {facts['person']:,} people, "
        f"{facts['venue']:,} venues, {facts['case_record']:,} cases; code {code_version()}; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}; "
        f"load average (1, 5, 15 min) before {load_before}, after {load_after}; "
        f"{args.repeat} round(s), Chromium at {VIEWPORT['width']}×{VIEWPORT['height']}"
        + ("; PROFILED (cProfile on every script run)" if args.profile else "")
    )
    print(heading + "\n")
    print(table(samples))
    if args.profile:
        print("\n" + profile_report(samples, args.profile))
    if args.out:
        args.out.write_text(
            json.dumps({"heading": heading, "samples": [asdict(s) for s in samples]}, indent=1)
        )
    print(f"\nscreenshots: {shots}", file=sys.stderr)
    return 0 if all(s.seconds is not None for s in samples) else 1


if __name__ == "__main__":
    raise SystemExit(main())
