"""The app's server for the persona timings: `streamlit run server.py` with the file watcher
off and, for --profile, every script run under cProfile (one .prof per run); the profiles of
the slowest steps summarised afterwards."""

from __future__ import annotations

import pstats
import re
import statistics
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench.app_server import AppServer, start_app

if TYPE_CHECKING:
    from bench.persona_walk import Sample

REPO = Path(__file__).resolve().parent.parent

# `streamlit run` with each script run under cProfile (for --profile): Streamlit's ScriptRunner
# runs a session's script on its own thread, where a cProfile.Profile enabled there sees it.
PROFILED_STREAMLIT = """
import cProfile, itertools, os, sys, time
from pathlib import Path
from streamlit.runtime.scriptrunner import script_runner
folder = Path(os.environ["BENCH_PROFILE_DIR"])
original = script_runner.ScriptRunner._run_script
numbers = itertools.count()
def profiled(self, rerun_data):
    profile, started = cProfile.Profile(), time.time()
    profile.enable()
    try:
        return original(self, rerun_data)
    finally:
        profile.disable()
        profile.dump_stats(folder / f"run-{started:.3f}-{time.time():.3f}-{next(numbers)}.prof")
script_runner.ScriptRunner._run_script = profiled
from streamlit.web.cli import main
sys.argv = ["streamlit", *sys.argv[1:]]
main()
"""


def start_server(database_url: str, profile_dir: Path | None = None) -> AppServer:
    """The app on the city, healthy; under cProfile into profile_dir if given."""
    # Not make run's: without the watcher, another edit to the (shared) working tree during
    # the run does not reload modules under the live sessions (st.cache_data then fails to
    # pickle a class that is "not the same object"). Page scripts are still read per run.
    arguments = ["--server.fileWatcherType", "none"]
    if profile_dir is None:
        return start_app(database_url, arguments=arguments, log_name="kbyt-bench-personas")
    profile_dir.mkdir(parents=True, exist_ok=True)
    return start_app(
        database_url,
        {"BENCH_PROFILE_DIR": str(profile_dir)},
        arguments,
        runner=[sys.executable, "-c", PROFILED_STREAMLIT],
        log_name="kbyt-bench-personas",
    )


def profile_report(samples: list[Sample], folder: Path, slowest: int = 2, top: int = 25) -> str:
    """For the slowest steps (by median seconds), the functions with the most cumulative time
    in the script runs that began during the step (all rounds merged)."""
    runs = []
    for path in folder.glob("run-*.prof"):
        _, began, ended, _ = path.stem.split("-")
        runs.append((float(began), float(ended), path))
    by_step: dict[tuple[str, str], list[Sample]] = {}
    for sample in samples:
        if sample.seconds is not None:
            by_step.setdefault((sample.persona, sample.step), []).append(sample)
    ranked = sorted(
        by_step.items(), key=lambda item: -statistics.median(s.seconds or 0 for s in item[1])
    )
    parts = []
    for (persona, step), group in ranked[:slowest]:
        files = [
            str(path)
            for began, _, path in runs
            if any(s.started <= began <= s.ended for s in group)
        ]
        if not files:
            parts.append(f"## {persona} — {step}: no script run began during the step")
            continue
        out = Path(tempfile.gettempdir()) / "kbyt-bench-personas-profile.txt"
        with out.open("w") as stream:
            stats = pstats.Stats(*files, stream=stream)
            # The product's own functions by cumulative time, then everything by own time.
            product = f"{re.escape(str(REPO))}/(app|app_pages|ui|queries|geo|reports|rules|db)"
            stats.sort_stats("cumulative").print_stats(product, top)
            stats.sort_stats("tottime").print_stats(top)
        parts.append(f"## {persona} — {step}: {len(files)} script runs\n{out.read_text()}")
    return "\n\n".join(parts)
