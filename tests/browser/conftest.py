"""End-to-end harness: the real app on a real database, driven by Debian's headless Chromium.

Like Streamlit's own e2e suite: the server starts once per module, readiness is polled on
/_stcore/health, each interaction waits for the script to finish (data-test-script-state), never
for a fixed time, and every test leaves a screenshot under test-artifacts/ (kept on failure too).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_FLAGS
from tests.conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
# Assertions poll the page until it shows what they expect; this is only how long a failure
# takes to be declared. Five seconds (Playwright's default) failed on a loaded machine while
# the app was still running its script.
WAIT_MS = 30_000
expect.set_options(timeout=WAIT_MS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    def __init__(self, database_url: str, env: dict[str, str] | None = None) -> None:
        self.database_url, self.env = database_url, env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._start()

    def _start(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = ARTIFACTS / f"server-{self.port}-{time.time_ns()}.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KBYT_")}
        environment.update(
            {
                "KBYT_DATABASE_URL": self.database_url,
                "KBYT_DEMO__SEED_ON_FIRST_START": "false",
                **(self.env or {}),
            }
        )
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "server.py",
                "--server.port", str(self.port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
            cwd=REPO, env=environment, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._wait_healthy()

    def _wait_healthy(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as answer:
                    if answer.read() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.2)  # polling the health endpoint, not waiting for the app
        raise RuntimeError(f"the app did not become healthy: {self.log.read_text()[-2000:]}")

    def restart(self) -> None:
        """Stop the server and start it again on the same port, as after a deploy or a crash."""
        self.stop()
        self._start()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run scripts/ensure-chromium (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    outside: list[str] = []
    # Nothing may leave the machine: a request off loopback is a failure of the offline promise.
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith(
                ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")
            )
            else None
        ),
    )
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert outside == [], f"requests left the machine: {outside[:5]}"


def wait_for_app_run(page: Page, timeout_ms: int = 30_000) -> None:
    """Until Streamlit is connected and its script has finished (as in Streamlit's e2e suite)."""
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout_ms
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout_ms
    )


ACCOUNTS = {
    "admin": ("e2e.admin", "admin", None, None),
    "command_centre": ("e2e.command", "command_centre", None, None),
    "district_officer": ("e2e.govap", "district_officer", "764", None),
    "leadership": ("e2e.leader", "leadership", None, None),
    "epidemiologist": ("e2e.epi", "epidemiologist", None, None),
}
PASSWORD = "e2e password, long enough"


@pytest.fixture(scope="session")
def browser_demo_url(sqlite_demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private copy of the SQLite demo city with one account per persona: the browser tests
    sign in (audited) and declare, and the shared demo must stay as built."""
    from sqlalchemy.engine import make_url

    from db.engine import make_engine
    from queries.users import create_user

    path = tmp_path_factory.mktemp("browser") / "city.db"
    shutil.copy(make_url(sqlite_demo_url).database, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with engine.begin() as connection:
        for username, role, district, ward in ACCOUNTS.values():
            create_user(connection, username, PASSWORD, role, district, ward)
    engine.dispose()
    return url


def sign_in(page: Page, base_url: str, role: str, query: str = "", path: str = "") -> Page:
    """Open a page of the app (a shared link's query included) signed out: the browser is sent
    to the sign-in form, signs in as the persona for role and comes back to that page.

    The session lives in a cookie, so a reload or a new page load keeps the user signed in.
    """
    page.goto(f"{base_url}/{path}{'?' + query if query else ''}")
    page.get_by_label("Tên đăng nhập").fill(ACCOUNTS[role][0])
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for()
    wait_for_app_run(page)
    return page


def select_first_row(page: Page, key: str) -> None:
    """Click the first row of a selectable table (a canvas: by position, below the header);
    key is the table's key, or its start followed by '*' (keys that carry an id)."""
    scope = f"[class*='st-key-{key[:-1]}']" if key.endswith("*") else f".st-key-{key}"
    grid = page.locator(f"{scope} [data-testid='stDataFrameResizable']").first
    grid.wait_for()
    grid.click(position={"x": 12, "y": 53})
    wait_for_app_run(page)


def go_to(page: Page, title: str) -> None:
    """Follow a link of the sidebar menu."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    wait_for_app_run(page)


@pytest.fixture
def open_app(page: Page) -> Callable[[str, str], Page]:
    def open_(base_url: str, path: str = "") -> Page:
        page.goto(f"{base_url}/{path}")
        wait_for_app_run(page)
        return page

    return open_
