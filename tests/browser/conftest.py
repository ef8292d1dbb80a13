"""End-to-end harness: the real app on a real database, driven by Debian's headless Chromium.

Like Streamlit's own e2e suite: a server starts once (`server`, shared by the modules that only
sign in and read) or once per module that needs its own, readiness is polled on /_stcore/health,
each interaction waits for the run of the script it causes to finish (`rerun`) or for what the
app is to show, never for a fixed time, and every test leaves a screenshot under test-artifacts/
(kept on failure too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.chromium import CHROMIUM, CHROMIUM_FLAGS
from bench.web_server import free_port, stop_process, wait_healthy
from config.settings import HotSpotSettings
from db.engine import make_engine
from geo.hot_spots import city_wards, hot_spots
from geo.ward_neighbours import city_graph
from queries.hot_spots import ward_counts
from rules.local_time import CITY_ZONE
from tests.conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
# Every wait is on what the app shows (its script's run state, an element, a text, a URL) and
# ends as soon as that is there; this ceiling is only how long a failure takes to be declared.
# It is long because a machine busy with other work can take tens of seconds for one run of a
# page (5 s, then 30 s, failed that way while the app was still running its script).
WAIT_MS = 120_000
expect.set_options(timeout=WAIT_MS)
SERVER_START_S = 120
LOOPBACK = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")
# The app's websocket of each page (the latest: a reload or a reconnection opens another).
SOCKETS: WeakKeyDictionary[Page, WebSocket] = WeakKeyDictionary()
RUN_ENDS = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run in one xdist worker, one after another (`--dist loadgroup`): each
    drives a server and a browser, and two at once on a small machine only slow each other."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


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
                # No reloading when a source file changes under a running test: a module loaded
                # anew mid-run breaks st.cache_data's pickling of its classes.
                "--server.fileWatcherType", "none",
            ],
            cwd=REPO, env=environment, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_healthy(self.url, self.process, SERVER_START_S, self.log)

    def restart(self) -> None:
        """Stop the server and start it again on the same port, as after a deploy or a crash."""
        self.stop()
        self._start()

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run scripts/ensure-chromium (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@contextmanager
def offline_page(browser: Browser, **options: Any) -> Iterator[Page]:
    """A page in a new browser context (options: viewport, locale, is_mobile…) whose waits
    last up to WAIT_MS and whose websocket to the app is known (`rerun`); nothing may leave the
    machine: a request off loopback fails the test when the block ends."""
    context = browser.new_context(**options)
    context.set_default_timeout(WAIT_MS)
    outside: list[str] = []
    context.on(
        "request", lambda req: None if req.url.startswith(LOOPBACK) else outside.append(req.url)
    )
    page = context.new_page()
    page.on("websocket", lambda socket: SOCKETS.__setitem__(page, socket))
    try:
        yield page
    finally:
        context.close()
    assert outside == [], f"requests left the machine: {outside[:5]}"


def screenshot(page: Page, name: str, **options: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), **options)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with offline_page(browser, viewport={"width": 1440, "height": 900}, locale="vi-VN") as page:
        yield page
        name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
        screenshot(page, f"{name}.png", full_page=True)


def wait_for_app_run(page: Page) -> None:
    """Until Streamlit is connected and its script has finished (as in Streamlit's e2e suite).
    Right after an action the page still shows the run before it as finished: wrap an action
    that makes the app run in `rerun` instead."""
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached"
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached"
    )


def _run_finished(payload: str | bytes) -> bool:
    """Whether a message from the app's server says a run of the whole script has ended (not
    one stopped for a rerun, nor a fragment's: the wall refreshes its figures that way)."""
    if isinstance(payload, str):
        return False
    message = ForwardMsg.FromString(payload)
    return message.WhichOneof("type") == "script_finished" and message.script_finished in RUN_ENDS


@contextmanager
def rerun(page: Page) -> Iterator[None]:
    """Around an action that makes the app run its script (a button, a choice, Enter in a text
    box, a link of the menu): waits until the server has said that run has ended, then until
    the page shows it finished."""
    with SOCKETS[page].expect_event("framereceived", predicate=_run_finished, timeout=WAIT_MS):
        yield
    wait_for_app_run(page)


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
    shutil.copy(str(make_url(sqlite_demo_url).database), path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with engine.begin() as connection:
        for username, role, district, ward in ACCOUNTS.values():
            create_user(connection, username, PASSWORD, role, district, ward)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def server(browser_demo_url: str) -> Iterator[AppServer]:
    """One server on the browser demo city for every module that only signs in, reads and
    writes what no other module reads back; a module that stops, restarts or configures its
    server, or needs a database of its own, defines its own `server`."""
    app = AppServer(browser_demo_url, {"KBYT_WALL_REFRESH_SECONDS": "10"})
    yield app
    app.stop()


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
    wait_for_app_run(page)  # a page just loaded says "initial" until its first run has ended
    return page


def select_first_row(page: Page, key: str) -> None:
    """Click the first row of a selectable table (a canvas: by position, below the header);
    key is the table's key, or its start followed by '*' (keys that carry an id)."""
    scope = f"[class*='st-key-{key[:-1]}']" if key.endswith("*") else f".st-key-{key}"
    grid = page.locator(f"{scope} [data-testid='stDataFrameResizable']").first
    grid.wait_for()
    with rerun(page):
        grid.click(position={"x": 12, "y": 53})


def go_to(page: Page, title: str) -> None:
    """Follow a link of the sidebar menu."""
    with rerun(page):
        page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()


@pytest.fixture
def open_app(page: Page) -> Callable[[str, str], Page]:
    def open_(base_url: str, path: str = "") -> Page:
        page.goto(f"{base_url}/{path}")
        wait_for_app_run(page)
        return page

    return open_


def choose(page: Page, label: str, typed: str) -> str:
    """Pick the first option matching what is typed into a select box; returns its text."""
    wait_for_app_run(page)
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(typed)
    option = page.get_by_role("option").first
    option.wait_for()
    text = option.inner_text().strip()
    # Enter takes the highlighted option; a click can race a rerun that redraws the list.
    with rerun(page):
        box.press("Enter")
    return text


def open_case(page: Page) -> None:
    """On the trace panel: open the case the picker shows first."""
    with rerun(page):
        page.get_by_role("button", name="Mở ca").click()


def trace_with_purpose(page: Page, purpose: str) -> None:
    """On the trace panel with a case open: state the purpose (it is audited) and trace."""
    page.get_by_label("Mục đích truy vết (bắt buộc, được ghi nhật ký)").fill(purpose)
    with rerun(page):
        page.keyboard.press("Enter")
    with rerun(page):
        page.get_by_role("button", name="Truy vết", exact=True).click()


def todays_hot_spots(database_url: str) -> pd.DataFrame:
    """Today's ward hot spots over the whole city, computed as the wall does with the default
    settings. The demo city's check-ins end when it was built, so how many wards are hot
    "today" depends on the hour the tests run: at 00:30 none, at 09:30 two (CI, 2026-12-03)."""
    config = HotSpotSettings()
    today = datetime.now(CITY_ZONE).date()
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            counts = ward_counts(connection, today, today, CITY_ZONE, None)
    finally:
        engine.dispose()
    return hot_spots(
        counts,
        city_graph(None),
        city_wards(None),
        alpha=config.alpha,
        permutations=config.permutations,
        seed=config.seed,
    )
