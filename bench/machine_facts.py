"""What a benchmark's figures were measured on: the machine, how busy it was, and the code."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load_average(separator: str = " / ") -> str:
    """The 1, 5 and 15 minute load averages: what else ran shows in the figures."""
    return separator.join(f"{value:.2f}" for value in os.getloadavg())


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
    """The machine's memory, in whole GB (rounded half up)."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return int(pages / 1024**3 + 0.5)


def machine() -> str:
    """The machine in one line: architecture, cores, memory and Python."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory_gb()} GB RAM, "
        f"Python {platform.python_version()}"
    )
