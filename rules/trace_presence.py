"""Who overlapped a traced person's presence at one venue, and for how long. Pure.

"Present at a venue" answers the epidemiologist's question "who was here with the case": not
every check-in that touches the day, but each person whose presence overlapped one of the
case's exposure intervals there (its visits widened by the buffer, DESIGN §5) by at least the
minimum, with the time covered counted once however many check-ins or visits cover it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rules.exposure import Interval, qualifying_overlap, union_seconds


def overlap_by_person(
    presences: Iterable[tuple[int, Interval]],
    exposures: Sequence[Interval],
    min_overlap_minutes: int,
) -> dict[int, int]:
    """{person: covered seconds} of everyone whose presence qualifies against an exposure;
    people with no qualifying overlap are left out. presences: (person, presence interval)."""
    parts: dict[int, list[Interval]] = {}
    for person, band in presences:
        for exposure in exposures:
            common = qualifying_overlap(band, exposure, min_overlap_minutes)
            if common is not None:
                parts.setdefault(person, []).append(common)
    return {person: union_seconds(covered) for person, covered in parts.items()}
