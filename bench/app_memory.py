"""The app's memory (bench/run.py): `streamlit run server.py` on the city, Chromium opens every
page and runs a trace, and the server's resident memory is read from /proc after each page."""

from __future__ import annotations

import re
import threading
import time
from datetime import date, timedelta
from typing import Any

from bench.app_server import start_app
from bench.chromium import CHROMIUM, CHROMIUM_FLAGS, browser_missing
from bench.proc_stats import memory_mb
from bench.trace import DEMO_DAYS, DEMO_END
from db.engine import make_engine
from queries.kpis import first_day_with_data
from rules.local_time import CITY_ZONE

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


def app_memory(url: str, f2_case: int | None = None) -> dict[str, Any]:
    """Serve the app on the city and open its pages in Chromium, then trace f2_case (F1, then
    F1 and F2; without it the first case, F1) in the trace panel; memory of the server."""
    missing = browser_missing()
    if missing:
        return {"skipped": missing}
    from playwright.sync_api import sync_playwright

    _ensure_user(url)
    server = start_app(url, log_name="kbyt-bench-app")
    pid = server.process.pid
    samples: list[dict[str, Any]] = []
    peak = {"rss": 0.0}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak["rss"] = max(peak["rss"], memory_mb(pid)[0])
            stop.wait(0.2)

    try:
        samples.append({"page": "started", "rss_mb": round(memory_mb(pid)[0], 1)})
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        first_day, last_day = _city_days(url)
        query = f"from={first_day}&to={last_day}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="vi-VN")
            page.goto(f"{server.url}/?{query}")
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
                        "rss_mb": round(memory_mb(pid)[0], 1),
                    }
                )
            samples += _trace_in_browser(page, pid, f2_case)
            browser.close()
        rss, hwm = memory_mb(pid)
    finally:
        stop.set()
        server.stop()
    return {
        "method": "streamlit run server.py + headless Chromium; VmRSS / VmHWM of the server",
        "rss_mb": round(rss, 1),
        "peak_rss_mb": round(max(hwm, peak["rss"]), 1),
        "pages": samples,
    }


def _city_days(url: str) -> tuple[date, date]:
    """The filter's days: the city's last DEMO_DAYS, from its first day with data at the
    earliest (the app refuses a link that starts before it, and falls back to the last week
    before today, which holds nothing of the 2021 city)."""
    last_day = (DEMO_END - timedelta(days=1)).date()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            first_with_data = first_day_with_data(connection, CITY_ZONE)
    finally:
        engine.dispose()
    first_day = last_day - timedelta(days=DEMO_DAYS - 1)
    return (max(first_day, first_with_data) if first_with_data else first_day), last_day


def _sign_in(page: Any) -> None:
    """On the sign-in form a signed-out browser is sent to: a plain HTML page (web/auth.py),
    not a Streamlit one, so there is no script run to wait for until the dashboard opens."""
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
        page.get_by_role("button", name="Truy vết", exact=True).click()
        page.locator("h3", has_text="Các địa điểm ca số ").first.wait_for(timeout=600_000)
        _wait_run(page, timeout_ms=600_000)
        samples.append(_trace_sample(pid, case_id, depth, "traced", started))
        if case_id is not None:
            # F2 of the case from its one button: F1 is drawn again at once, F2 under "Đang
            # tính F2…", then the page runs again without the button.
            depth, started = 2, time.perf_counter()
            f2 = page.get_by_role("button", name="Truy vết tiếp F2")
            f2.click()
            page.wait_for_url(re.compile("depth=2"), timeout=600_000)
            for gone in (page.get_by_text("Đang tính F2"), f2):
                gone.first.wait_for(state="detached", timeout=600_000)
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
        "rss_mb": round(memory_mb(pid)[0], 1),
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


def _wait_run(page: Any, timeout_ms: int = 120_000) -> None:
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout_ms
    )
