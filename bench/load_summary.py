"""A flow of the load benchmark summarised: declarations per second, latency percentiles, the
errors by kind, and the CPU each party spent per declaration between two marks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.backend_watch import BackendWatch
from bench.proc_stats import machine_cpu_s, process_cpu_s, self_cpu_s

if TYPE_CHECKING:
    from bench.form_load import Outcomes

PERCENTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


@dataclass
class CpuMark:
    """The CPU seconds of each party at one moment: a flow's figures are the differences
    between the marks at the edges of its measured window."""

    at: float
    server: float
    backends: float
    backends_seen: int
    generator: float
    machine_busy: float
    machine_interrupts: float
    machine_total: float

    @classmethod
    def take(cls, server_pid: int, backends: BackendWatch) -> CpuMark:
        busy, interrupts, total = machine_cpu_s()
        return cls(
            time.monotonic(),
            process_cpu_s(server_pid),
            *backends.cpu_s(),
            self_cpu_s(),
            busy,
            interrupts,
            total,
        )


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarise(
    label: str, out: Outcomes, window: tuple[float, float], marks: dict[str, CpuMark]
) -> dict[str, Any]:
    start, end = window
    inside = [s for s in out.samples if s.started >= start and s.ended <= end]
    ok = [s for s in inside if s.ok]
    seconds = end - start
    full = [(s.ended - s.started) * 1000 for s in ok]
    post = [s.post_ms for s in ok if s.post_ms is not None]
    first, last = marks["start"], marks["end"]
    per = max(len(ok), 1)
    machine_total = last.machine_total - first.machine_total
    busy = {
        "server": last.server - first.server,
        "postgresql_backends": last.backends - first.backends,
        "load_generator": last.generator - first.generator,
        "interrupts": last.machine_interrupts - first.machine_interrupts,
        "machine": last.machine_busy - first.machine_busy,
    }
    ours = busy["server"] + busy["postgresql_backends"] + busy["load_generator"]
    busy["other_processes"] = max(0.0, busy["machine"] - busy["interrupts"] - ours)
    return {
        "flow": label,
        "window_s": round(seconds, 2),
        "declarations": len(ok),
        "failed_in_window": len(inside) - len(ok),
        "declarations_per_s": round(len(ok) / seconds, 1),
        "latency_ms": percentiles(full),
        "post_latency_ms": percentiles(post),
        "errors": dict(out.errors),
        "error_bodies": out.error_bodies,
        "database_is_locked": out.locked,
        "traceback_bodies": out.tracebacks,
        "attempts_all": out.attempts,
        "successes_all": out.successes,
        "postgresql_backends_born_in_window": last.backends_seen - first.backends_seen,
        "server_cpu_ms_per_declaration": round(busy["server"] * 1000 / per, 2),
        "postgresql_cpu_ms_per_declaration": round(busy["postgresql_backends"] * 1000 / per, 2),
        "load_generator_cpu_ms_per_declaration": round(busy["load_generator"] * 1000 / per, 2),
        "cpu_s": {k: round(v, 2) for k, v in busy.items()},
        "machine_busy_share": round(busy["machine"] / machine_total, 3) if machine_total else None,
        "cores_busy": {k: round(v / seconds, 2) for k, v in busy.items()},
    }


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50, p95 and p99 of the values, to a tenth (None where there are none)."""
    found = {name: percentile(values, share) for name, share in PERCENTILES.items()}
    return {name: None if value is None else round(value, 1) for name, value in found.items()}
