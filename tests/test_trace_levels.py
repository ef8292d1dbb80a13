"""Levels relative to the original case along a trail, and who overlapped a traced person at a
venue: pure rules, hand-checked."""

import numpy as np

from rules.exposure import Interval
from rules.trace_levels import known_levels, relative_levels
from rules.trace_presence import overlap_by_person

MIN = 60


def ints(*values):
    return np.array(values, dtype=np.int64)


def test_a_contact_of_the_case_s_f1_is_f2_and_people_listed_before_keep_their_level():
    # Followed: B, the case's F1. B's own trace: A (the case, 1), D (1), E (1), G (2).
    known = ints(1, 5), ints(0, 1)  # A is the case (0), E was listed as the case's F1
    levels, already = relative_levels(ints(1, 4, 5, 7), ints(1, 1, 1, 2), 1, *known)
    assert levels.tolist() == [0, 2, 1, 3]
    assert already.tolist() == [True, False, True, False]


def test_nothing_known_means_every_level_shifts_by_the_followed_level():
    levels, already = relative_levels(ints(3), ints(2), 2, ints(), ints())
    assert levels.tolist() == [4] and already.tolist() == [False]


def test_known_levels_keep_the_lowest_level_of_each_person():
    people, levels = known_levels(ints(1, 5), ints(0, 2), ints(5, 9, 1), ints(1, 3, 2))
    assert people.tolist() == [1, 5, 9] and levels.tolist() == [0, 1, 3]


def test_present_counts_each_person_once_with_the_time_they_overlapped():
    case = [Interval(8 * 60 * MIN, 9 * 60 * MIN)]  # 08:00-09:00, no buffer
    presences = [
        (2, Interval(8 * 60 * MIN + 30 * MIN, 9 * 60 * MIN + 30 * MIN)),  # B: 30 min
        (3, Interval(10 * 60 * MIN, 11 * 60 * MIN)),  # C: after the case left
        (4, Interval(8 * 60 * MIN, 8 * 60 * MIN + 10 * MIN)),  # H twice, 08:00-08:10 and
        (4, Interval(8 * 60 * MIN + 5 * MIN, 8 * 60 * MIN + 20 * MIN)),  # 08:05-08:20: 20 min
        (5, Interval(9 * 60 * MIN, 9 * 60 * MIN + 30 * MIN)),  # touching the end: no overlap
    ]
    assert overlap_by_person(presences, case, 1) == {2: 30 * MIN, 4: 20 * MIN}


def test_an_overlap_shorter_than_the_minimum_does_not_count():
    case = [Interval(0, 60 * MIN)]
    assert overlap_by_person([(2, Interval(59 * MIN, 90 * MIN))], case, 5) == {}
