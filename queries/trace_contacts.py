"""A trace's contacts as a lazy sequence: what the trace found is kept as arrays (rules.
exposure_arrays.Findings), the people's phones and names and the venues' refs are read by id in
batches, and a Contact is built only when read, so an F2 of hundreds of thousands costs arrays,
not objects. The trace that finds them is queries/trace.py."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import BigInteger, Connection, String, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Select

from db.arrays import pg_array
from db.schema import person, venue
from queries.column_reads import read_columns
from rules.exposure import MINUTE
from rules.exposure_arrays import Findings, Ints
from rules.local_time import utc_instant

LOOKUP_BATCH = 20_000
# A look-up batch whose ids span less than this many times their number reads the id range.
DENSE_SPAN = 3


@dataclass(frozen=True, slots=True)
class Step:
    """One link of a contact's path: met `through` at venue_ref at `at` (aware UTC)."""

    through_person_id: int
    through_name: str
    through_phone: str
    venue_ref: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Contact:
    """A traced person.

    first_exposure: the earliest moment of a qualifying overlap (aware UTC).
    overlap_minutes: the contact's covered time in whole minutes, rounded down: at each venue
    the union of its qualifying overlaps (one presence of the contact against one widened
    visit of the case, or for F2 one widened and cut visit of an F1, at least
    min_overlap_minutes long), summed over venues. A moment covered twice counts once.
    venues: the venue_refs where it was exposed, by first exposure there.
    via: the path of its first exposure: [case] for F1, [case, F1] for F2.
    """

    person_id: int
    phone: str
    full_name: str
    level: int
    first_exposure: datetime
    overlap_minutes: int
    venues: tuple[str, ...]
    via: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Exposure:
    """Where and when a contact was first exposed: the venue, and the first covered part of the
    overlap there (aware UTC)."""

    venue_ref: str
    venue_name: str
    start: datetime
    end: datetime


@cache
def _lookup_statement(dialect: str, table: str) -> Select[*tuple[Any, ...]]:
    """Phone and name of people, or the ref of venues, by id: the ids as one parameter,
    = ANY(array literal) on PostgreSQL (an index scan per id, where joining an unnested array
    let the planner scan the whole table), IN (json_each) on SQLite."""
    if table == "person":
        wanted, columns = person.c.id, (person.c.id, person.c.phone, person.c.full_name)
    else:
        wanted, columns = venue.c.id, (venue.c.id, venue.c.venue_ref, venue.c.name)
    if dialect == "postgresql":
        ids = cast(bindparam("ids", type_=String), ARRAY(BigInteger))
        return select(*columns).where(wanted == any_(ids))
    each = func.json_each(bindparam("ids", type_=String)).table_valued("value")
    return select(*columns).where(wanted.in_(select(each.c.value)))


@cache
def _range_statement(table: str) -> Select[*tuple[Any, ...]]:
    """People or venues whose id lies in [low, high]: one index range."""
    if table == "person":
        wanted, columns = person.c.id, (person.c.id, person.c.phone, person.c.full_name)
    else:
        wanted, columns = venue.c.id, (venue.c.id, venue.c.venue_ref, venue.c.name)
    return select(*columns).where(wanted.between(bindparam("low"), bindparam("high")))


def _lookup(connection: Connection, table: str, ids: Ints) -> list[NDArray[Any]]:
    """(id, phone, full_name) of people or (id, venue_ref, name) of venues with these ids, as
    columns by id."""
    dialect = connection.dialect.name
    text = (1, 2)
    found: list[list[NDArray[Any]]] = []
    wanted = np.unique(ids)
    for start in range(0, len(wanted), LOOKUP_BATCH):
        batch = wanted[start : start + LOOKUP_BATCH]
        low, high = int(batch[0]), int(batch[-1])
        if high - low < DENSE_SPAN * len(batch):
            # Dense ids (an F2 covering much of the city): reading the range and dropping the
            # few not wanted costs a fraction of one index probe per id.
            columns = read_columns(
                connection, _range_statement(table), {"low": low, "high": high}, text=text
            )
            kept = np.isin(columns[0], batch)
            found.append([column[kept] for column in columns])
            continue
        if dialect == "postgresql":
            ids_param = pg_array(batch)
        else:
            ids_param = json.dumps(batch.tolist())
        found.append(
            read_columns(
                connection, _lookup_statement(dialect, table), {"ids": ids_param}, text=text
            )
        )
    if not found:
        return [np.zeros(0, dtype=np.int64), *(np.zeros(0, dtype=object) for _ in text)]
    columns = [np.concatenate(parts) for parts in zip(*found, strict=True)]
    order = np.argsort(columns[0])
    return [column[order] for column in columns]


def _venue_refs(
    connection: Connection, ids: Ints, known: dict[int, tuple[str, str]]
) -> dict[int, tuple[str, str]]:
    """{venue id: (ref, name)} of these venues; those known are not read again."""
    refs = dict(known)
    unknown = np.setdiff1d(ids, np.array(list(refs), dtype=np.int64))
    found, ref, name = _lookup(connection, "venue", unknown)
    refs.update(zip(found.tolist(), zip(ref.tolist(), name.tolist(), strict=True), strict=True))
    return refs


