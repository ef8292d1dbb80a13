"""The app's memory (bench/run.py): `streamlit run server.py` on the city, Chromium opens every
page and runs a trace, and the server's resident memory is read from /proc after each page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.chromium import CHROMIUM, CHROMIUM_FLAGS
from bench.trace import (
    DEMO_DAYS,
    DEMO_END,
)
from db.engine import make_engine

REPO = Path(__file__).resolve().parent.parent

PAGES = (
    ("Tổng quan", "overview"),
    ("Bản đồ", "map"),
    ("Địa điểm", "venues"),
    ("Ca nguy cơ", "risk"),
    ("Màn hình điều hành", "wall"),
)
APP_USER, APP_PASSWORD = "bench.admin", "bench password, long enough"
# Goals of the city-scale issue, checked at 20M check-ins (printed at any size).
RSS_GOAL_MB = 1024


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def app_memory(url: str, f2_case: int | None = None) -> dict[str, Any]:
    """Serve the app on the city and open its pages in Chromium, then trace f2_case (F1, then
    F1 and F2; without it the first case, F1) in the trace panel; memory of the server."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "playwright is not installed (requirements-dev.txt)"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"no Chromium at {CHROMIUM} (scripts/ensure-chromium)"}
    _ensure_user(url)
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KBYT_")}
    environment.update({"KBYT_DATABASE_URL": url, "KBYT_DEMO__SEED_ON_FIRST_START": "false"})
    log = open(Path(tempfile.gettempdir()) / f"kbyt-bench-app-{port}.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    samples: list[dict[str, Any]] = []
    peak = {"rss": 0.0}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak["rss"] = max(peak["rss"], rss_mb(server.pid)[0])
            stop.wait(0.2)

    try:
        _wait_healthy(base, server)
        samples.append({"page": "started", "rss_mb": round(rss_mb(server.pid)[0], 1)})
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        last_day = (DEMO_END - timedelta(days=1)).date()
        query = f"from={last_day - timedelta(days=DEMO_DAYS - 1)}&to={last_day}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="vi-VN")
            page.goto(f"{base}/?{query}")
            _sign_in(page)
            for title, path in PAGES:
                started = time.perf_counter()
                page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
                # The default page (the overview) is served at "/".
                page.wait_for_url(re.compile(f"/({path})?(\\?|$)"), timeout=120_000)
                _wait_run(page)
                samples.append(
                    {
                        "page": title,
                        "seconds": round(time.perf_counter() - started, 1),
                        "rss_mb": round(rss_mb(server.pid)[0], 1),
                    }
                )
            samples += _trace_in_browser(page, server.pid, f2_case)
            browser.close()
        rss, hwm = rss_mb(server.pid)
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    return {
        "method": "streamlit run server.py + headless Chromium; VmRSS / VmHWM of the server",
        "rss_mb": round(rss, 1),
        "peak_rss_mb": round(max(hwm, peak["rss"]), 1),
        "pages": samples,
    }


def _sign_in(page: Any) -> None:
    _wait_run(page)
    page.get_by_label("Tên đăng nhập").fill(APP_USER)
    page.get_by_label("Mật khẩu").fill(APP_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for(timeout=120_000)
    _wait_run(page)


def _trace_in_browser(page: Any, pid: int, case_id: int | None = None) -> list[dict[str, Any]]:
    """Open a case on the trace page (case_id, else the first of the list) and trace it: F1;
    then, for case_id, F1 and F2 (F1 is shown at once, F2 after). A sample after each."""
    samples = []
    started = time.perf_counter()
    depth = 1
    try:
        page.locator("[data-testid='stSidebarNav'] a", has_text="Truy vết").first.click()
        page.wait_for_url(re.compile("/trace(\\?|$)"), timeout=120_000)
        _wait_run(page)
        if case_id is not None:
            page.get_by_label(re.compile("Tìm ca bệnh")).fill(str(case_id))
            page.keyboard.press("Enter")
            _wait_run(page)
        page.get_by_role("button", name="Mở ca").click()
        _wait_run(page)
        page.get_by_label(re.compile("Mục đích truy vết")).fill("Đo hiệu năng")
        page.keyboard.press("Enter")
        _wait_run(page)
        for depth in (1, 2) if case_id is not None else (1,):
            if depth == 2:
                started = time.perf_counter()
                page.get_by_text("F1 và F2", exact=True).click()
                _wait_run(page)
            page.get_by_role("button", name="Truy vết", exact=True).click()
            _wait_run(page, timeout_ms=600_000)
            page.get_by_text("Các địa điểm ca đã đến").wait_for(timeout=600_000)
            # F2 runs after F1 is shown, under this heading, then the page draws again.
            page.get_by_text("Đang tính F2…").wait_for(state="detached", timeout=600_000)
            _wait_run(page, timeout_ms=600_000)
            samples.append(_trace_sample(pid, case_id, depth, "traced", started))
    except Exception as error:  # noqa: BLE001 - the page may change; memory is still read
        outcome = f"not traced ({error.__class__.__name__})"
        samples.append(_trace_sample(pid, case_id, depth, outcome, started))
    return samples


def _trace_sample(
    pid: int, case_id: int | None, depth: int, outcome: str, started: float
) -> dict[str, Any]:
    return {
        "page": f"Truy vết (F{'1+F2' if depth == 2 else '1'}, case {case_id or 'first'}: "
        f"{outcome})",
        "seconds": round(time.perf_counter() - started, 1),
        "rss_mb": round(rss_mb(pid)[0], 1),
    }


def _ensure_user(url: str) -> None:
    from queries.users import create_user

    engine = make_engine(url)
    with engine.begin() as connection:
        known = connection.exec_driver_sql(
            "SELECT 1 FROM app_user WHERE username = %(name)s", {"name": APP_USER}
        ).scalar()
        if not known:
            create_user(connection, APP_USER, APP_PASSWORD, "admin")
    engine.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(base: str, server: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the app exited while starting")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling the health endpoint
    raise RuntimeError("the app did not become healthy")


def _wait_run(page: Any, timeout_ms: int = 120_000) -> None:
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout_ms
    )
