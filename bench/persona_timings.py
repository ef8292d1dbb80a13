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
127.0.0.1, KBYT_DEMO__SEED_ON_FIRST_START=false; the file watcher off, see start_server), and
polled on /_stcore/health. The start is copied here from tests/browser/conftest.py rather than
imported, and the Chromium binary and flags come from bench/chromium.py, which the browser tests
share: a benchmark does not depend on the test package.

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
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from bench.load_declare import prepare_database  # noqa: E402

VIEWPORT = {"width": 1920, "height": 1080}
PASSWORD = "bench persona password, long enough"
# persona: (username, role, district)
ACCOUNTS = {
    "command_centre": ("bench.command", "command_centre", None),
    "district_officer": ("bench.govap", "district_officer", "764"),
    "epidemiologist": ("bench.epi", "epidemiologist", None),
    "leadership": ("bench.leader", "leadership", None),
    "admin": ("bench.admin", "admin", None),
}
MAP = "iframe[title='streamlit_folium.st_folium']"
CLOCK_TICK = os.sysconf("SC_CLK_TCK")

# In every document (and frame) of a context: count script runs and keep the script state's
# changes and the long tasks, with epoch milliseconds, for the step's breakdown.
OBSERVER = """
(() => {
  if (window.__kbyt) return;
  const k = window.__kbyt = {runs: 0, states: [], longtasks: []};
  const at = () => performance.timeOrigin + performance.now();
  new MutationObserver((records) => {
    for (const r of records) {
      const state = r.target.getAttribute('data-test-script-state');
      if (state === r.oldValue) continue;
      if (state === 'running') k.runs += 1;
      k.states.push([at(), state]);
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        k.longtasks.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
})();
"""
SETTLED = """
before => {
  const app = document.querySelector("[data-testid='stApp']");
  return !!(app && window.__kbyt && window.__kbyt.runs > before
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning');
}
"""

# `streamlit run` with each script run under cProfile (for --profile): Streamlit's ScriptRunner
# runs a session's script on its own thread, where a cProfile.Profile enabled there sees it.
PROFILED_STREAMLIT = """
import cProfile, itertools, os, sys, time
from pathlib import Path
from streamlit.runtime.scriptrunner import script_runner
folder = Path(os.environ["BENCH_PROFILE_DIR"])
original = script_runner.ScriptRunner._run_script
numbers = itertools.count()
def profiled(self, rerun_data):
    profile, started = cProfile.Profile(), time.time()
    profile.enable()
    try:
        return original(self, rerun_data)
    finally:
        profile.disable()
        profile.dump_stats(folder / f"run-{started:.3f}-{time.time():.3f}-{next(numbers)}.prof")
script_runner.ScriptRunner._run_script = profiled
from streamlit.web.cli import main
sys.argv = ["streamlit", *sys.argv[1:]]
main()
"""


# --- the city ------------------------------------------------------------------------------


def prepare_city(url: str | None, checkins: int, reuse: bool) -> str:
    """The database URL of a demo city of `checkins` check-ins with the persona accounts."""
    from config.settings import DemoSettings
    from db.engine import make_engine
    from db.schema import venue
    from ingest.demo_accounts import create_demo_accounts
    from ingest.demo_city import build_demo_city
    from queries.setup import init_db
    from queries.users import create_user

    if url is None:
        folder = Path(tempfile.gettempdir()) / "kbyt-bench-personas"
        folder.mkdir(exist_ok=True)
        path = folder / f"city-{checkins}.db"
        if not reuse:
            for stale in folder.glob(f"city-{checkins}.db*"):
                stale.unlink()
        url = f"sqlite:///{path}"
    elif make_url(url).get_backend_name() == "postgresql":
        url = prepare_database(url, reuse).url  # a kbyt_bench… database, as the load benchmark
    engine = make_engine(url)
    try:
        init_db(engine)  # as ui/first_start.py on the embedded default; `manage.py init-db`
        with engine.connect() as connection:
            built = bool(connection.scalar(select(func.count()).select_from(venue)))
        if not built:
            demo = DemoSettings(checkins=checkins)
            print(f"building the demo city: {checkins:,} check-ins, {demo.days} days …",
                  file=sys.stderr)  # fmt: skip
            summary = build_demo_city(engine, checkins=demo.checkins, days=demo.days,
                                      seed=demo.seed)  # fmt: skip
            print(f"  {summary.venues:,} venues, {summary.checkins:,} check-ins in "
                  f"{summary.seconds:.0f} s", file=sys.stderr)  # fmt: skip
            with engine.begin() as connection:
                create_demo_accounts(connection)  # their passwords are not printed here
        with engine.begin() as connection:
            for username, role, district in ACCOUNTS.values():
                try:
                    create_user(connection, username, PASSWORD, role, district)
                except ValueError:
                    pass  # there from an earlier run (--reuse)
    finally:
        engine.dispose()
    return url


