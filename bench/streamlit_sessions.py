"""The price of a Streamlit session: headless Chromium contexts open the dashboard's sign-in
page one after another, and the server's CPU is read around them (the old QR flow ran one such
session per declaration)."""

from __future__ import annotations

import time
from typing import Any

from bench.chromium import CHROMIUM, CHROMIUM_FLAGS, browser_missing
from bench.load_summary import percentiles
from bench.proc_stats import process_cpu_s


def streamlit_sessions(base: str, pid: int, count: int) -> dict[str, Any]:
    """Server CPU of `count` Streamlit sessions opening `/sign_in` (after one uncounted)."""
    missing = browser_missing()
    if missing:
        return {"skipped": missing}
    from playwright.sync_api import sync_playwright

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
        "session_seconds": percentiles(seconds),
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
