"""rules.exposure_arrays gives exactly the answers of rules.exposure, on randomised but seeded
intervals laid on a coarse grid, so that touching edges, overlaps of exactly the minimum and
moments covered twice happen often."""

import random

import numpy as np
import pytest

from rules.exposure import Interval, presence, presence_ends
from rules.exposure_arrays import (
    ExposureArrays,
    Met,
    findings,
    gather,
    probe_ranges_arrays,
    union_by_group,
)
from rules.exposure_spec import ContactLedger, ExposureIndex, probe_ranges

MINUTE = 60
DAY = 24 * 3600  # times after the epoch: ExposureIndex marks 'none yet' with -1
SEEDS = range(12)


def moment(rng, low=0, high=8 * 60):
    """A time on a 5-minute grid, sometimes off it by the minimum or by half a minute."""
    base = DAY + rng.randrange(low, high, 5) * MINUTE
    return base + rng.choice([0, 0, 0, 0, MINUTE, -MINUTE, 30, 5 * MINUTE])


def interval(rng, longest=90):
    start = moment(rng)
    return Interval(
        start,
        start + rng.choice([0, 30, MINUTE, 5 * MINUTE, *range(0, longest * MINUTE, 5 * MINUTE)]),
    )


def exposures(rng, venues):
    return [
        (venue, interval(rng), rng.randrange(1, 6))
        for venue in venues
        for _ in range(rng.randrange(0, 12))
    ]


def arrays(items, minimum, cap=24):
    venue, found, source = zip(*items, strict=True) if items else ((), (), ())
    return ExposureArrays(
        np.array(venue, dtype=np.int64),
        np.array([i.start for i in found], dtype=np.int64),
        np.array([i.end for i in found], dtype=np.int64),
        np.array(source, dtype=np.int64),
        minimum,
        cap,
    )


def attributed_one_by_one(items, venue, starts, ends, minimum):
    indexes = {
        v: ExposureIndex((i, s) for w, i, s in items if w == v) for v in {w for w, _, _ in items}
    }
    answers = {}
    for row, (v, start, end) in enumerate(zip(venue, starts, ends, strict=True)):
        found = indexes[v].attribute(Interval(start, end), minimum) if v in indexes else None
        if found is not None:
            answers[row] = found
    return answers


def attributed_at_once(table, venue, starts, ends):
    found = table.attribute(np.array(venue), np.array(starts), np.array(ends))
    answers = {}
    for row, first_at, source in zip(found.row, found.first_at, found.source, strict=True):
        parts = found.piece_row == row
        covered = tuple(
            Interval(int(s), int(e))
            for s, e in zip(found.piece_start[parts], found.piece_end[parts], strict=True)
        )
        answers[int(row)] = (int(first_at), int(source), covered)
    return answers


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("minimum", [1, 5, 10])
def test_attribution_at_once_is_attribution_one_by_one(seed, minimum):
    rng = random.Random(seed * 100 + minimum)
    items = exposures(rng, venues=[3, 7, 8, 20])
    presences = [(rng.choice([3, 7, 8, 20, 99]), interval(rng, longest=200)) for _ in range(400)]
    venue = [v for v, _ in presences]
    starts = [p.start for _, p in presences]
    ends = [p.end for _, p in presences]
    expected = attributed_one_by_one(items, venue, starts, ends, minimum)
    got = attributed_at_once(arrays(items, minimum), venue, starts, ends)
    assert got == {row: tuple(a) for row, a in expected.items()}
    assert len(expected) > 50  # many presences met someone


def test_attribution_with_no_exposures_or_no_presences_meets_no_one():
    empty = arrays([], 1)
    assert attributed_at_once(empty, [1], [0], [3600]) == {}
    table = arrays([(1, Interval(0, 3600), 5)], 1)
    assert attributed_at_once(table, [], [], []) == {}


def test_presence_ends_are_presence():
    rng = random.Random(7)
    rows = [
        (moment(rng), rng.choice([None, moment(rng, 0, 60 * 60)]), rng.choice([30, 60, 720, 2000]))
        for _ in range(300)
    ]
    rows = [(i, None if o is None else max(o, i), d) for i, o, d in rows]
    for cap in (1, 6, 24):
        ends = presence_ends(
            np.array([i for i, _, _ in rows]),
            np.array([np.nan if o is None else o for _, o, _ in rows]),
            np.array([d for _, _, d in rows]),
            cap,
        )
        assert ends.tolist() == [presence(i, o, d, cap).end for i, o, d in rows]


@pytest.mark.parametrize("seed", SEEDS)
def test_probe_ranges_at_once_are_probe_ranges(seed):
    rng = random.Random(seed)
    items = [(rng.choice([1, 2, 5]), interval(rng)) for _ in range(rng.randrange(0, 60))]
    for minimum, cap in [(1, 24), (5, 1), (10, 2), (120, 1)]:
        expected = [
            (venue, exposure.start, first, last)
            for venue in sorted({v for v, _ in items})
            for exposure, first, last in probe_ranges(
                [i for v, i in items if v == venue], minimum, cap
            )
        ]
        got = probe_ranges_arrays(
            np.array([v for v, _ in items], dtype=np.int64),
            np.array([i.start for _, i in items], dtype=np.int64),
            np.array([i.end for _, i in items], dtype=np.int64),
            minimum,
            cap,
        )
        assert list(zip(*(column.tolist() for column in got), strict=True)) == expected


def test_union_by_group_merges_touching_and_overlapping_parts_per_group():
    group = np.array([20, 15, 15, 16, 20])
    rows, start, end = union_by_group(
        group, np.array([10, 0, 10, 0, 20]), np.array([20, 10, 15, 5, 30])
    )
    assert group[rows].tolist() == [15, 16, 20]
    assert (start.tolist(), end.tolist()) == ([0, 0, 10], [15, 5, 30])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ids_from", [0, 2**40])  # ids too large to pack take another path
def test_findings_at_once_are_the_ledger(seed, ids_from):
    rng = random.Random(seed)
    minimum = rng.choice([1, 5])
    venues = [10, 11, 12]
    items = exposures(rng, venues)
    table = arrays(items, minimum)
    ledger = ContactLedger(case_person_id=ids_from + 1)
    batches = []
    for level in (2, 1, 2):  # a later, lower level replaces; a higher one is ignored
        people = [ids_from + rng.randrange(1, 40 if level == 1 else 120) for _ in range(300)]
        presences = [(rng.choice(venues), interval(rng, longest=200)) for _ in people]
        venue = [v for v, _ in presences]
        starts, ends = [p.start for _, p in presences], [p.end for _, p in presences]
        for row, found in attributed_one_by_one(items, venue, starts, ends, minimum).items():
            ledger.add(people[row], level, venue[row], found)
        met = Met.of(np.array(people), np.array(venue), level, table.attribute(
            np.array(venue), np.array(starts), np.array(ends)
        ))  # fmt: skip
        batches.append(gather([met]) if level == 1 else met)  # gathered or not: the same
    got = findings(batches, case_person_id=ids_from + 1)
    expected = sorted(ledger.findings.items())
    assert got.person.tolist() == [pid for pid, _ in expected]
    for row, (_, found) in enumerate(expected):
        assert (
            int(got.level[row]), int(got.first_at[row]), int(got.source[row]),
            int(got.first_venue[row]), int(got.overlap_seconds[row]),
            got.venues_of(row).tolist(),
        ) == (
            found.level, found.first_at, found.source, found.first_venue, found.overlap_seconds,
            found.venues_in_order(),
        )  # fmt: skip
    assert len(expected) > 10 and {f.level for _, f in expected} == {1, 2}
