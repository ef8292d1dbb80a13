"""Levels of a trail of traces relative to the original case. Pure: numpy arrays in and out.

Following a contact traces them as if they were a case: their own contacts come back as their
F1 and F2. On the page those people are the case's F(k+1) and F(k+2) when the person followed is
the case's Fk, unless an earlier trace of the trail already listed them, in which case they keep
the level they were listed at (the lowest) and are marked as already traced. The case is level 0
and so is never anyone's contact.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Ints = NDArray[np.int64]
Flags = NDArray[np.bool_]


def known_levels(
    person: Ints, level: Ints, more_person: Ints, more_level: Ints
) -> tuple[Ints, Ints]:
    """The union of two (person, level) tables as one sorted by person, each with its lowest
    level."""
    people = np.concatenate([np.asarray(person, np.int64), np.asarray(more_person, np.int64)])
    levels = np.concatenate([np.asarray(level, np.int64), np.asarray(more_level, np.int64)])
    order = np.lexsort((levels, people))
    people, levels = people[order], levels[order]
    first = np.ones(len(people), dtype=bool)
    first[1:] = people[1:] != people[:-1]
    return people[first], levels[first]


def relative_levels(
    person: Ints, level: Ints, followed_level: int, known_person: Ints, known_level: Ints
) -> tuple[Ints, Flags]:
    """(level relative to the case, already traced) of each contact of a person who is the
    case's F{followed_level}; level is the contact's level in that person's own trace (1, 2).
    known_person (sorted, unique) and known_level: everyone listed earlier in the trail, the
    case included at level 0."""
    person, level = np.asarray(person, np.int64), np.asarray(level, np.int64)
    levels = level + followed_level
    if len(known_person) == 0:
        return levels, np.zeros(len(person), dtype=bool)
    row = np.minimum(np.searchsorted(known_person, person), len(known_person) - 1)
    already = known_person[row] == person
    return np.where(already, np.minimum(levels, known_level[row]), levels), already
