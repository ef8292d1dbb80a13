"""One persona's walk through the app in headless Chromium, timed step by step: each step from
an action (a click) until its own elements are visible and Streamlit has settled after a script
run begun since the action, with the server's CPU and the browser's script and long-task time."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.app_server import AppServer
from bench.persona_city import PASSWORD
from bench.proc_stats import own_cpu_s

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
    server: AppServer
    persona: str
    round: int
    timeout_ms: int
    samples: list[Sample] = field(default_factory=list)

    def cpu_s(self) -> float:
        """utime + stime of the server process (all its threads), in seconds."""
        return own_cpu_s(self.server.process.pid)

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
        started_epoch, cpu = time.time(), self.cpu_s()
        started = time.perf_counter()
        action()
        for locator in ready:
            locator.wait_for(state="visible", timeout=self.timeout_ms)
        if after is not None:
            after()
        self.page.wait_for_function(SETTLED, arg=before, timeout=self.timeout_ms)
        seconds = time.perf_counter() - started
        cpu = self.cpu_s() - cpu
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


def open_sign_in(walk: Walk, username: str) -> None:
    """The sign-in form, filled in for the persona (not sent: sending it is the timed step)."""
    page = walk.page
    page.goto(f"{walk.server.url}/session/sign-in")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)


def sign_in_step(walk: Walk, username: str, ready: Sequence[Any]) -> None:
    """Sign in, timed until the first page is drawn with the ready elements."""
    page = walk.page
    open_sign_in(walk, username)
    walk.step(
        "sign-in → first page",
        lambda: page.get_by_role("button", name="Đăng nhập").click(),
        [page.get_by_role("button", name="Đăng xuất"), *ready],
        new_document=True,
    )
