"""The exposure rules of rules.exposure_spec on numpy arrays: the same answers, for a whole batch
of presences at once. Pure: no I/O, nothing imported from this project but rules.exposure.

rules.exposure_spec is the readable specification (ExposureIndex.attribute, ContactLedger); this
module is its vectorised twin, checked against it on randomised intervals. A trace of an F2 with
hundreds of thousands of contacts attributes millions of presences, which per-row Python objects
made the slowest part of the trace.

How one presence [s, e) is attributed, with the sources' exposure intervals at its venue sorted
by (start, end, source) and only the "long" ones kept (at least min_overlap long: a shorter one
overlaps nothing by the minimum), writing m for the minimum:

- b is the last interval starting at or before s, and reach[b] the furthest end among 0..b;
  j is the last interval starting at or before e - m (a later one overlaps by less than m).
- If reach[b] >= s + m, the presence is met from its start: first_at = s, through the interval
  that reaches furthest (the earliest such: ExposureIndex's reacher). Else the first qualifying
  interval is b + 1, if it starts by e - m: first_at = its start.
- The covered time is then the union of the intervals 0..j, cut to [first_at, e): the intervals
  before b that do not qualify end before first_at or inside time that b's reacher or b + 1
  covers anyway, and those after j are not in the union. A union of a prefix of intervals sorted
  by start is the merged blocks before j's block plus j's block up to reach[j], so the covered
  parts come from a binary search, not from walking the intervals.

Venues are laid side by side on one time line (each venue's times shifted by its rank times a
span longer than any of them), so one sorted array and one binary search serve every venue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from rules.exposure import HOUR, MINUTE

Ints = NDArray[np.int64]


def _ints(values: object) -> Ints:
    return np.asarray(values, dtype=np.int64)


@dataclass(frozen=True)
class Attributions:
    """What a batch of presences met. Rows of `row`, first_at and source: one per presence that
    met someone (row is its position in the batch). Covered parts: piece_row (position in the
    batch), piece_start, piece_end; disjoint, not touching, in order within a presence, as
    Attribution.covered."""

    row: Ints
    first_at: Ints
    source: Ints
    piece_row: Ints
    piece_start: Ints
    piece_end: Ints


class ExposureArrays:
    """The twin of rules.exposure_spec.ExposureIndex for many venues at once."""

    def __init__(
        self,
        venue: Ints,
        start: Ints,
        end: Ints,
        source: Ints,
        min_overlap_minutes: int,
        max_presence_hours: int,
    ) -> None:
        venue, start, end, source = _ints(venue), _ints(start), _ints(end), _ints(source)
        self.minimum = min_overlap_minutes * MINUTE
        long = end - start >= self.minimum
        venue, start, end, source = venue[long], start[long], end[long], source[long]
        self.venues, rank = np.unique(venue, return_inverse=True)
        rank = rank.reshape(-1).astype(np.int64)
        # Every presence that can overlap an interval lies within the cap of it; one beyond
        # these bounds is clamped onto them, which changes no answer (nothing starts there).
        cap = max_presence_hours * HOUR
        self.base = int(start.min()) - cap - 1 if len(start) else 0
        self.span = (int(end.max()) + cap + 1 - self.base + 1) if len(end) else 1
        if len(self.venues) * self.span >= 2**62:
            raise ValueError("exposure intervals span too long a time to lay side by side")
        shift = rank * self.span - self.base
        order = np.lexsort((source, end, start, rank))
        self.starts = (start + shift)[order]
        self.ends = (end + shift)[order]
        self.sources = source[order]
        ranks = rank[order]
        self.first_of_venue = np.searchsorted(ranks, np.arange(len(self.venues)), "left")
        count = len(self.starts)
        self.reach = np.maximum.accumulate(self.ends) if count else self.ends
        # The earliest interval reaching each running maximum, as ExposureIndex.reacher.
        raised = np.ones(count, dtype=bool)
        raised[1:] = self.ends[1:] > self.reach[:-1]
        self.reacher = np.maximum.accumulate(np.where(raised, np.arange(count), 0))
        # Merged blocks (touching intervals join, as rules.exposure.merge).
        opens = np.ones(count, dtype=bool)
        opens[1:] = self.starts[1:] > self.reach[:-1]
        self.block = np.cumsum(opens) - 1
        firsts = np.flatnonzero(opens)
        self.block_start = self.starts[firsts]
        self.block_end = self.reach[np.append(firsts[1:], count) - 1] if count else self.starts
        self.block_before = np.concatenate(([0], np.cumsum(self.block_end - self.block_start)))

    def __len__(self) -> int:
        return len(self.starts)

    def intervals(self) -> tuple[Ints, Ints, Ints]:
        """The long intervals as (venue, start, end), by venue then start."""
        rank = (self.starts + self.base) // self.span
        shift = rank * self.span - self.base
        return self.venues[rank], self.starts - shift, self.ends - shift

    def attribute(self, venue: Ints, start: Ints, end: Ints) -> Attributions:
        """ExposureIndex.attribute for each presence (venue, start, end)."""
        venue, start, end = _ints(venue), _ints(start), _ints(end)
        minimum = self.minimum
        known = np.zeros(len(venue), dtype=bool)
        rank = np.zeros(len(venue), dtype=np.int64)
        if len(self.venues):
            rank = np.minimum(np.searchsorted(self.venues, venue), len(self.venues) - 1)
            known = self.venues[rank] == venue
        rows = np.flatnonzero(known & (end - start >= minimum))
        rank = rank[rows]
        shift = rank * self.span - self.base
        low, high = self.base, self.base + self.span - 1
        s = np.clip(start[rows], low, high) + shift
        e = np.clip(end[rows], low, high) + shift
        before = np.searchsorted(self.starts, s, "right") - 1
        last = np.searchsorted(self.starts, e - minimum, "right") - 1
        safe = np.maximum(before, 0)
        from_start = (before >= self.first_of_venue[rank]) & (self.reach[safe] >= s + minimum)
        nxt = np.minimum(before + 1, max(len(self.starts) - 1, 0))
        met = from_start | (last >= before + 1)
        rows, s, e, shift = rows[met], s[met], e[met], shift[met]
        before, last, safe, nxt, from_start = (
            before[met], last[met], safe[met], nxt[met], from_start[met]
        )  # fmt: skip
        first_at = np.where(from_start, s, self.starts[nxt])
        source = np.where(from_start, self.sources[self.reacher[safe]], self.sources[nxt])
        # Covered: blocks from the first ending after first_at to last's block, cut to
        # [first_at, e); last's block ends where the intervals up to last reach.
        final = self.block[last]
        opening = np.searchsorted(self.block_end, first_at, "right")
        counts = final - opening + 1
        which = np.repeat(np.arange(len(rows)), counts)
        block = opening[which] + (
            np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        piece_start = np.maximum(self.block_start[block], first_at[which])
        piece_end = np.minimum(
            np.where(block == final[which], self.reach[last][which], self.block_end[block]),
            e[which],
        )
        kept = piece_end > piece_start
        which = which[kept]
        return Attributions(
            row=rows,
            first_at=first_at - shift,
            source=source,
            piece_row=rows[which],
            piece_start=piece_start[kept] - shift[which],
            piece_end=piece_end[kept] - shift[which],
        )


def probe_ranges_arrays(
    venue: Ints,
    start: Ints,
    end: Ints,
    min_overlap_minutes: int,
    max_presence_hours: int,
) -> tuple[Ints, Ints, Ints, Ints]:
    """rules.exposure_spec.probe_ranges for many venues: (venue, exposure start, first, last) of
    each range, by venue then time."""
    venue, start, end = _ints(venue), _ints(start), _ints(end)
    minimum, cap = min_overlap_minutes * MINUTE, max_presence_hours * HOUR
    if minimum > cap or not len(venue):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    order = np.lexsort((end, start, venue))
    venue, start, end = venue[order], start[order], end[order]
    # Merge per venue (touching joins): a running maximum of ends that restarts at each venue.
    new_venue = np.ones(len(venue), dtype=bool)
    new_venue[1:] = venue[1:] != venue[:-1]
    group = np.cumsum(new_venue) - 1
    spread = int(end.max() - start.min()) + 1
    lifted = end - int(start.min()) + group * spread
    reach = np.maximum.accumulate(lifted) - group * spread + int(start.min())
    opens = new_venue.copy()
    opens[1:] |= start[1:] > reach[:-1]
    firsts = np.flatnonzero(opens)
    m_venue, m_start = venue[firsts], start[firsts]
    m_end = reach[np.append(firsts[1:], len(venue)) - 1]
    # Exposures shorter than the minimum are skipped; each range starts after the venue's
    # previous one (merged exposures are apart, so every long one keeps a range).
    long = m_end - m_start >= minimum
    m_venue, m_start, m_end = m_venue[long], m_start[long], m_end[long]
    first = m_start + minimum - cap
    last = m_end - minimum
    same = np.zeros(len(m_venue), dtype=bool)
    same[1:] = m_venue[1:] == m_venue[:-1]
    previous = np.concatenate(([0], last[:-1]))
    first = np.where(same, np.maximum(first, previous + 1), first)
    return m_venue, m_start, first, last


_BIG = np.iinfo(np.int64).max


def _heads(*keys: Ints) -> NDArray[np.bool_]:
    """Where a run of equal keys begins, in rows sorted by those keys."""
    heads = np.zeros(len(keys[0]), dtype=bool)
    heads[:1] = True
    for key in keys:
        heads[1:] |= key[1:] != key[:-1]
    return heads


def _runs(sorted_keys: Ints) -> Ints:
    """Where each run of equal values begins in a sorted array."""
    return np.flatnonzero(_heads(sorted_keys)) if len(sorted_keys) else _ints([])


def _group_key(person: Ints, level: Ints, venue: Ints) -> Ints:
    """One integer per (person, level, venue) that sorts as the triple: packed bits when the
    ids allow (always, in practice), else ranks, which cost three sorts instead of one."""
    if (
        len(person)
        and (person.min() >= 0 and person.max() < 2**38 and level.min() >= 0 and level.max() < 4)
        and (venue.min() >= 0 and venue.max() < 2**23)
    ):
        return (person << 25) | (level << 23) | venue
    order = np.lexsort((venue, level, person))
    key = np.empty(len(person), dtype=np.int64)
    key[order] = np.cumsum(_heads(person[order], level[order], venue[order])) - 1
    return key


def _sorted_by(primary: Ints, secondary: Ints) -> Ints:
    """The order by (primary, secondary): an unstable sort, then a stable one (lexsort is
    several times slower)."""
    first = np.argsort(secondary)
    return first[np.argsort(primary[first], kind="stable")]


def _least(values: Ints, heads: Ints, among: NDArray[np.bool_] | None = None) -> Ints:
    """The least value of each run beginning at heads, among the rows marked."""
    if among is not None:
        values = np.where(among, values, _BIG)
    return np.minimum.reduceat(values, heads) if len(heads) else values[:0]


def _spread(per_run: Ints, heads: Ints, count: int) -> Ints:
    """A value per run repeated over the run's rows."""
    return np.repeat(per_run, np.diff(np.append(heads, count)))


