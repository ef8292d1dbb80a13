"""Debian's Chromium (scripts/ensure-chromium installs it) and the flags it is launched with,
for the browser tests and the benchmark's app-memory run: never a downloaded browser, nothing
fetched from the internet by the browser itself."""

import importlib.util
import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_missing() -> str | None:
    """Why a benchmark cannot drive Chromium here (Playwright or the browser not installed), or
    None: the measure is then skipped with that reason and the other figures kept."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (requirements-dev.txt)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (scripts/ensure-chromium)"
    return None
