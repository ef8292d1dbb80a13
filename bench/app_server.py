"""The whole app's server for a benchmark, started as `make run` starts it (`streamlit run
server.py`, headless, on a free loopback port) in a process of its own, polled on
/_stcore/health until it answers, and stopped; its log in the temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.web_server import free_port, stop_process, wait_healthy

REPO = Path(__file__).resolve().parent.parent
# The public form's limits raised for a load test: all of its load comes from 127.0.0.1.
RATE_LIMITS = {
    "KBYT_PUBLIC__RATE_PER_ADDRESS": "1000000/minute",
    "KBYT_PUBLIC__RATE_PER_VENUE": "1000000/minute",
}
UNDER_LOAD = {"KBYT_SECRET_KEY": "bench", **RATE_LIMITS}
START_S = 120
STOP_S = 20


@dataclass
class AppServer:
    process: subprocess.Popen
    url: str
    log: Path
    command: list[str]

    def stop(self) -> None:
        stop_process(self.process, STOP_S)


def app_environment(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without its KBYT_ settings (a developer's own must not leak
    into a measure), pointed at the database, with no demo seeding on first start."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KBYT_")}
    environment.pop("DATABASE_URL", None)
    environment.update(
        {
            "KBYT_DATABASE_URL": database_url,
            "KBYT_DEMO__SEED_ON_FIRST_START": "false",
            **(extra or {}),
        }
    )
    return environment


def python_streamlit() -> list[str]:
    """`streamlit` as this interpreter's module."""
    return [sys.executable, "-m", "streamlit"]


def venv_streamlit() -> list[str]:
    """The .venv's `streamlit` script, as `make run` runs it (else this interpreter's module)."""
    script = REPO / ".venv" / "bin" / "streamlit"
    return [str(script)] if script.exists() else python_streamlit()


def start_app(
    database_url: str,
    environment: dict[str, str] | None = None,
    arguments: Sequence[str] = (),
    runner: Sequence[str] | None = None,
    log_name: str = "kbyt-bench-app",
) -> AppServer:
    """Start `runner run server.py` (runner: python -m streamlit unless given) with the extra
    environment and arguments, and return once it is healthy; stopped again if it is not."""
    port = free_port()
    command = [
        *(runner or python_streamlit()), "run", "server.py", "--server.port", str(port),
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", *arguments,
    ]  # fmt: skip
    log = Path(tempfile.gettempdir()) / f"{log_name}-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=app_environment(database_url, environment),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(process, f"http://127.0.0.1:{port}", log, command)
    try:
        wait_healthy(server.url, process, START_S, log)
    except BaseException:
        server.stop()
        raise
    return server


def start_under_load(
    database_url: str, extra_environment: dict[str, str] | None = None
) -> AppServer:
    """The server as the load benchmarks drive it: `make run`'s command, a secret key of the
    bench's own and the public rate limits raised (RATE_LIMITS)."""
    return start_app(
        database_url,
        {**UNDER_LOAD, **(extra_environment or {})},
        runner=venv_streamlit(),
        log_name="kbyt-bench-load",
    )


LOG_MARKERS = ("Traceback", "database is locked", "Error", "Exception", "WARNING")


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
