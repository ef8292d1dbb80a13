"""People as the write path finds or creates them: a person is (phone, full_name); a batch's
people are looked up by that key in one statement and the missing ones inserted, on both
engines, in an order that lets two imports of the same new people wait for each other instead
of deadlocking."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    SmallInteger,
    String,
    Table,
    and_,
    func,
    select,
)
from sqlalchemy import column as sql_column

from db.arrays import pg_array_or_nulls
from db.dialect import insert_for
from db.frame_loads import fill_stage, stage_table
from db.people_lock import writing_references_to_people
from db.schema import person

PERSON_COLUMNS = ("phone", "full_name", "id_number", "birth_year", "home_ward_code")


def resolve_people(connection: Connection, people: pd.DataFrame) -> np.ndarray:
    """Ids of the people in the frame (phone, full_name[, id_number, birth_year,
    home_ward_code]), in the frame's order, creating the ones not yet known.

    Phones must already be normalised and names NFC: a person is (phone, full_name).
    """
    writing_references_to_people(connection)
    frame = people.reset_index(drop=True)
    # Each person once, in order of first appearance (the batch's repeats are found here,
    # not by a GROUP BY in the database); new people get ids in that order on both engines.
    codes = frame.groupby(["phone", "full_name"], sort=False, dropna=False).ngroup().to_numpy()
    # Numbered in order of first appearance: a row is its person's first when its number is
    # above every number before it (no second pass over the text, as duplicated() made).
    seen = np.maximum.accumulate(np.r_[-1, codes[:-1]]) if len(codes) else codes
    first = codes > seen
    unique = frame.loc[first].reset_index(drop=True)
    for column in PERSON_COLUMNS:
        if column not in unique:
            unique[column] = None
    if connection.dialect.name == "postgresql":
        return _people_by_arrays(connection, unique)[codes]
    unique["line"] = np.arange(len(unique))
    stage = stage_table(
        connection,
        "person_stage",
        [
            Column("phone", String(16), nullable=False),
            Column("full_name", String(120), nullable=False),
            Column("id_number", String(20)),
            Column("birth_year", SmallInteger),
            Column("home_ward_code", String(5)),
        ],
    )
    fill_stage(connection, stage, unique)
    matches = and_(person.c.phone == stage.c.phone, person.c.full_name == stage.c.full_name)
    with people_plan(connection, len(unique)):
        # Known people first: at city size nearly all are, and one pass over the index finds
        # them (inserting first probed it twice: the NOT EXISTS, then the look-up).
        ids = np.full(len(unique), -1, dtype=np.int64)
        _fill_ids(ids, connection.execute(select(stage.c.line, person.c.id).join(person, matches)))
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            # Another import may have created some of them since, and commit first: skip
            # those (the look-up below finds their ids) instead of failing on the unique key.
            among = _among(stage, missing)
            connection.execute(
                _insert_new_people(connection, stage, among).on_conflict_do_nothing(
                    index_elements=["phone", "full_name"]
                )
            )
            found = select(stage.c.line, person.c.id).join(person, matches).where(among)
            _fill_ids(ids, connection.execute(found))
    stage.drop(connection)
    unresolved = int((ids < 0).sum())
    if unresolved:
        raise RuntimeError(f"{unresolved} of {len(unique)} staged people resolved to no id")
    return ids[codes]


def _among(stage: Table, lines: np.ndarray) -> ColumnElement[bool]:
    """The staged rows at these lines (SQLite): one JSON parameter, where an IN list of
    thousands of bound values costs more to build than to run."""
    values = select(sql_column("value", Integer)).select_from(
        func.json_each(json.dumps(lines.tolist()))
    )
    return stage.c.line.in_(values.scalar_subquery())


_PERSON_ARRAYS = (
    "unnest(%(phone)s::text[], %(full_name)s::text[], %(id_number)s::text[], "
    "%(birth_year)s::smallint[], %(home_ward_code)s::text[]) WITH ORDINALITY "
    "AS s (phone, full_name, id_number, birth_year, home_ward_code, n)"
)
_KNOWN_PEOPLE = (
    "SELECT s.n - 1, p.id FROM unnest(%(phone)s::text[], %(full_name)s::text[]) "
    "WITH ORDINALITY AS s (phone, full_name, n) "
    "JOIN person p ON p.phone = s.phone AND p.full_name = s.full_name"
)
# New people in the unique key's order, their ids drawn beforehand in order of appearance
# (nextval runs in the inner, ordered subquery): see _insert_new_people.
# Our own text: the people go as parameters.
_NEW_PEOPLE = (
    "INSERT INTO person (id, phone, full_name, id_number, birth_year, home_ward_code) "  # noqa: S608
    "SELECT * FROM (SELECT nextval('person_id_seq') AS id, phone, full_name, id_number, "
    f"birth_year, home_ward_code FROM (SELECT * FROM {_PERSON_ARRAYS} ORDER BY n OFFSET 0) o"
    ") numbered ORDER BY phone, full_name ON CONFLICT (phone, full_name) DO NOTHING "
    "RETURNING id"
)


def _people_by_arrays(connection: Connection, unique: pd.DataFrame) -> np.ndarray:
    """resolve_people on PostgreSQL for people listed once each: the people go as array
    parameters, not through a temporary table (its CREATE, COPY, ANALYZE and DROP were five
    round trips and catalogue churn for every partner API request)."""
    ids = np.full(len(unique), -1, dtype=np.int64)
    with people_plan(connection, len(unique)):
        # Known people first: at city size nearly all are, and one pass over the index finds
        # them (inserting first probed it twice: the NOT EXISTS, then the look-up).
        _fill_ids(ids, connection.exec_driver_sql(_KNOWN_PEOPLE, _person_arrays(unique, True)))
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            # Another import may have created some of them since, and commit first: skip
            # those (the look-up below finds their ids) instead of failing on the unique key.
            new = unique.iloc[missing]
            inserted = connection.exec_driver_sql(_NEW_PEOPLE, _person_arrays(new, False))
            created = np.sort(np.fromiter(inserted.scalars(), dtype=np.int64))
            if len(created) == len(missing):
                # All inserted: their ids were drawn in order of appearance, so in that
                # order they are the sorted ids (no second pass over the index).
                ids[missing] = created
            else:
                found = np.full(len(missing), -1, dtype=np.int64)
                arrays = _person_arrays(new, True)
                _fill_ids(found, connection.exec_driver_sql(_KNOWN_PEOPLE, arrays))
                ids[missing] = found
    unresolved = int((ids < 0).sum())
    if unresolved:
        raise RuntimeError(f"{unresolved} of {len(unique)} people resolved to no id")
    return ids


def _person_arrays(people: pd.DataFrame, key_only: bool) -> dict[str, str]:
    names = ("phone", "full_name") if key_only else PERSON_COLUMNS
    return {name: pg_array_or_nulls(people[name]) for name in names}


def _fill_ids(ids: np.ndarray, rows: Any) -> None:
    """Put each (line, id) row's id at its line. The rows' values are read flat: np.array()
    of Row objects probes each for array attributes, a raised KeyError per row."""
    pairs = np.fromiter(chain.from_iterable(rows), dtype=np.int64).reshape(-1, 2)
    ids[pairs[:, 0]] = pairs[:, 1]


def _insert_new_people(connection: Connection, stage: Table, new: ColumnElement[bool]) -> Any:
    """INSERT … SELECT of the staged people for whom `new` holds, numbered in order of first
    appearance on both engines.

    On PostgreSQL the rows go in the unique key's order, with ids drawn beforehand in order of
    appearance (nextval runs after the inner sort): two imports creating some of the same
    people then meet them in the same order, so one waits for the other instead of the two
    deadlocking, and partners' requests can be imported side by side."""
    columns = [stage.c[c] for c in PERSON_COLUMNS]
    if connection.dialect.name != "postgresql":
        rows = select(*columns).where(new).order_by(stage.c.line)
        return insert_for(connection, person).from_select(list(PERSON_COLUMNS), rows)
    numbered = (
        select(func.nextval("person_id_seq").label("id"), *columns)
        .where(new)
        .order_by(stage.c.line)
        .offset(0)  # kept as a subquery: the ids follow its order, the insert the outer one
        .subquery("numbered")
    )
    rows = select(numbered.c.id, *[numbered.c[c] for c in PERSON_COLUMNS]).order_by(
        numbered.c.phone, numbered.c.full_name
    )
    return insert_for(connection, person).from_select(["id", *PERSON_COLUMNS], rows)


