"""Debian's Chromium (scripts/ensure-chromium installs it) and the flags it is launched with,
for the browser tests and the benchmark's app-memory run: never a downloaded browser, nothing
fetched from the internet by the browser itself."""

import shutil

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
