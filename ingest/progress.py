"""Progress of the long jobs (demo city, imports, exports, a trace) as a text bar on stderr: the
progress callback they take, as the command line and the benchmarks show it."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_bar(label: str) -> Callable[[float, str], None]:
    """A text progress bar on stderr; in logs (not a terminal) one line per 10 %."""
    interactive = sys.stderr.isatty()
    last = {"shown": -1}

    def show(fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if not interactive and percent // 10 == last["shown"] // 10 and fraction < 1:
            return
        last["shown"] = percent
        filled = int(fraction * 30)
        bar = "#" * filled + "-" * (30 - filled)
        end = "\n" if fraction >= 1 or not interactive else ""
        print(f"\r{label} [{bar}] {percent:3d}% {message:<40}", end=end, file=sys.stderr)

    return show
