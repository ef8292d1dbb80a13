"""The readable specification the array engine (rules.exposure_arrays) is checked against; not
used at run time.

The trace attributes presences with numpy arrays (rules.exposure_arrays) and reads check-ins by
ranges computed there (probe_ranges_arrays). This module says the same on one venue and one
presence at a time, in plain Python, so that the rule can be read; tests/test_trace_rules.py
states the rules against it, and tests/test_trace_rules_arrays.py checks the array engine
against it on randomised intervals. The presence formula, the widening by the buffer and the
overlap it builds on are the run time's (rules.exposure).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from rules.exposure import HOUR, MINUTE, Interval, merge, union_seconds


def cut(interval: Interval, moment: int) -> Interval | None:
    """The part of the interval from moment on; None when nothing is left."""
    start = max(interval.start, moment)
    return Interval(start, interval.end) if interval.end > start else None


def probe_ranges(
    exposures: Iterable[Interval], min_overlap_minutes: int, max_presence_hours: int
) -> list[tuple[Interval, int, int]]:
    """For one venue: which check-in times can overlap these exposure intervals enough.

    Returns (merged exposure, first, last) with first <= checked_in_at <= last inclusive. A
    check-in overlapping a merged exposure by at least the minimum must start no later than
    its end minus the minimum, and (presence being capped) no earlier than its start plus the
    minimum minus the cap. The ranges are made disjoint, so every check-in is read once: a
    check-in inside an earlier range that reaches a later exposure also reaches the earlier.
    """
    minimum, cap = min_overlap_minutes * MINUTE, max_presence_hours * HOUR
    ranges: list[tuple[Interval, int, int]] = []
    if minimum > cap:
        return ranges  # no presence is long enough
    last_read: int | None = None
    for exposure in merge(exposures):
        if exposure.seconds < minimum:
            continue
        first = exposure.start + minimum - cap
        if last_read is not None:
            first = max(first, last_read + 1)
        last = exposure.end - minimum
        if first <= last:
            ranges.append((exposure, first, last))
            last_read = last
    return ranges


class Attribution(NamedTuple):
    """What one presence met: its earliest qualifying moment, through whom, and the covered
    time (disjoint parts of the presence)."""

    first_at: int
    source: int
    covered: tuple[Interval, ...]


class ExposureIndex:
    """The exposure intervals of the sources at one venue, for attributing presences.

    Sorted by start, with a running maximum of ends: the intervals that began before a presence
    and still run are represented by the one reaching furthest, so attributing a presence costs
    a binary search plus the intervals that begin during it (until it is fully covered).
    """

    __slots__ = ("starts", "ends", "sources", "reach", "reacher")

    def __init__(self, intervals: Iterable[tuple[Interval, int]]) -> None:
        items = sorted(intervals)
        self.starts = [interval.start for interval, _ in items]
        self.ends = [interval.end for interval, _ in items]
        self.sources = [source for _, source in items]
        self.reach: list[int] = []  # the furthest end among intervals 0..i
        self.reacher: list[int] = []  # which interval reaches it (the earliest such)
        for i, end in enumerate(self.ends):
            if not self.reach or end > self.reach[-1]:
                self.reach.append(end)
                self.reacher.append(i)
            else:
                self.reach.append(self.reach[-1])
                self.reacher.append(self.reacher[-1])

    def __len__(self) -> int:
        return len(self.starts)

    def intervals(self) -> list[Interval]:
        return [Interval(s, e) for s, e in zip(self.starts, self.ends, strict=True)]

    def attribute(
        self, presence_interval: Interval, min_overlap_minutes: int
    ) -> Attribution | None:
        """Qualifying overlaps of one presence with these intervals, or None if there are none.

        An interval qualifies when its overlap with the presence is at least the minimum; the
        covered time is the union of the qualifying overlaps.
        """
        minimum = min_overlap_minutes * MINUTE
        start, end = presence_interval
        if end - start < minimum:
            return None
        starts, ends = self.starts, self.ends
        first_at = source = -1
        piece_start = piece_end = start
        before = bisect_right(starts, start) - 1
        if before >= 0 and self.reach[before] >= start + minimum:
            first_at, source = start, self.sources[self.reacher[before]]
            piece_end = min(self.reach[before], end)
        covered: list[Interval] = []
        last_start = end - minimum
        for i in range(before + 1, len(starts)):
            begins = starts[i]
            if begins > last_start or piece_end >= end:
                break  # later intervals start too late to qualify, or nothing is left to cover
            if ends[i] - begins < minimum:
                continue
            if first_at < 0:
                first_at, source = begins, self.sources[i]
                piece_start = piece_end = begins
            elif begins > piece_end:
                covered.append(Interval(piece_start, piece_end))
                piece_start = begins
            reaches = ends[i] if ends[i] < end else end
            if reaches > piece_end:
                piece_end = reaches
        if first_at < 0:
            return None
        covered.append(Interval(piece_start, piece_end))
        return Attribution(first_at, source, tuple(covered))


# --- contacts ------------------------------------------------------------------------------


@dataclass(slots=True)
class Finding:
    """What a trace knows about one contact so far."""

    level: int
    first_at: int
    source: int  # through whom the first exposure came (the case, or an F1)
    first_venue: int
    covered: dict[int, list[Interval]] = field(default_factory=dict)  # by venue

    @property
    def overlap_seconds(self) -> int:
        total = 0
        for parts in self.covered.values():
            total += parts[0].end - parts[0].start if len(parts) == 1 else union_seconds(parts)
        return total

    @property
    def overlap_minutes(self) -> int:
        return self.overlap_seconds // MINUTE

    def venues_in_order(self) -> list[int]:
        """Venues by the first covered moment there."""
        if len(self.covered) == 1:
            return list(self.covered)
        return sorted(self.covered, key=lambda venue: (min(self.covered[venue]), venue))


class ContactLedger:
    """Contacts of one case as presences are attributed: the case is never its own contact,
    and a person keeps the lowest level at which they were found."""

    def __init__(self, case_person_id: int) -> None:
        self.case_person_id = case_person_id
        self.findings: dict[int, Finding] = {}

    def add(self, person_id: int, level: int, venue_id: int, attribution: Attribution) -> None:
        if person_id == self.case_person_id:
            return
        found = self.findings.get(person_id)
        if found is None or level < found.level:
            found = Finding(level, attribution.first_at, attribution.source, venue_id)
            self.findings[person_id] = found
        elif level > found.level:
            return
        elif (attribution.first_at, attribution.source, venue_id) < (
            found.first_at,
            found.source,
            found.first_venue,
        ):
            found.first_at, found.source = attribution.first_at, attribution.source
            found.first_venue = venue_id
        found.covered.setdefault(venue_id, []).extend(attribution.covered)

    def at_level(self, level: int) -> dict[int, Finding]:
        return {pid: f for pid, f in self.findings.items() if f.level == level}