def union_by_group(group: Ints, start: Ints, end: Ints) -> tuple[Ints, Ints, Ints]:
    """Intervals merged per group (touching intervals join, as rules.exposure.merge), by group
    then start: for each merged part, the position of one of its intervals, its start, its end."""
    group, start, end = _ints(group), _ints(start), _ints(end)
    if not len(start):
        return _ints([]), start, end
    order = _sorted_by(group, start)
    group, start, end = group[order], start[order], end[order]
    new_group = _heads(group)
    # A running maximum of ends that restarts with each group: groups lifted apart in time.
    rank = np.cumsum(new_group) - 1
    low = int(start.min())
    spread = int(end.max()) - low + 1
    if (int(rank[-1]) + 1) * spread >= 2**62:
        raise ValueError("too many groups over too long a time to merge at once")
    reach = np.maximum.accumulate(end - low + rank * spread) - rank * spread + low
    opens = new_group.copy()
    opens[1:] |= start[1:] > reach[:-1]
    firsts = np.flatnonzero(opens)
    return order[firsts], start[firsts], reach[np.append(firsts[1:], len(start)) - 1]


@dataclass(frozen=True)
class Met:
    """Attributions as a ContactLedger keeps them, by (person, level, venue).

    Rows: one per attributed presence, or once gathered one per (person, level, venue) with its
    least (first_at, source) and first_end, the end of its earliest covered part (least by
    (start, end), which Finding.venues_in_order sorts venues by). Parts: the covered time,
    merged per (person, level, venue) once gathered.
    """

    person: Ints
    level: Ints
    venue: Ints
    first_at: Ints
    source: Ints
    first_end: Ints
    part_person: Ints
    part_level: Ints
    part_venue: Ints
    part_start: Ints
    part_end: Ints

    @staticmethod
    def empty() -> Met:
        return Met(*([np.zeros(0, dtype=np.int64)] * 11))

    @staticmethod
    def of(person: Ints, venue: Ints, level: int, found: Attributions) -> Met:
        """What the presences of a batch (person, venue by row) met, at one level."""
        person, venue = _ints(person), _ints(venue)
        # Each presence's parts are in order and the first begins at its first_at.
        first_part = np.searchsorted(found.piece_row, found.row, "left")
        return Met(
            person=person[found.row],
            level=np.full(len(found.row), level, dtype=np.int64),
            venue=venue[found.row],
            first_at=found.first_at,
            source=found.source,
            first_end=found.piece_end[first_part],
            part_person=person[found.piece_row],
            part_level=np.full(len(found.piece_row), level, dtype=np.int64),
            part_venue=venue[found.piece_row],
            part_start=found.piece_start,
            part_end=found.piece_end,
        )

    def __len__(self) -> int:
        return len(self.person) + len(self.part_person)