# One probe of uq_person_phone_full_name costs about what a hash join pays to read 22 rows of
# person (20M city: 50,000 probes 438 ms; the hash join reading 2.5 million people 1,002 ms).
PROBE_COST_ROWS = 22


@contextmanager
def people_plan(connection: Connection, staged: int) -> Iterator[None]:
    """Look staged people up by the (phone, full_name) index when that reads less than a hash
    join over every person: at city size a chunk's people are a small share of millions,
    while on a small city reading the whole table is cheaper. PostgreSQL's planner, costing a
    temporary table, picks the hash join either way."""
    if connection.dialect.name != "postgresql":
        yield
        return
    people = connection.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE oid = 'person'::regclass"
    ).scalar()
    if not people or staged * PROBE_COST_ROWS >= people:
        yield
        return
    saved = connection.exec_driver_sql(
        "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')"
    ).one()
    restore = (
        "SELECT set_config('enable_hashjoin', %(hash)s, true), "
        "set_config('enable_mergejoin', %(merge)s, true)"
    )
    connection.exec_driver_sql(restore, {"hash": "off", "merge": "off"})
    # Local to the transaction: after an error the rollback undoes it, so no finally.
    yield
    connection.exec_driver_sql(restore, {"hash": saved[0], "merge": saved[1]})