def city_facts(url: str) -> dict[str, int]:
    from db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
                for table in ("checkin", "person", "venue", "case_record")
            }
    finally:
        engine.dispose()


# --- the server (as tests/browser/conftest.AppServer) ---------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def cpu_s(self) -> float:
        """utime + stime of the server process (all its threads), in seconds."""
        raw = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICK

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, profile_dir: Path | None = None) -> Server:
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KBYT_")}
    environment.pop("DATABASE_URL", None)
    environment.update(
        {"KBYT_DATABASE_URL": database_url, "KBYT_DEMO__SEED_ON_FIRST_START": "false"}
    )
    arguments = [
        "run", "server.py", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        # Not make run's: without the watcher, another edit to the (shared) working tree during
        # the run does not reload modules under the live sessions (st.cache_data then fails to
        # pickle a class that is "not the same object"). Page scripts are still read per run.
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
        environment["BENCH_PROFILE_DIR"] = str(profile_dir)
        command = [sys.executable, "-c", PROFILED_STREAMLIT, *arguments]
    else:
        command = [sys.executable, "-m", "streamlit", *arguments]
    log = Path(tempfile.gettempdir()) / f"kbyt-bench-personas-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=1) as answer:
                if answer.read() == b"ok":
                    return server
        except OSError:
            pass
        time.sleep(0.2)  # polling the health endpoint, not waiting for the app
    server.stop()
    raise RuntimeError(f"the app did not become healthy; see {log}")


# --- steps -----------------------------------------------------------------------------------


@dataclass
class Sample:
    persona: str
    step: str
    round: int
    seconds: float | None
    cpu_s: float | None
    script_s: float | None = None
    longtask_s: float | None = None
    started: float = 0.0  # epoch seconds
    ended: float = 0.0
    error: str | None = None


@dataclass
class Walk:
    """One persona's walk in one round: steps timed in order on one page."""

    page: Any
    server: Server
    persona: str
    round: int
    timeout_ms: int
    samples: list[Sample] = field(default_factory=list)

    def runs(self) -> int:
        return int(self.page.evaluate("() => window.__kbyt ? window.__kbyt.runs : 0"))

    def step(
        self,
        name: str,
        action: Callable[[], None],
        ready: Sequence[Any] = (),
        new_document: bool = False,
        after: Callable[[], None] | None = None,
    ) -> None:
        """Time action() until every `ready` locator is visible, after() has returned and the
        app has settled after a script run begun since the action (a new document counts from
        zero)."""
        before = 0 if new_document else self.runs()
        started_epoch, cpu = time.time(), self.server.cpu_s()
        started = time.perf_counter()
        action()
        for locator in ready:
            locator.wait_for(state="visible", timeout=self.timeout_ms)
        if after is not None:
            after()
        self.page.wait_for_function(SETTLED, arg=before, timeout=self.timeout_ms)
        seconds = time.perf_counter() - started
        cpu = self.server.cpu_s() - cpu
        ended_epoch = time.time()
        script_s, longtask_s = self._browser_side(started_epoch, ended_epoch)
        self.samples.append(
            Sample(self.persona, name, self.round, seconds, cpu, script_s, longtask_s,
                   started_epoch, ended_epoch)
        )  # fmt: skip

    def _browser_side(self, since: float, until: float) -> tuple[float | None, float | None]:
        """Seconds the page showed a script running, and of long tasks, within the step."""
        seen = self.page.evaluate("() => window.__kbyt || null")
        if not seen:
            return None, None
        lo, hi = since * 1000, until * 1000
        running, began = 0.0, None
        for moment, state in seen["states"]:
            if state == "running" and began is None:
                began = moment
            elif state != "running" and began is not None:
                running += max(0.0, min(moment, hi) - max(began, lo))
                began = None
        if began is not None:
            running += max(0.0, hi - max(began, lo))
        blocked = sum(
            max(0.0, min(start + length, hi) - max(start, lo))
            for start, length in seen["longtasks"]
        )
        return running / 1000, blocked / 1000


def click_first_row(walk: Walk, key: str) -> None:
    """Click the first row of a selectable table, as tests/browser/conftest.select_first_row:
    the grid is a canvas, so by position below the header, once its rows are drawn. key: the
    table's key, or its start and '*'."""
    scope = f"[class*='st-key-{key[:-1]}']" if key.endswith("*") else f".st-key-{key}"
    grid = walk.page.locator(f"{scope} [data-testid='stDataFrameResizable']").first
    grid.wait_for(timeout=walk.timeout_ms)
    grid.locator("[role='row']").nth(1).wait_for(state="attached", timeout=walk.timeout_ms)
    grid.click(position={"x": 12, "y": 53})


def nav(walk: Walk, title: str) -> Callable[[], None]:
    return lambda: walk.page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()


def sign_in_step(walk: Walk, username: str, ready: Sequence[Any]) -> None:
    page = walk.page
    page.goto(f"{walk.server.url}/session/sign-in")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    walk.step(
        "sign-in → first page",
        lambda: page.get_by_role("button", name="Đăng nhập").click(),
        [page.get_by_role("button", name="Đăng xuất"), *ready],
        new_document=True,
    )


def overview_ready(page: Any) -> list[Any]:
    main = page.get_by_test_id("stMain")
    return [
        main.locator("h1", has_text="Tổng quan").first,
        page.get_by_test_id("stMetric").first,
        page.locator(".js-plotly-plot .xtick").first,
    ]


def command_centre(walk: Walk) -> None:
    page = walk.page
    inside = page.frame_locator(MAP)

    def all_districts_named() -> None:
        page.wait_for_function(
            f"""() => {{
              const f = document.querySelector("{MAP}");
              const d = f && f.contentDocument;
              return !!d && d.querySelectorAll('.wall-label').length >= 22;
            }}""",
            timeout=walk.timeout_ms,
        )

    # The wall is the command centre's first page: signing in is its first load.
    page.goto(f"{walk.server.url}/session/sign-in")
    page.get_by_label("Tên đăng nhập").fill(ACCOUNTS["command_centre"][0])
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    walk.step(
        "sign-in → wall drawn (map, 22 names)",
        lambda: page.get_by_role("button", name="Đăng nhập").click(),
        [
            page.get_by_test_id("stMetric").first,
            inside.locator("path.leaflet-interactive").first,
            inside.locator(".wall-label").first,
        ],
        new_document=True,
        after=all_districts_named,
    )


def district_officer(walk: Walk) -> None:
    page = walk.page
    sign_in_step(walk, ACCOUNTS["district_officer"][0], overview_ready(page))
    tables = page.get_by_test_id("stDataFrame")
    walk.step(
        "Venues page",
        nav(walk, "Địa điểm"),
        [page.get_by_label("Tìm địa điểm (tên hoặc mã)"), tables.first],
        after=lambda: page.wait_for_url(re.compile(r"/venues(\?|$)"), timeout=walk.timeout_ms),
    )

    walk.step(
        "pick a venue → timeline drawn",
        lambda: click_first_row(walk, "venues_table"),
        [
            page.get_by_test_id("stMain").locator("h2").first,
            page.locator(".js-plotly-plot .xtick, [data-testid='stAlert']").first,
            tables.nth(1),
        ],
    )


def epidemiologist(walk: Walk) -> None:
    page = walk.page
    sign_in_step(walk, ACCOUNTS["epidemiologist"][0], overview_ready(page))
    # The places on the map: their markers (a path between one place's visits has no size).
    places_map = (
        page.frame_locator(MAP)
        .first.locator("path.leaflet-interactive, .leaflet-marker-icon")
        .filter(visible=True)
        .first
    )
    walk.step(
        "Trace page",
        nav(walk, "Truy vết"),
        [page.get_by_role("combobox", name="Hoặc chọn ca trong danh sách")],
        after=lambda: page.wait_for_url(re.compile(r"/trace(\?|$)"), timeout=walk.timeout_ms),
    )
    walk.step(
        "open a case",
        lambda: page.get_by_role("button", name="Mở ca").click(),
        [page.locator("h3", has_text="Ca số ").first],
    )
    # Stating the purpose is typing, not waiting for the app: not a timed step.
    before = walk.runs()
    page.get_by_label("Mục đích truy vết (bắt buộc, được ghi nhật ký)").fill("Đo thời gian trang")
    page.keyboard.press("Enter")
    page.wait_for_function(SETTLED, arg=before, timeout=walk.timeout_ms)
    walk.step(
        "trace F1 → places and contacts",
        lambda: page.get_by_role("button", name="Truy vết", exact=True).click(),
        [page.locator("h3", has_text="Các địa điểm ca số ").first, places_map],
    )
    walk.step(
        "follow a contact (one click on their row) → their visits",
        lambda: click_first_row(walk, "contacts_*"),
        [
            page.get_by_text("Đường truy vết:", exact=True),
            page.locator("h3", has_text="(F1 của ca số ").first,
            places_map,
        ],
    )
    walk.step(
        "back to the case (breadcrumb)",
        lambda: page.get_by_role("button", name=re.compile(r"^Ca bệnh: ")).first.click(),
        [page.locator("h3", has_text="Các địa điểm ca số ").first, places_map],
        after=lambda: page.get_by_text("Đường truy vết:", exact=True).wait_for(
            state="detached", timeout=walk.timeout_ms
        ),
    )

    def f2_done() -> None:
        # F1 is drawn again at once, F2 under "Đang tính F2…", then the page reruns.
        page.wait_for_url(re.compile(r"depth=2"), timeout=walk.timeout_ms)
        for gone in (page.get_by_text("Đang tính F2"), page.get_by_role("button", name=f2)):
            gone.first.wait_for(state="detached", timeout=walk.timeout_ms)

    f2 = "Truy vết tiếp F2"
    walk.step(
        "F2 of the case (one button)",
        lambda: page.get_by_role("button", name=f2).click(),
        [page.locator("h3", has_text="Các địa điểm ca số ").first],
        after=f2_done,
    )


def leadership(walk: Walk) -> None:
    page = walk.page
    sign_in_step(walk, ACCOUNTS["leadership"][0], overview_ready(page))
    button = page.get_by_role("button", name="Tải báo cáo ngày (HTML)")
    started_epoch, cpu = time.time(), walk.server.cpu_s()
    started = time.perf_counter()
    with page.expect_download(timeout=walk.timeout_ms) as download:
        button.click()
    download.value.path()  # until the file is complete
    seconds = time.perf_counter() - started
    walk.samples.append(
        Sample(walk.persona, "daily report download", walk.round, seconds,
               walk.server.cpu_s() - cpu, started=started_epoch, ended=time.time())
    )  # fmt: skip


def admin(walk: Walk) -> None:
    page = walk.page
    sign_in_step(walk, ACCOUNTS["admin"][0], overview_ready(page))
    walk.step(
        "Administration page",
        nav(walk, "Quản trị"),
        [
            page.get_by_role("tab", name="Nhập dữ liệu"),
            page.get_by_role("tab", name="Nhật ký truy cập"),
        ],
        after=lambda: page.wait_for_url(re.compile(r"/admin(\?|$)"), timeout=walk.timeout_ms),
    )


PERSONAS: dict[str, Callable[[Walk], None]] = {
    "command_centre": command_centre,
    "district_officer": district_officer,
    "epidemiologist": epidemiologist,
    "leadership": leadership,
    "admin": admin,
}


def walk_all(
    server: Server, personas: Sequence[str], repeat: int, timeout_ms: int, shots: Path
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


# --- report ----------------------------------------------------------------------------------


def _spread(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def table(samples: list[Sample]) -> str:
    """Markdown: per persona and step, medians with min–max, round 1 apart."""
    rows = [
        "| persona | step | seconds median (min–max) | round 1 s | server CPU s median "
        "(min–max) | script running s | browser long tasks s | runs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[Sample]] = {}
    for sample in samples:
        groups.setdefault((sample.persona, sample.step), []).append(sample)
    personas = list(PERSONAS)
    # Persona by persona, steps in the order they were met, a failure after the steps.
    order = sorted(
        groups.items(),
        key=lambda item: (personas.index(item[0][0]), item[0][1].startswith("(failed")),
    )
    for (persona, step), group in order:
        done = [s for s in group if s.seconds is not None]
        if not done:
            rows.append(f"| {persona} | {step} | failed: {group[0].error} | | | | | {len(group)} |")
            continue
        first = next((s for s in done if s.round == 1), None)
        rows.append(
            "| "
            + " | ".join(
                [
                    persona,
                    step,
                    _spread([s.seconds for s in done if s.seconds is not None]),
                    f"{first.seconds:.2f}" if first and first.seconds is not None else "—",
                    _spread([s.cpu_s for s in done if s.cpu_s is not None]),
                    _median([s.script_s for s in done]),
                    _median([s.longtask_s for s in done]),
                    str(len(done)),
                ]
            )
            + " |"
        )
    return "\n".join(rows)


def _median(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{statistics.median(known):.2f}" if known else "—"


def profile_report(samples: list[Sample], folder: Path, slowest: int = 2, top: int = 25) -> str:
    """For the slowest steps (by median seconds), the functions with the most cumulative time
    in the script runs that began during the step (all rounds merged)."""
    runs = []
    for path in folder.glob("run-*.prof"):
        _, began, ended, _ = path.stem.split("-")
        runs.append((float(began), float(ended), path))
    by_step: dict[tuple[str, str], list[Sample]] = {}
    for sample in samples:
        if sample.seconds is not None:
            by_step.setdefault((sample.persona, sample.step), []).append(sample)
    ranked = sorted(
        by_step.items(), key=lambda item: -statistics.median(s.seconds or 0 for s in item[1])
    )
    parts = []
    for (persona, step), group in ranked[:slowest]:
        files = [
            str(path)
            for began, _, path in runs
            if any(s.started <= began <= s.ended for s in group)
        ]
        if not files:
            parts.append(f"## {persona} — {step}: no script run began during the step")
            continue
        out = Path(tempfile.gettempdir()) / "kbyt-bench-personas-profile.txt"
        with out.open("w") as stream:
            stats = pstats.Stats(*files, stream=stream)
            # The product's own functions by cumulative time, then everything by own time.
            product = f"{re.escape(str(REPO))}/(app|app_pages|ui|queries|geo|reports|rules|db)"
            stats.sort_stats("cumulative").print_stats(product, top)
            stats.sort_stats("tottime").print_stats(top)
        parts.append(f"## {persona} — {step}: {len(files)} script runs\n{out.read_text()}")
    return "\n\n".join(parts)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def code_version() -> str:
    """HEAD's short hash, and whether the working tree had uncommitted changes."""
    try:
        head, changes = (
            subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True).stdout
            for command in (
                ["git", "rev-parse", "--short", "HEAD"],
                ["git", "status", "-s", "-uno"],
            )
        )
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head.strip() + (" + uncommitted changes" if changes.strip() else "")


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
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: run scripts/ensure-chromium")
    if not (REPO / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        raise SystemExit("the map's assets are missing: run scripts/fetch-map-assets")

    from config.settings import DemoSettings

    checkins = args.checkins or DemoSettings().checkins
    url = prepare_city(args.database_url, checkins, args.reuse)
    facts = city_facts(url)
    shots = Path(tempfile.gettempdir()) / "kbyt-bench-personas" / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    load_before = load_average()
    server = start_server(url, args.profile)
    print(f"server pid {server.process.pid} at {server.url}, log {server.log}", file=sys.stderr)
    try:
        samples = walk_all(server, personas, args.repeat, int(args.timeout * 1000), shots)
    finally:
        server.stop()
    load_after = load_average()
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