def gather(batches: Sequence[Met]) -> Met:
    """Several Met as one, gathered: what ContactLedger.add keeps of many attributions, so a
    long trace can compact what it has met as it goes. Rows by (person, level, venue)."""
    if not batches:
        return Met.empty()
    columns = [np.concatenate([getattr(b, f.name) for b in batches]) for f in fields(Met)]
    person, level, venue, first_at, source, first_end = columns[:6]
    key = _group_key(person, level, venue)
    order = np.argsort(key)
    key, first_at, source, first_end = key[order], first_at[order], source[order], first_end[order]
    heads = _runs(key)
    # The least (first_at, source); and among the rows with that first_at, the least first_end.
    least_first = _least(first_at, heads)
    tied = first_at == _spread(least_first, heads, len(key))
    rows = order[heads]
    part_rows, part_start, part_end = union_by_group(
        _group_key(*columns[6:9]), columns[9], columns[10]
    )
    return Met(
        person[rows], level[rows], venue[rows], least_first, _least(source, heads, tied),
        _least(first_end, heads, tied),
        columns[6][part_rows], columns[7][part_rows], columns[8][part_rows], part_start, part_end,
    )  # fmt: skip


@dataclass(frozen=True)
class Findings:
    """ContactLedger.findings as arrays, one row per contact, by person id. The venues of the
    contact in row i are venue_ids[venue_offsets[i]:venue_offsets[i + 1]], in the order of
    Finding.venues_in_order."""

    person: Ints
    level: Ints
    first_at: Ints
    source: Ints
    first_venue: Ints
    overlap_seconds: Ints
    venue_offsets: Ints
    venue_ids: Ints
    # The end of the first exposure's earliest covered part at first_venue: with first_at, the
    # window a contact list shows. Optional so that a Findings built by hand need not give it.
    first_end: Ints | None = None

    def __len__(self) -> int:
        return len(self.person)

    @property
    def overlap_minutes(self) -> Ints:
        return self.overlap_seconds // MINUTE

    def venues_of(self, row: int) -> Ints:
        return self.venue_ids[self.venue_offsets[row] : self.venue_offsets[row + 1]]

    def row_of(self, person_id: int) -> int:
        """The row of a contact; KeyError when the person is none."""
        row = int(np.searchsorted(self.person, person_id))
        if row == len(self.person) or self.person[row] != person_id:
            raise KeyError(person_id)
        return row


