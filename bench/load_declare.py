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
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.schema import checkin, venue, venue_day  # noqa: E402
from rules.risk import EXPOSURES, SYMPTOMS  # noqa: E402

RATE_LIMITS = {
    "KBYT_PUBLIC__RATE_PER_ADDRESS": "1000000/minute",
    "KBYT_PUBLIC__RATE_PER_VENUE": "1000000/minute",
}
SOURCE = "kbyt"
CONFIRMATION = 'class="confirmation'
ADMIN_DATABASE = "kbyt"
OLD_SESSION_CPU_S = 2.1
BENCH_USER, BENCH_PASSWORD = "bench.admin", "bench password, long enough"
GOALS = {
    "postgresql": {"rate": 200.0, "p95_ms": 250.0},
    "sqlite": {"rate": 100.0},
}
HIDDEN = {
    name: re.compile(rf'name="{name}" value="([^"]*)"')
    for name in ("v", "submission", "csrf_token")
}
OPTION = re.compile(r'<option value="([^"]+)"')
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Đức", "Thu", "Quốc", "Hoài")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam")
MOBILE_PREFIXES = ("090", "091", "093", "094", "097", "098", "070", "079", "077", "083", "086")
IDLE_S = 5
# A py-spy frame of the product: its packages, or a Jinja template of the form.
OUR_FRAME = re.compile(r"\((web|queries|db|ingest|rules|geo|i18n)/|\.html\)$")
LOG_MARKERS = ("Traceback", "database is locked", "Error", "Exception", "WARNING")


# --- machine and processes ----------------------------------------------------------------------

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def process_cpu_s(pid: int) -> float:
    """utime + stime of a process and of its children (waited-for: cutime + cstime; live:
    walked through /proc), in seconds."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            fields = _stat_fields(current)
        except OSError:
            continue
        # fields[11:15] are utime, stime, cutime, cstime (fields 14-17 of proc(5)).
        total += sum(int(value) for value in fields[11:15]) / CLOCK_TICK
        todo += _children(current)
    return total


class BackendWatch:
    """CPU of the PostgreSQL backends connected to the database (found by their titles,
    'postgres: user database host(port) state'), backends that come and go included: /proc is
    scanned every SCAN_S seconds and each backend counts from the CPU it had when the watch
    began (0 for a backend born later) to the last value seen. A backend living less than
    SCAN_S, and a backend's last SCAN_S before it exits, are missed."""

    SCAN_S = 0.2

    def __init__(self, database: str | None) -> None:
        self.marker = f" {database} ".encode() if database else None
        self.base: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def _scan(self) -> dict[int, float]:
        found: dict[int, float] = {}
        if self.marker is None:
            return found
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                title = (entry / "cmdline").read_bytes()
                if not title.startswith(b"postgres:") or self.marker not in title:
                    continue
                fields = _stat_fields(int(entry.name))
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICK
        return found

    def _update(self) -> None:
        seen = self._scan()
        with self.lock:
            self.last.update(seen)

    def start(self) -> None:
        self.base = self._scan()
        self.last = dict(self.base)
        if self.marker is not None:
            self.thread = threading.Thread(target=self._loop, daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(self.SCAN_S):
            self._update()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()

    def cpu_s(self) -> tuple[float, int]:
        """(CPU seconds so far, backends seen so far)."""
        self._update()
        with self.lock:
            total = sum(cpu - self.base.get(pid, 0.0) for pid, cpu in self.last.items())
            return total, len(self.last)


def pg_sessions(admin_url: str | None, database: str | None) -> int | None:
    """Sessions ever established to the database (pg_stat_database.sessions, PostgreSQL 14+),
    read through the admin database so as not to add one."""
    if admin_url is None or database is None:
        return None
    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            value = connection.execute(
                text("SELECT sessions FROM pg_stat_database WHERE datname = :name"),
                {"name": database},
            ).scalar()
        return None if value is None else int(value)
    finally:
        engine.dispose()


def machine_cpu_s() -> tuple[float, float, float]:
    """(busy, of which interrupts and steal, total) CPU seconds of the whole machine since boot
    (/proc/stat): the kernel's loopback networking runs largely in softirq, charged to no
    process."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    interrupts = values[5] + values[6] + values[7]  # irq + softirq + steal
    return (
        (sum(values) - idle) / CLOCK_TICK,
        interrupts / CLOCK_TICK,
        sum(values) / CLOCK_TICK,
    )


def self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def code_version() -> str:
    """The commit under test, and whether the work tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
    except OSError:
        return "unknown"
    return f"{commit} + uncommitted changes in {len(changed)} files" if changed else commit


def memory_gb() -> int:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return round(pages / 1024**3)


@dataclass
class CpuMark:
    at: float
    server: float
    backends: float
    backends_seen: int
    generator: float
    machine_busy: float
    machine_interrupts: float
    machine_total: float

    @classmethod
    def take(cls, server_pid: int, backends: BackendWatch) -> CpuMark:
        busy, interrupts, total = machine_cpu_s()
        return cls(
            time.monotonic(),
            process_cpu_s(server_pid),
            *backends.cpu_s(),
            self_cpu_s(),
            busy,
            interrupts,
            total,
        )


# --- the database ---------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    engine_name: str  # "postgresql" or "sqlite"
    created: bool = False
    workdir: Path | None = None
    admin_url: str | None = None

    @property
    def name(self) -> str | None:
        return make_url(self.url).database if self.engine_name == "postgresql" else None


def prepare_database(url: str, reuse: bool) -> Database:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).resolve()
            if path.exists() and not reuse:
                raise SystemExit(f"{path} exists: pass --reuse to load it, or use sqlite://")
            return Database(f"sqlite:///{path}", "sqlite", created=not path.exists())
        workdir = Path(tempfile.mkdtemp(prefix="kbyt-bench-load-"))
        return Database(f"sqlite:///{workdir / 'bench.db'}", "sqlite", True, workdir)
    if backend != "postgresql":
        raise SystemExit(f"unsupported database {url!r} (sqlite:// or postgresql://)")
    name = parsed.database or ""
    if not name.startswith("kbyt_bench"):
        raise SystemExit(
            f"the benchmark creates and drops its database: name it kbyt_bench… ({name})"
        )
    url = parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    admin_url = make_url(url).set(database=ADMIN_DATABASE).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if exists and not reuse:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            if not exists or not reuse:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return Database(url, "postgresql", created=not reuse, admin_url=admin_url)