class _ContactTable:
    """Everything a trace's contacts are made from, as arrays: a Contact is built only when
    asked for, so showing a page of an F2 costs a page of objects, not hundreds of thousands."""

    __slots__ = ("found", "phones", "names", "refs", "case")

    def __init__(
        self,
        found: Findings,
        phones: list[str],
        names: list[str],
        refs: dict[int, tuple[str, str]],
        case: tuple[int, str, str],
    ) -> None:
        self.found = found
        self.phones, self.names = phones, names  # by row of found
        self.refs, self.case = refs, case  # refs: venue id -> (ref, name); case: (id, phone, name)

    def step(self, row: int) -> Step:
        """How the contact in this row of found was first met."""
        found, source = self.found, int(self.found.source[row])
        if found.level[row] == 1:
            _, phone, name = self.case
        else:
            through = found.row_of(source)
            phone, name = self.phones[through], self.names[through]
        venue = self.refs[int(found.first_venue[row])][0]
        return Step(source, name, phone, venue, utc_instant(int(found.first_at[row])))

    def contact(self, row: int) -> Contact:
        found = self.found
        last = self.step(row)
        if found.level[row] == 1:
            via: tuple[Step, ...] = (last,)
        else:
            via = (self.step(found.row_of(last.through_person_id)), last)
        return Contact(
            int(found.person[row]),
            self.phones[row],
            self.names[row],
            int(found.level[row]),
            last.at,
            int(found.overlap_seconds[row]) // MINUTE,
            tuple(self.refs[v][0] for v in found.venues_of(row).tolist()),
            via,
        )


class Contacts(Sequence[Contact]):
    """A trace's contacts in order (level, first exposure, name, person id): a sequence like a
    tuple of Contact (equal to one with the same contacts), whose items are built when read."""

    __slots__ = ("_table", "_rows")

    def __init__(self, table: _ContactTable, rows: Ints) -> None:
        self._table, self._rows = table, rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Contact: ...

    @overload
    def __getitem__(self, index: slice) -> Contacts: ...

    def __getitem__(self, index: int | slice) -> Contact | Contacts:
        if isinstance(index, slice):
            return Contacts(self._table, self._rows[index])
        return self._table.contact(int(self._rows[index]))

    def __iter__(self) -> Iterator[Contact]:
        contact = self._table.contact
        return (contact(row) for row in self._rows.tolist())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Contacts({len(self)} contacts)"

    def level(self, level: int) -> Contacts:
        """The contacts of one level (they are consecutive: the order begins with the level)."""
        levels = self._table.found.level[self._rows]
        low, high = np.searchsorted(levels, [level, level + 1])
        return Contacts(self._table, self._rows[low:high])

    def find(self, person_id: int) -> Contact | None:
        """The contact who is this person, or None."""
        try:
            row = self._table.found.row_of(person_id)
        except KeyError:
            return None
        return self._table.contact(row) if np.any(self._rows == row) else None

    def without(self, person_id: int) -> Contacts:
        """The same contacts but this person (the original case, when following a contact)."""
        person = self._table.found.person[self._rows]
        return Contacts(self._table, self._rows[person != person_id])

    def exposures(self) -> list[Exposure]:
        """Where and when each contact was first exposed, in order (for a page or an export:
        one object per contact)."""
        found = self._table.found
        ends = found.first_end if found.first_end is not None else found.first_at
        refs = self._table.refs
        return [
            Exposure(
                *refs[int(found.first_venue[row])],
                utc_instant(int(found.first_at[row])),
                utc_instant(int(ends[row])),
            )
            for row in self._rows.tolist()
        ]

    def columns(self) -> tuple[Ints, Ints, Ints]:
        """(person id, level, first exposure in epoch seconds) of each contact, in order."""
        found = self._table.found
        return found.person[self._rows], found.level[self._rows], found.first_at[self._rows]


def contacts_of(
    connection: Connection,
    case_person_id: int,
    found: Findings,
    known_venues: dict[int, tuple[str, str]],
) -> Contacts:
    """The contacts in found, in order (level, first exposure, name, person id), with the
    people's phones and names and the venues' refs read in batches; known_venues ({venue id:
    (ref, name)}, the case's own visits) are not read again."""
    ids, phones, names = _lookup(connection, "person", np.append(found.person, case_person_id))
    rows = np.minimum(np.searchsorted(ids, found.person), max(len(ids) - 1, 0))
    if len(found) and not np.array_equal(ids[rows], found.person):
        raise LookupError("a traced person is missing from the person table")
    case = int(np.searchsorted(ids, case_person_id))
    refs = _venue_refs(connection, np.unique(found.venue_ids), known_venues)
    # Names compare as Python strings do (by code point), through their rank.
    name_rank = np.unique(names[rows], return_inverse=True)[1].reshape(-1)
    order = np.lexsort((found.person, name_rank, found.first_at, found.level))
    return Contacts(
        _ContactTable(
            found,
            phones[rows].tolist(),
            names[rows].tolist(),
            refs,
            (case_person_id, str(phones[case]), str(names[case])),
        ),
        order,
    )