def findings(batches: Sequence[Met], case_person_id: int) -> Findings:
    """ContactLedger.findings from everything met: the case is never its own contact, a person
    keeps the lowest level, the first exposure is the least (first_at, source, venue) at that
    level, and the overlap is the time covered there, summed over venues."""
    met = gather(batches)  # rows by person, level, venue
    person, level = met.person, met.level
    keep = (level == _spread(level[_runs(person)], _runs(person), len(person))) & (
        person != case_person_id
    )
    person, level, venue = person[keep], level[keep], met.venue[keep]
    first_at, source, first_end = met.first_at[keep], met.source[keep], met.first_end[keep]
    heads = _runs(person)
    contacts, contact_level = person[heads], level[heads]
    least_first = _least(first_at, heads)
    tied = first_at == _spread(least_first, heads, len(person))
    least_source = _least(source, heads, tied)
    tied &= source == _spread(least_source, heads, len(person))
    first_venue = _least(venue, heads, tied)
    at_first_venue = tied & (venue == _spread(first_venue, heads, len(person)))
    # Venues by their first exposure (then first part's end, then id); most contacts have one.
    counts = np.diff(np.append(heads, len(person)))
    several = np.flatnonzero(_spread(counts, heads, len(person)) > 1)
    by_time = np.arange(len(person))
    if len(several):
        # Rows are by venue within a person: two stable sorts finish the order, by first_end
        # and then by (person, first_at) packed into one key when it fits.
        contact = np.repeat(np.arange(len(heads)), counts)[several]
        times = first_at[several] - int(first_at[several].min())
        span = int(times.max()) + 1
        order = np.argsort(first_end[several], kind="stable")
        if (int(contact[-1]) + 1) * span < 2**62:
            order = order[np.argsort((contact * span + times)[order], kind="stable")]
        else:
            order = order[np.lexsort((times[order], contact[order]))]
        by_time[several] = several[order]
    # Covered time at the level kept: a part counts when its (person, level) is a contact's.
    row = np.minimum(np.searchsorted(contacts, met.part_person), max(len(contacts) - 1, 0))
    counted = np.zeros(len(row), dtype=bool)
    if len(contacts):
        counted = (contacts[row] == met.part_person) & (contact_level[row] == met.part_level)
    seconds = np.bincount(
        row[counted],
        weights=(met.part_end - met.part_start)[counted].astype(np.float64),
        minlength=len(contacts),
    ).astype(np.int64)
    return Findings(
        person=contacts,
        level=contact_level,
        first_at=least_first,
        source=least_source,
        first_venue=first_venue,
        overlap_seconds=seconds,
        venue_offsets=np.append(heads, len(person)),
        venue_ids=venue[by_time],
        first_end=_least(first_end, heads, at_first_venue),
    )