def has_venues(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(select(func.count()).select_from(venue)))
    except Exception:  # noqa: BLE001 - no schema yet
        return False
    finally:
        engine.dispose()


def manage(url: str, *args: str) -> None:
    environment = server_environment(url)
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=environment, check=True)
    print(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def drop_database(database: Database) -> None:
    if database.engine_name == "sqlite":
        if database.workdir is not None:
            shutil.rmtree(database.workdir, ignore_errors=True)
        return
    admin = create_engine(database.admin_url or "", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def ensure_account(url: str) -> None:
    """An administrator, so that `/sign_in` shows the sign-in page as it does in service (an
    empty database shows the first administrator's setup page instead)."""
    from queries.users import create_user

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if not connection.exec_driver_sql("SELECT count(*) FROM app_user").scalar():
                create_user(connection, BENCH_USER, BENCH_PASSWORD, "admin")
    finally:
        engine.dispose()


def venue_tokens(url: str, weighted: bool) -> list[str]:
    """The active venues' tokens; weighted, each as often as the venue's share of the demo
    city's check-ins (a busy market's QR is scanned far more often than a small shop's),
    otherwise each once (every form a venue not seen for a while)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not weighted:
                return list(connection.scalars(select(venue.c.token).where(venue.c.active)))
            checkins = func.coalesce(func.sum(venue_day.c.checkins), 0)
            rows = connection.execute(
                select(venue.c.token, checkins)
                .select_from(venue.outerjoin(venue_day, venue_day.c.venue_id == venue.c.id))
                .where(venue.c.active)
                .group_by(venue.c.token)
            ).all()
    finally:
        engine.dispose()
    return [token for token, count in rows for _ in range(max(int(count), 1))]


def stored_declarations(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count()).select_from(checkin).where(checkin.c.source == SOURCE)
                )
                or 0
            )
    finally:
        engine.dispose()


def database_facts(url: str, engine_name: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if engine_name == "postgresql":
                version = "PostgreSQL " + str(
                    connection.exec_driver_sql("SHOW server_version").scalar()
                )
            else:
                version = f"SQLite {sqlite3.sqlite_version}"
            checkins = int(connection.scalar(select(func.count()).select_from(checkin)) or 0)
    finally:
        engine.dispose()
    return {"engine": version, "checkins_before": checkins}


# --- the server -----------------------------------------------------------------------------


def server_environment(url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KBYT_")}
    environment.pop("DATABASE_URL", None)
    environment.update(
        {
            "KBYT_DATABASE_URL": url,
            "KBYT_DEMO__SEED_ON_FIRST_START": "false",
            "KBYT_SECRET_KEY": "bench",
            **RATE_LIMITS,
            **(extra or {}),
        }
    )
    return environment


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log_path: Path
    command: list[str]


def start_server(url: str, extra_environment: dict[str, str] | None = None) -> Server:
    port = free_port()
    streamlit = REPO / ".venv" / "bin" / "streamlit"
    runner = [str(streamlit)] if streamlit.exists() else [sys.executable, "-m", "streamlit"]
    command = [
        *runner, "run", "server.py", "--server.port", str(port), "--server.headless", "true",
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    log_path = Path(tempfile.gettempdir()) / f"kbyt-bench-load-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=server_environment(url, extra_environment),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path, command)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited while starting; see {log_path}")
        try:
            with urllib.request.urlopen(f"{server.base}/_stcore/health", timeout=1) as answer:
                if answer.read() == b"ok":
                    return server
        except OSError:
            pass
        time.sleep(0.2)  # polling the health endpoint
    stop_server(server)
    raise RuntimeError(f"the server did not become healthy; see {log_path}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def log_excerpt(path: Path, limit: int = 40) -> list[str]:
    """Lines of the server log that look like trouble (and the two after each)."""
    lines = path.read_text(errors="replace").splitlines()
    picked: list[str] = []
    for n, line in enumerate(lines):
        if any(marker in line for marker in LOG_MARKERS):
            for extra in lines[n : n + 3]:
                if extra not in picked[-3:]:
                    picked.append(extra)
        if len(picked) >= limit:
            break
    return picked[:limit]


# --- the clients ----------------------------------------------------------------------------


@dataclass
class Sample:
    started: float
    ended: float
    post_ms: float | None
    ok: bool


@dataclass
class Outcomes:
    samples: list[Sample] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    error_bodies: dict[str, str] = field(default_factory=dict)
    locked: int = 0
    tracebacks: int = 0
    successes: int = 0  # all, warm-up and tail included (the rows check)
    attempts: int = 0

    def error(self, kind: str, body: str = "") -> None:
        self.errors[kind] += 1
        if kind not in self.error_bodies:
            self.error_bodies[kind] = _visible_text(body)[:600]

    def inspect(self, body: str) -> None:
        if "database is locked" in body:
            self.locked += 1
        if "Traceback" in body:
            self.tracebacks += 1


def _visible_text(body: str) -> str:
    text_only = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text_only)).strip()


class Resident:
    """Random answers of one declaration, like the demo city's people."""

    def __init__(self, rng: random.Random, wards: list[str]) -> None:
        self.rng, self.wards = rng, wards

    def fields(self, hidden: dict[str, str]) -> list[tuple[str, str]]:
        rng = self.rng
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        phone = rng.choice(MOBILE_PREFIXES) + "".join(rng.choices("0123456789", k=7))
        form = [(key, hidden[key]) for key in ("v", "submission", "csrf_token")]
        form += [("full_name", name), ("phone", phone)]
        if rng.random() < 0.6:
            form.append(("id_number", "0" + "".join(rng.choices("0123456789", k=11))))
        if rng.random() < 0.7:
            form.append(("birth_year", str(rng.randint(1940, 2010))))
        if self.wards and rng.random() < 0.8:
            form.append(("home_ward_code", rng.choice(self.wards)))
        if rng.random() < 0.1:
            form += [("symptoms", s) for s in rng.sample(SYMPTOMS, rng.randint(1, 2))]
        if rng.random() < 0.03:
            form.append(("exposures", rng.choice(EXPOSURES)))
        return form


def hidden_fields(body: str) -> dict[str, str] | None:
    found = {}
    for name, pattern in HIDDEN.items():
        match = pattern.search(body)
        if match is None:
            return None
        found[name] = match.group(1)
    return found


class Load:
    def __init__(self, base: str, tokens: list[str], concurrency: int) -> None:
        self.base, self.tokens, self.concurrency = base, tokens, concurrency
        self.wards: list[str] = []

    async def _get_form(
        self, session: aiohttp.ClientSession, out: Outcomes, rng: random.Random
    ) -> tuple[dict[str, str], str] | None:
        """(hidden fields, cookie) of a fresh form at a random venue, or None (counted)."""
        token = rng.choice(self.tokens)
        try:
            async with session.get(f"{self.base}/declare", params={"v": token}) as response:
                body = await response.text()
                cookie = response.cookies.get("kbyt_form")
        except (aiohttp.ClientError, TimeoutError) as error:
            out.error(f"GET {error.__class__.__name__}", str(error))
            return None
        out.inspect(body)
        if response.status != 200:
            out.error(f"GET HTTP {response.status}", body)
            return None
        hidden = hidden_fields(body)
        if hidden is None or cookie is None:
            out.error("GET 200 without form or cookie", body)
            return None
        if not self.wards:
            self.wards = OPTION.findall(body)
        return hidden, cookie.value

    async def _post(
        self,
        session: aiohttp.ClientSession,
        out: Outcomes,
        fields: list[tuple[str, str]],
        cookie: str,
    ) -> tuple[bool, float]:
        started = time.perf_counter()
        try:
            async with session.post(
                f"{self.base}/declare/self", data=fields, headers={"Cookie": f"kbyt_form={cookie}"}
            ) as response:
                body = await response.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            out.error(f"POST {error.__class__.__name__}", str(error))
            return False, (time.perf_counter() - started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
        out.inspect(body)
        if response.status != 200:
            out.error(f"POST HTTP {response.status}", body)
            return False, elapsed
        if CONFIRMATION not in body:
            out.error("POST 200 without confirmation", body)
            return False, elapsed
        return True, elapsed

    async def _client(
        self, session: aiohttp.ClientSession, out: Outcomes, seed: int, end: float, post_only: bool
    ) -> None:
        rng = random.Random(seed)
        resident = Resident(rng, self.wards)
        kept: tuple[dict[str, str], str] | None = None
        while time.monotonic() < end:
            started = time.perf_counter()
            out.attempts += 1
            form = kept if post_only else None
            if form is None:
                form = await self._get_form(session, out, rng)
                if form is None:
                    out.samples.append(Sample(started, time.perf_counter(), None, False))
                    await asyncio.sleep(0.05)  # a failing server is not hammered in a tight loop
                    continue
                resident.wards = self.wards
                if post_only:
                    kept = form
            hidden, cookie = form
            if post_only:
                hidden = {
                    **hidden,
                    "v": rng.choice(self.tokens),
                    "submission": secrets.token_hex(16),
                }
            ok, post_ms = await self._post(session, out, resident.fields(hidden), cookie)
            out.successes += ok
            out.samples.append(Sample(started, time.perf_counter(), post_ms, ok))

    async def run(
        self,
        warmup_s: float,
        seconds: float,
        post_only: bool,
        marks: dict[str, CpuMark],
        mark: Callable[[], CpuMark],
    ) -> tuple[Outcomes, float, float]:
        """Clients for warm-up + seconds; returns the outcomes and the measured window
        (perf_counter start and end). marks["start"] / ["end"] are taken at its edges."""
        out = Outcomes()
        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
        ) as session:
            if not self.wards:
                await self._get_form(session, Outcomes(), random.Random(0))
            end = time.monotonic() + warmup_s + seconds
            clients = [
                asyncio.create_task(self._client(session, out, seed, end, post_only))
                for seed in range(self.concurrency)
            ]
            await asyncio.sleep(warmup_s)
            marks["start"] = mark()
            window_start = time.perf_counter()
            await asyncio.sleep(seconds)
            marks["end"] = mark()
            window_end = time.perf_counter()
            await asyncio.gather(*clients)
        return out, window_start, window_end


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarise(
    label: str, out: Outcomes, window: tuple[float, float], marks: dict[str, CpuMark]
) -> dict[str, Any]:
    start, end = window
    inside = [s for s in out.samples if s.started >= start and s.ended <= end]
    ok = [s for s in inside if s.ok]
    seconds = end - start
    full = [(s.ended - s.started) * 1000 for s in ok]
    post = [s.post_ms for s in ok if s.post_ms is not None]
    first, last = marks["start"], marks["end"]
    per = max(len(ok), 1)
    machine_total = last.machine_total - first.machine_total
    busy = {
        "server": last.server - first.server,
        "postgresql_backends": last.backends - first.backends,
        "load_generator": last.generator - first.generator,
        "interrupts": last.machine_interrupts - first.machine_interrupts,
        "machine": last.machine_busy - first.machine_busy,
    }
    ours = busy["server"] + busy["postgresql_backends"] + busy["load_generator"]
    busy["other_processes"] = max(0.0, busy["machine"] - busy["interrupts"] - ours)
    return {
        "flow": label,
        "window_s": round(seconds, 2),
        "declarations": len(ok),
        "failed_in_window": len(inside) - len(ok),
        "declarations_per_s": round(len(ok) / seconds, 1),
        "latency_ms": {k: _round(percentile(full, q)) for k, q in PERCENTILES.items()},
        "post_latency_ms": {k: _round(percentile(post, q)) for k, q in PERCENTILES.items()},
        "errors": dict(out.errors),
        "error_bodies": out.error_bodies,
        "database_is_locked": out.locked,
        "traceback_bodies": out.tracebacks,
        "attempts_all": out.attempts,
        "successes_all": out.successes,
        "postgresql_backends_born_in_window": last.backends_seen - first.backends_seen,
        "server_cpu_ms_per_declaration": round(busy["server"] * 1000 / per, 2),
        "postgresql_cpu_ms_per_declaration": round(busy["postgresql_backends"] * 1000 / per, 2),
        "load_generator_cpu_ms_per_declaration": round(busy["load_generator"] * 1000 / per, 2),
        "cpu_s": {k: round(v, 2) for k, v in busy.items()},
        "machine_busy_share": round(busy["machine"] / machine_total, 3) if machine_total else None,
        "cores_busy": {k: round(v / seconds, 2) for k, v in busy.items()},
    }


PERCENTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- the Streamlit session path -------------------------------------------------------------


def streamlit_sessions(base: str, pid: int, count: int) -> dict[str, Any]:
    """Server CPU of `count` Streamlit sessions opening `/sign_in` (after one uncounted)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed (requirements-dev.txt)"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"no Chromium at {CHROMIUM} (scripts/ensure-chromium)"}
    sessions: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            first = _one_session(browser, base, pid)
            total_before = process_cpu_s(pid)
            started = time.perf_counter()
            for _ in range(count):
                sessions.append(_one_session(browser, base, pid))
            total_cpu = process_cpu_s(pid) - total_before
            total_wall = time.perf_counter() - started
        finally:
            browser.close()
    seconds = [s["seconds"] for s in sessions]
    return {
        "method": "fresh Chromium context per session, goto /sign_in until stApp notRunning, "
        "closed",
        "sessions": count,
        "first_session": first,
        "cpu_s_per_session": round(total_cpu / count, 3),
        "session_seconds": {k: _round(percentile(seconds, q)) for k, q in PERCENTILES.items()},
        "wall_s": round(total_wall, 1),
        "each": sessions,
    }


def _one_session(browser: Any, base: str, pid: int) -> dict[str, Any]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = process_cpu_s(pid)
    started = time.perf_counter()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/sign_in")
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=120_000
    )
    # notRunning also holds before the first run starts: the link to the form shows that it ran.
    try:
        page.locator("a[href^='/session/sign-in']").wait_for(state="attached", timeout=60_000)
        shown = "sign-in page"
    except PlaywrightTimeout:
        shown = "no sign-in link within 60 s"
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=120_000
    )
    seconds = time.perf_counter() - started
    context.close()
    return {
        "seconds": round(seconds, 2),
        "cpu_s": round(process_cpu_s(pid) - before, 3),
        "page": shown,
    }


# --- profile --------------------------------------------------------------------------------


def print_profile(path: Path) -> None:
    summary = profile_summary(path)
    lines = [f"{path}: {summary['samples']:,} samples; top frames by self time:"]
    lines += [f"  {share:5.1f} %  {frame}" for frame, share in summary["self"]]
    lines += ["The product's frames by total time (a frame's callees included):"]
    lines += [f"  {share:5.1f} %  {frame}" for frame, share in summary["ours_total"]]
    print("\n".join(lines))


def profile_summary(path: Path, top: int = 10) -> dict[str, Any]:
    """Top frames (function and file, lines merged) by self and by total samples of a py-spy
    raw (collapsed stacks) profile."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        n = int(count)
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    share = max(samples, 1)
    ours = Counter({f: n for f, n in total.items() if OUR_FRAME.search(f)})
    return {
        "samples": samples,
        "self": [(f, round(100 * n / share, 1)) for f, n in own.most_common(top)],
        "total": [(f, round(100 * n / share, 1)) for f, n in total.most_common(top)],
        "ours_total": [(f, round(100 * n / share, 1)) for f, n in ours.most_common(top * 2)],
    }


# --- the report -----------------------------------------------------------------------------


def goal_text(engine_name: str, flow: dict[str, Any], rows_ok: bool) -> str:
    goal = GOALS[engine_name]
    errors = sum(flow["errors"].values())
    parts = [
        f"≥ {goal['rate']:,.0f}/s {'✓' if flow['declarations_per_s'] >= goal['rate'] else '✗'}"
    ]
    if "p95_ms" in goal:
        p95 = flow["latency_ms"]["p95"]
        parts.append(
            f"p95 < {goal['p95_ms']:,.0f} ms {'✓' if p95 and p95 < goal['p95_ms'] else '✗'}"
        )
        parts.append(f"0 errors {'✓' if errors == 0 else '✗'}")
        parts.append(f"rows = successes {'✓' if rows_ok else '✗'}")
    else:
        parts.append(f"0 'database is locked' {'✓' if flow['database_is_locked'] == 0 else '✗'}")
    return "; ".join(parts)


def _ms(values: dict[str, float | None]) -> str:
    return " / ".join("—" if values[k] is None else f"{values[k]:,.0f}" for k in PERCENTILES)


def markdown(result: dict[str, Any]) -> str:
    db = result["database"]
    lines = [
        f"{db['engine']}, {db['checkins_before']:,} check-ins before the run, "
        f"{db['venues']:,} active venues (chosen {db.get('venue_choice', 'uniform')}); "
        f"code {result['code']}; {result['machine']}; "
        f"{result['date']}; "
        f"load average {result['load_average_before']} before, "
        f"{result['load_average_after']} after",
        "",
        f"Server: `{result['server']['command']}` (one process, uvicorn); "
        + ", ".join(f"{k}={v}" for k, v in RATE_LIMITS.items())
        + f" (all load comes from 127.0.0.1); idle, the server used "
        f"{result['server']['idle_cpu_cores']:.3f} cores; {result['concurrency']} clients "
        f"(aiohttp, keep-alive), {result['seconds']} s measured after {result['warmup_s']} s "
        "warm-up.",
        "",
        "| flow | declarations/s | declaration ms (p50 / p95 / p99) | POST ms (p50 / p95 / p99) "
        "| ok | errors (whole run) | server CPU ms / decl | PostgreSQL CPU ms / decl "
        "| load generator CPU ms / decl | machine busy | goal |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows_ok = result["rows"]["stored"] == result["rows"]["successes"]
    for flow in result["flows"]:
        goal = goal_text(result["engine"], flow, rows_ok) if flow["flow"].startswith("GET") else ""
        pg = flow["postgresql_cpu_ms_per_declaration"] if result["engine"] == "postgresql" else "—"
        busy = flow["machine_busy_share"]
        lines.append(
            f"| {flow['flow']} | {flow['declarations_per_s']:,.1f} | {_ms(flow['latency_ms'])} | "
            f"{_ms(flow['post_latency_ms'])} | {flow['declarations']:,} | "
            f"{sum(flow['errors'].values()):,} | "
            f"{flow['server_cpu_ms_per_declaration']:,.2f} | {pg} | "
            f"{flow['load_generator_cpu_ms_per_declaration']:,.2f} | "
            f"{'—' if busy is None else f'{busy:.0%}'} | {goal} |"
        )
    st_result = result.get("streamlit")
    if st_result and "cpu_s_per_session" in st_result:
        lines.append(
            f"| Streamlit session at /sign_in ({st_result['sessions']} sessions, headless "
            "Chromium) | "
            f"{1 / st_result['cpu_s_per_session']:,.2f} sessions per server CPU-s | "
            f"session s: {' / '.join(f'{v:,.1f}' for v in st_result['session_seconds'].values())} "
            f"| | | | {st_result['cpu_s_per_session'] * 1000:,.0f} | | | | |"
        )
    lines.append("")
    rows = result["rows"]
    lines.append(
        f"Rows stored (check-ins with source '{SOURCE}', after − before): {rows['stored']:,}; "
        f"successes (warm-up and tail included): {rows['successes']:,} "
        f"{'✓' if rows_ok else '✗ MISMATCH'}"
    )
    for flow in result["flows"]:
        errors = flow["errors"]
        shown = ", ".join(f"{k}: {v:,}" for k, v in sorted(errors.items())) or "none"
        lines.append(
            f"{flow['flow']}: errors {shown}; bodies with 'database is locked': "
            f"{flow['database_is_locked']}, with 'Traceback': {flow['traceback_bodies']}; "
            f"CPU cores busy: server {flow['cores_busy']['server']}, PostgreSQL backends "
            f"{flow['cores_busy']['postgresql_backends']}, load generator "
            f"{flow['cores_busy']['load_generator']}, interrupts (loopback network) "
            f"{flow['cores_busy']['interrupts']}, other processes "
            f"{flow['cores_busy']['other_processes']} "
            f"(machine {flow['cores_busy']['machine']} of {os.cpu_count()})"
        )
        if flow.get("postgresql_sessions_opened") is not None:
            lines.append(
                f"  PostgreSQL sessions opened during the flow (warm-up included): "
                f"{flow['postgresql_sessions_opened']:,}; backends born in the window and seen: "
                f"{flow['postgresql_backends_born_in_window']:,}"
            )
        for kind, body in flow["error_bodies"].items():
            lines.append(f"  first {kind}: {body[:300]}")
    if st_result and "cpu_s_per_session" in st_result:
        form_rate = 1000 / result["flows"][0]["server_cpu_ms_per_declaration"]
        session_rate = 1 / st_result["cpu_s_per_session"]
        lines += [
            "",
            f"Streamlit session path ({st_result['first_session']['page']} at /sign_in): "
            f"{st_result['cpu_s_per_session']:.2f} CPU-s per session "
            f"(the old declaration needed one session and ~{OLD_SESSION_CPU_S} CPU-s); the first, "
            f"uncounted session took {st_result['first_session']['cpu_s']:.2f} CPU-s.",
            f"Form: {form_rate:,.0f} declarations per server CPU-second (GET + POST) against "
            f"{session_rate:,.2f} Streamlit sessions per server CPU-second: "
            f"{form_rate / session_rate:,.0f}× (the cost of one Streamlit session at /sign_in, "
            "not of the old kiosk page; the old QR flow needed one session per declaration).",
        ]
    elif st_result:
        lines += ["", f"Streamlit session path: {st_result.get('skipped') or st_result}"]
    if result["server"]["log_excerpt"]:
        lines += ["", "Server log lines that look like trouble:"]
        lines += [f"  {line}" for line in result["server"]["log_excerpt"]]
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


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
    server: Server | None = None
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
        server = start_server(database.url)
        pid = server.process.pid
        print(f"  server pid {pid}, log {server.log_path}", file=sys.stderr)
        load = Load(server.base, tokens, args.concurrency)
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
        rss = rss_mb(pid)

        st_result = None
        if args.streamlit_sessions > 0:
            print(f"Streamlit sessions: {args.streamlit_sessions} …", file=sys.stderr)
            try:
                st_result = streamlit_sessions(server.base, pid, args.streamlit_sessions)
            except Exception as error:  # noqa: BLE001 - the form's figures are still worth keeping
                st_result = {"failed": f"{error.__class__.__name__}: {str(error).splitlines()[0]}"}
    finally:
        if backends is not None:
            backends.stop()
        if server is not None:
            stop_server(server)
        if not args.keep and not args.reuse and database.created:
            drop_database(database)
        else:
            print(f"  database kept: {make_url(database.url)}", file=sys.stderr)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {memory_gb()} GB RAM, "
        f"Python {platform.python_version()}",
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
            "log": str(server.log_path),
            "rss_mb_after_load": round(rss, 1),
            "idle_cpu_cores": round(idle_cores, 3),
            "log_excerpt": log_excerpt(server.log_path),
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
