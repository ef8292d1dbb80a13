"""A py-spy profile of the server summarised (`bench/load_declare.py --summarise-profile FILE`):
the top frames by self time, and the product's own frames by total time."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

# A py-spy frame of the product: its packages, or a Jinja template of the form.
OUR_FRAME = re.compile(r"\((web|queries|db|ingest|rules|geo|i18n)/|\.html\)$")


def print_profile(path: Path) -> None:
    summary = profile_summary(path)
    lines = [f"{path}: {summary['samples']:,} samples; top frames by self time:"]
    lines += [f"  {share:5.1f} %  {frame}" for frame, share in summary["self"]]
    lines += ["The product's frames by total time (a frame's callees included):"]
    lines += [f"  {share:5.1f} %  {frame}" for frame, share in summary["ours_total"]]
    print("\n".join(lines))


def profile_summary(path: Path, top: int = 10) -> dict[str, Any]:
    """Top frames (function and file, lines merged) by self and by total samples of a py-spy
    raw (collapsed stacks) profile."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        n = int(count)
        samples += n
        own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    share = max(samples, 1)
    ours = Counter({f: n for f, n in total.items() if OUR_FRAME.search(f)})
    return {
        "samples": samples,
        "self": [(f, round(100 * n / share, 1)) for f, n in own.most_common(top)],
        "total": [(f, round(100 * n / share, 1)) for f, n in total.most_common(top)],
        "ours_total": [(f, round(100 * n / share, 1)) for f, n in ours.most_common(top * 2)],
    }
