"""The persona timings' table in Markdown: per persona and step, the median seconds with
min–max, the first round apart (the server's caches are cold then), the server's CPU and the
browser's script-running and long-task seconds."""

from __future__ import annotations

import statistics

from bench.persona_steps import PERSONAS
from bench.persona_walk import Sample


def _spread(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def table(samples: list[Sample]) -> str:
    """Markdown: per persona and step, medians with min–max, round 1 apart."""
    rows = [
        "| persona | step | seconds median (min–max) | round 1 s | server CPU s median "
        "(min–max) | script running s | browser long tasks s | runs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[Sample]] = {}
    for sample in samples:
        groups.setdefault((sample.persona, sample.step), []).append(sample)
    personas = list(PERSONAS)
    # Persona by persona, steps in the order they were met, a failure after the steps.
    order = sorted(
        groups.items(),
        key=lambda item: (personas.index(item[0][0]), item[0][1].startswith("(failed")),
    )
    for (persona, step), group in order:
        done = [s for s in group if s.seconds is not None]
        if not done:
            rows.append(f"| {persona} | {step} | failed: {group[0].error} | | | | | {len(group)} |")
            continue
        first = next((s for s in done if s.round == 1), None)
        rows.append(
            "| "
            + " | ".join(
                [
                    persona,
                    step,
                    _spread([s.seconds for s in done if s.seconds is not None]),
                    f"{first.seconds:.2f}" if first and first.seconds is not None else "—",
                    _spread([s.cpu_s for s in done if s.cpu_s is not None]),
                    _median([s.script_s for s in done]),
                    _median([s.longtask_s for s in done]),
                    str(len(done)),
                ]
            )
            + " |"
        )
    return "\n".join(rows)


def _median(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{statistics.median(known):.2f}" if known else "—"
