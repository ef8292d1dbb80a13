"""CPU and memory of processes and of the whole machine, read from /proc (Linux): what the
benchmarks charge to the app's server, its database backends and the load generator."""

from __future__ import annotations

import os
import resource
from pathlib import Path

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after "pid (comm) " (a command may hold spaces and
    parentheses, so the split starts after the last ')')."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def own_cpu_s(pid: int) -> float:
    """utime + stime of a process (all its threads, not its children), in seconds."""
    fields = stat_fields(pid)
    # fields[11:13] are utime and stime (fields 14-15 of proc(5)).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def process_cpu_s(pid: int) -> float:
    """utime + stime of a process and of its children (waited-for: cutime + cstime; live:
    walked through /proc), in seconds."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            fields = stat_fields(current)
        except OSError:
            continue
        # fields[11:15] are utime, stime, cutime, cstime (fields 14-17 of proc(5)).
        total += sum(int(value) for value in fields[11:15]) / CLOCK_TICK
        todo += _children(current)
    return total


def machine_cpu_s() -> tuple[float, float, float]:
    """(busy, of which interrupts and steal, total) CPU seconds of the whole machine since boot
    (/proc/stat): the kernel's loopback networking runs largely in softirq, charged to no
    process."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    interrupts = values[5] + values[6] + values[7]  # irq + softirq + steal
    return (
        (sum(values) - idle) / CLOCK_TICK,
        interrupts / CLOCK_TICK,
        sum(values) / CLOCK_TICK,
    )


def self_cpu_s() -> float:
    """CPU seconds of this process (the load generator)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB: its resident memory now, and at its peak."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)
