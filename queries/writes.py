"""The one write path for people, venues and check-ins, used by declarations, imports and the
demo city alike, so that the rollups (venue_hour, ward_hour, venue_day, ward_day,
venue_activity) are always kept in the same transaction.

Check-ins go straight into their table (COPY on PostgreSQL, executemany on SQLite) after their
import keys are claimed in checkin_key (concurrent imports of the same file store each row
once); the rollups are summed in Python from the same frame and added with one upsert each.
People are resolved through a temporary staging table. The caller owns the transaction: a batch
is written entirely or not at all.

On PostgreSQL the check-in table is partitioned by local day (db.partitions): the partitions a
batch needs are created first, in the same transaction.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    and_,
    func,
    select,
)
from sqlalchemy import column as sql_column
from sqlalchemy.exc import IntegrityError

from db.arrays import pg_array, pg_array_or_nulls
from db.dialect import insert_for
from db.partitions import day_start, ensure_partitions
from db.schema import ACTIVITY_BLOCK_DAYS, person, venue
from rules.local_time import local_day_number
from rules.text import search_key

CHECKIN_COLUMNS = (
    "person_id",
    "venue_id",
    "checked_in_at",
    "checked_out_at",
    "channel",
    "declared_by_person_id",
    "symptoms",
    "exposures",
    "risk_level",
    "risk_reasons",
    "source",
    "external_id",
)
PERSON_COLUMNS = ("phone", "full_name", "id_number", "birth_year", "home_ward_code")
VENUE_COLUMNS = (
    "venue_ref",
    "name",
    "sector",
    "kind",
    "address",
    "ward_code",
    "lat",
    "lon",
    "dwell_minutes",
    "registered_on",
    "active",
)
# Text columns of checkin that are NOT NULL: an empty field means '' there.
_CHECKIN_NOT_NULL_TEXT = ("channel", "symptoms", "exposures", "risk_reasons", "source")
_COPY_READ_BYTES = 1 << 20


def new_venue_token() -> str:
    """An unguessable public token for a venue's QR URL (128 random bits)."""
    return secrets.token_urlsafe(16)


# --- moving frames into tables ---------------------------------------------------------------


def _stage(connection: Connection, name: str, columns: list[Column]) -> Table:
    table = Table(
        name, MetaData(), Column("line", Integer, nullable=False), *columns, prefixes=["TEMPORARY"]
    )
    table.drop(connection, checkfirst=True)
    table.create(connection)
    return table


def _csv_bytes(frame: pd.DataFrame) -> pa.Buffer:
    """The frame as CSV for COPY … (FORMAT csv): strings always quoted, so '' stays '' and an
    empty unquoted field is NULL. Arrow's C++ writer: about five times DataFrame.to_csv."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    return sink.getvalue()


def _copy(
    connection: Connection, table: str, frame: pd.DataFrame, not_null_text: Sequence[str] = ()
) -> None:
    """COPY the frame's rows into the table (PostgreSQL), columns by the frame's names."""
    names = ", ".join(f'"{n}"' for n in frame.columns)
    options = "FORMAT csv"
    if not_null_text:
        options += ", FORCE_NOT_NULL (" + ", ".join(f'"{n}"' for n in not_null_text) + ")"
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert(
            f"COPY {table} ({names}) FROM STDIN WITH ({options})",
            pa.BufferReader(_csv_bytes(frame)),
            size=_COPY_READ_BYTES,
        )
    finally:
        cursor.close()


def _records(frame: pd.DataFrame) -> list[tuple]:
    """Rows as tuples of plain Python values, None for missing (for executemany)."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        if series.dtype.kind in "iub":
            columns.append(series.to_numpy().tolist())
        else:
            columns.append(series.to_numpy(dtype=object, na_value=None).tolist())
    return list(zip(*columns, strict=True))


def _insert_many(connection: Connection, table: str, frame: pd.DataFrame) -> None:
    """executemany INSERT of the frame's rows (SQLite)."""
    names = list(frame.columns)
    marks = ", ".join("?" for _ in names)
    # Names come from our own tables, never from input.
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(sql, _records(frame))


def _fill(connection: Connection, stage: Table, frame: pd.DataFrame) -> None:
    """Put the rows of frame (columns named as the stage's, 'line' included) into the stage."""
    frame = frame[[c.name for c in stage.columns]].copy()
    for column in stage.columns:
        if isinstance(column.type, Integer) and frame[column.name].dtype.kind not in "iu":
            frame[column.name] = pd.array(frame[column.name], dtype="Int64")
    if connection.dialect.name == "postgresql":
        not_null_text = [
            c.name for c in stage.columns if isinstance(c.type, String) and not c.nullable
        ]
        _copy(connection, stage.name, frame, not_null_text)
        return
    _insert_many(connection, stage.name, frame)


# --- people --------------------------------------------------------------------------------


def resolve_people(connection: Connection, people: pd.DataFrame) -> np.ndarray:
    """Ids of the people in the frame (phone, full_name[, id_number, birth_year,
    home_ward_code]), in the frame's order, creating the ones not yet known.

    Phones must already be normalised and names NFC: a person is (phone, full_name).
    """
    frame = people.reset_index(drop=True)
    # Each person once, in order of first appearance (the batch's repeats are found here,
    # not by a GROUP BY in the database); new people get ids in that order on both engines.
    codes = frame.groupby(["phone", "full_name"], sort=False, dropna=False).ngroup().to_numpy()
    first = ~frame.duplicated(["phone", "full_name"]).to_numpy()
    unique = frame.loc[first].reset_index(drop=True)
    for column in PERSON_COLUMNS:
        if column not in unique:
            unique[column] = None
    if connection.dialect.name == "postgresql":
        return _people_by_arrays(connection, unique)[codes]
    unique["line"] = np.arange(len(unique))
    stage = _stage(
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
    _fill(connection, stage, unique)
    matches = and_(person.c.phone == stage.c.phone, person.c.full_name == stage.c.full_name)
    with _people_plan(connection, len(unique)):
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
    ") numbered ORDER BY phone, full_name ON CONFLICT (phone, full_name) DO NOTHING"
)


def _people_by_arrays(connection: Connection, unique: pd.DataFrame) -> np.ndarray:
    """resolve_people on PostgreSQL for people listed once each: the people go as array
    parameters, not through a temporary table (its CREATE, COPY, ANALYZE and DROP were five
    round trips and catalogue churn for every partner API request)."""
    ids = np.full(len(unique), -1, dtype=np.int64)
    with _people_plan(connection, len(unique)):
        # Known people first: at city size nearly all are, and one pass over the index finds
        # them (inserting first probed it twice: the NOT EXISTS, then the look-up).
        _fill_ids(ids, connection.exec_driver_sql(_KNOWN_PEOPLE, _person_arrays(unique, True)))
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            # Another import may have created some of them since, and commit first: skip
            # those (the look-up below finds their ids) instead of failing on the unique key.
            new = unique.iloc[missing]
            connection.exec_driver_sql(_NEW_PEOPLE, _person_arrays(new, False))
            found = np.full(len(missing), -1, dtype=np.int64)
            _fill_ids(found, connection.exec_driver_sql(_KNOWN_PEOPLE, _person_arrays(new, True)))
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
def _people_plan(connection: Connection, staged: int) -> Iterator[None]:
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


# --- venues --------------------------------------------------------------------------------


def upsert_venues(connection: Connection, venues: pd.DataFrame) -> tuple[int, int]:
    """Create or update venues by venue_ref (their id in the source system).

    New venues get a fresh token; an existing venue keeps its token, so printed posters stay
    valid. Returns (created, updated).
    """
    frame = venues.reset_index(drop=True)
    refs = frame["venue_ref"].tolist()
    existing: set[str] = set()
    for start in range(0, len(refs), 5000):
        chunk = refs[start : start + 5000]
        existing.update(
            connection.scalars(select(venue.c.venue_ref).where(venue.c.venue_ref.in_(chunk)))
        )
    records = frame[list(VENUE_COLUMNS)].to_dict("records")
    for record in records:
        record["search_name"] = search_key(record["name"])
    created = [dict(r, token=new_venue_token()) for r in records if r["venue_ref"] not in existing]
    updated = [r for r in records if r["venue_ref"] in existing]
    if created:
        connection.execute(venue.insert(), created)
    if updated:
        statement = insert_for(connection, venue)
        statement = statement.on_conflict_do_update(
            index_elements=["venue_ref"],
            set_={
                c: statement.excluded[c]
                for c in (*VENUE_COLUMNS, "search_name")
                if c != "venue_ref"
            },
        )
        # The token is only there to satisfy NOT NULL in VALUES; on conflict it is not updated.
        connection.execute(statement, [dict(r, token=new_venue_token()) for r in updated])
    return len(created), len(updated)


# --- check-ins -----------------------------------------------------------------------------


_DEFAULTS: dict[str, object] = {
    "checked_out_at": None,
    "declared_by_person_id": None,
    "symptoms": "",
    "exposures": "",
    "risk_level": 0,
    "risk_reasons": "",
    "source": "kbyt",
    "external_id": None,
}


def _normalised(checkins: pd.DataFrame) -> pd.DataFrame:
    """CHECKIN_COLUMNS in order, defaults filled, integer columns as integers."""
    columns: dict[str, object] = {}
    for name in CHECKIN_COLUMNS:
        default = _DEFAULTS.get(name)
        if name not in checkins:
            columns[name] = pd.Series([default] * len(checkins), dtype=object)
            continue
        series = checkins[name].reset_index(drop=True)
        if default is not None and series.hasnans:
            series = series.fillna(default)
        columns[name] = series
    frame = pd.DataFrame(columns)
    for name in ("person_id", "venue_id", "checked_in_at"):
        frame[name] = frame[name].astype(np.int64)
    for name in ("checked_out_at", "declared_by_person_id"):
        frame[name] = frame[name].astype("Int64")
    frame["risk_level"] = frame["risk_level"].astype(np.int16)
    return frame


def write_checkins(connection: Connection, checkins: pd.DataFrame) -> np.ndarray:
    """Insert check-ins and add them to the hourly rollups, in the caller's transaction.

    checkins has CHECKIN_COLUMNS (times as epoch seconds; optional ones may be missing). Rows
    whose (source, external_id) is already stored, or repeats one earlier in the batch, are
    skipped: imports are idempotent. Returns the positions (0-based, in the frame) of the rows
    that were skipped as already present.
    """
    frame = _normalised(checkins)
    skipped = _claim_keys(connection, frame)
    if len(skipped):
        frame = frame.drop(index=skipped).reset_index(drop=True)
    if frame.empty:
        return skipped
    wards = _venue_wards(connection, frame["venue_id"].to_numpy())
    if connection.dialect.name == "postgresql":
        ensure_partitions(connection, frame["checked_in_at"].to_numpy())
        _copy(connection, "checkin", frame, _CHECKIN_NOT_NULL_TEXT)
    else:
        _insert_many(connection, "checkin", frame)
    _add_to_rollups(connection, frame, wards)
    return skipped


def _claim_keys(connection: Connection, frame: pd.DataFrame) -> np.ndarray:
    """Positions of rows to skip: a (source, external_id) repeated earlier in the batch, or
    already stored. The others' keys are stored in checkin_key (rows without an external_id
    have none)."""
    keyed = frame["external_id"].notna().to_numpy()
    if not keyed.any():
        return np.empty(0, dtype=np.int64)
    keys = frame.loc[keyed, ["source", "external_id", "checked_in_at"]].reset_index(drop=True)
    keys["source"] = keys["source"].astype(str)
    keys["external_id"] = keys["external_id"].astype(str)
    repeated = keys.duplicated(["source", "external_id"], keep="first").to_numpy()
    claims = keys.loc[~repeated].sort_values(["source", "external_id"])
    present = _store_keys(
        connection,
        claims["source"].tolist(),
        claims["external_id"].tolist(),
        claims["checked_in_at"].tolist(),
    )
    skip = repeated.copy()
    skip[claims.index.to_numpy()[present]] = True
    return np.flatnonzero(keyed)[skip].astype(np.int64)


def _store_keys(
    connection: Connection, sources: list[str], ids: list[str], times: list[int]
) -> np.ndarray:
    """Store the keys not stored yet; returns the positions (in the lists) of those that
    were.

    PostgreSQL first tries a plain INSERT of them all in a savepoint: new rows, the common
    case, cost half of an upsert. When some key exists already (a file imported again, or
    another import of the same file committing first), it falls back to INSERT … ON CONFLICT
    DO NOTHING, which returns the keys it did not store. Keys go in the lists' sorted order,
    so two imports racing on one file wait for each other instead of deadlocking. SQLite has
    one writer at a time: look up, then insert the others."""
    if connection.dialect.name == "postgresql":
        params = {"sources": pg_array(sources), "ids": pg_array(ids), "times": pg_array(times)}
        try:
            with connection.begin_nested():
                connection.exec_driver_sql(
                    "INSERT INTO checkin_key (source, external_id, checked_in_at) SELECT * FROM "
                    "unnest(%(sources)s::text[], %(ids)s::text[], %(times)s::bigint[])",
                    params,
                )
            return np.empty(0, dtype=np.int64)
        except IntegrityError:
            pass
        present = connection.exec_driver_sql(
            "WITH wanted AS MATERIALIZED ("
            " SELECT * FROM unnest(%(sources)s::text[], %(ids)s::text[], %(times)s::bigint[])"
            " WITH ORDINALITY AS w (source, external_id, checked_in_at, n)"
            "), claimed AS ("
            " INSERT INTO checkin_key (source, external_id, checked_in_at)"
            " SELECT source, external_id, checked_in_at FROM wanted ORDER BY n"
            " ON CONFLICT DO NOTHING RETURNING source, external_id"
            ") SELECT n - 1 FROM wanted WHERE NOT EXISTS (SELECT FROM claimed c"
            " WHERE c.source = wanted.source AND c.external_id = wanted.external_id)",
            params,
        ).scalars()
        return np.sort(np.fromiter(present, dtype=np.int64))
    rows = json.dumps(list(zip(sources, ids, strict=True)))
    found = np.fromiter(
        connection.exec_driver_sql(
            "SELECT w.key FROM json_each(?) w JOIN checkin_key k"
            " ON k.source = json_extract(w.value, '$[0]')"
            " AND k.external_id = json_extract(w.value, '$[1]')",
            (rows,),
        ).scalars(),
        dtype=np.int64,
    )
    new = np.ones(len(sources), dtype=bool)
    new[found] = False
    chosen = np.flatnonzero(new).tolist()
    if chosen:
        connection.exec_driver_sql(
            "INSERT INTO checkin_key (source, external_id, checked_in_at) VALUES (?, ?, ?)",
            [(sources[i], ids[i], times[i]) for i in chosen],
        )
    return np.sort(found)


def venue_ids_by_ref(connection: Connection, refs: Sequence[str]) -> dict[str, int]:
    """The ids of the venues with these venue_refs (unknown refs are left out): one array
    parameter, where an IN list of thousands of bound values costs more to build than to run."""
    if not len(refs):
        return {}
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT venue_ref, id FROM venue WHERE venue_ref = ANY(%(refs)s::text[])",
            {"refs": pg_array(list(refs))},
        ).all()
    else:
        rows = connection.exec_driver_sql(
            "SELECT venue_ref, id FROM venue WHERE venue_ref IN (SELECT value FROM json_each(?))",
            (json.dumps(list(refs)),),
        ).all()
    return {ref: int(venue_id) for ref, venue_id in rows}


def _venue_wards(connection: Connection, venue_ids: np.ndarray) -> dict[int, str]:
    """Ward of each venue of the batch; a check-in at an unknown venue fails the batch, as a
    foreign key would (the rollups have none: this is where it is checked)."""
    wanted = np.unique(venue_ids).tolist()
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT id, ward_code FROM venue WHERE id = ANY(%(ids)s::bigint[])",
            {"ids": pg_array(wanted)},
        ).all()
    else:
        rows = connection.exec_driver_sql(
            "SELECT id, ward_code FROM venue WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        ).all()
    wards = {int(venue_id): ward for venue_id, ward in rows}
    unknown = [v for v in wanted if v not in wards]
    if unknown:
        shown = ", ".join(map(str, unknown[:10])) + (" …" if len(unknown) > 10 else "")
        raise ValueError(f"check-ins at {len(unknown)} unknown venue id(s): {shown}")
    return wards


def _add_to_rollups(connection: Connection, frame: pd.DataFrame, wards: dict[int, str]) -> None:
    """Add the batch's counts to venue_hour, ward_hour, venue_day and ward_day, and its days to
    venue_activity: summed (or OR-ed) here, one upsert each."""
    risk = frame["risk_level"].to_numpy()
    counts = (
        pd.DataFrame(
            {
                "venue_id": frame["venue_id"].to_numpy(),
                "hour_start": frame["checked_in_at"].to_numpy() // 3600 * 3600,
                "checkins": np.ones(len(frame), dtype=np.int64),
                "at_risk": (risk >= 1).astype(np.int64),
                "high_risk": (risk >= 2).astype(np.int64),
            }
        )
        .groupby(["venue_id", "hour_start"], sort=True)
        .sum()
        .reset_index()
    )
    figures = ["checkins", "at_risk", "high_risk"]
    by_ward = (
        counts.assign(ward_code=counts["venue_id"].map(wards))
        .groupby(["ward_code", "hour_start"], sort=True)[figures]
        .sum()
        .reset_index()
    )
    by_day = (
        counts.assign(
            day_start=day_start(counts["hour_start"].to_numpy()),
            first_hour_start=counts["hour_start"],
        )
        .groupby(["day_start", "venue_id"], sort=True)
        .agg(
            checkins=("checkins", "sum"),
            at_risk=("at_risk", "sum"),
            high_risk=("high_risk", "sum"),
            first_hour_start=("first_hour_start", "min"),
        )
        .reset_index()
    )
    by_ward_day = (
        by_ward.assign(day_start=day_start(by_ward["hour_start"].to_numpy()))
        .groupby(["day_start", "ward_code"], sort=True)[figures]
        .sum()
        .reset_index()
    )
    # In the key's order (hour first), as every writer does: new hours append to the index.
    by_hour = counts.sort_values(["hour_start", "venue_id"], kind="stable")
    _upsert_counts(connection, "venue_hour", ("hour_start", "venue_id"), by_hour)
    _upsert_counts(connection, "ward_hour", ("ward_code", "hour_start"), by_ward)
    _upsert_counts(connection, "venue_day", ("day_start", "venue_id"), by_day)
    _upsert_counts(connection, "ward_day", ("day_start", "ward_code"), by_ward_day)
    _upsert_activity(connection, by_day["venue_id"].to_numpy(), by_day["day_start"].to_numpy())


def _activity_bits(
    venue_ids: np.ndarray, day_starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(block, venue_id, days) of venue_activity for venues active on days (local midnights,
    as venue_day's day_start): one row per venue and block, its days OR-ed together."""
    number = local_day_number(day_starts.astype(np.int64))
    blocks = number // ACTIVITY_BLOCK_DAYS
    bits = np.left_shift(np.int64(1), number % ACTIVITY_BLOCK_DAYS)
    venues = venue_ids.astype(np.int64)
    order = np.lexsort((venues, blocks))
    blocks, venues, bits = blocks[order], venues[order], bits[order]
    if not len(order):
        return blocks, venues, bits
    starts = np.flatnonzero(np.r_[True, (blocks[1:] != blocks[:-1]) | (venues[1:] != venues[:-1])])
    return blocks[starts], venues[starts], np.bitwise_or.reduceat(bits, starts)


def _upsert_activity(connection: Connection, venue_ids: np.ndarray, day_starts: np.ndarray) -> None:
    """OR the venues' days into venue_activity. A row whose bits are all set already is only
    read (no new row version, no index entry, no row lock): after a day's first check-ins at
    a venue, every later batch of that day would otherwise rewrite the row for nothing, and
    ON CONFLICT DO UPDATE locks the rows its WHERE leaves alone (a lock is a page write)."""
    blocks, venues, days = _activity_bits(venue_ids, day_starts)
    if not len(blocks):
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "INSERT INTO venue_activity (block, venue_id, days) SELECT * FROM "
            "unnest(%(block)s::int[], %(venue_id)s::bigint[], %(days)s::bigint[]) "
            "AS n (block, venue_id, days) WHERE NOT EXISTS (SELECT FROM venue_activity a "
            "WHERE a.block = n.block AND a.venue_id = n.venue_id AND a.days & n.days = n.days) "
            "ON CONFLICT (block, venue_id) "
            "DO UPDATE SET days = venue_activity.days | excluded.days "
            "WHERE venue_activity.days | excluded.days <> venue_activity.days",
            {
                "block": pg_array(blocks.tolist()),
                "venue_id": pg_array(venues.tolist()),
                "days": pg_array(days.tolist()),
            },
        )
        return
    connection.exec_driver_sql(
        "INSERT INTO venue_activity (block, venue_id, days) VALUES (?, ?, ?) "
        "ON CONFLICT (block, venue_id) "
        "DO UPDATE SET days = venue_activity.days | excluded.days "
        "WHERE venue_activity.days | excluded.days <> venue_activity.days",
        list(zip(blocks.tolist(), venues.tolist(), days.tolist(), strict=True)),
    )


_KEY_TYPES = {"venue_id": "bigint", "hour_start": "bigint", "day_start": "bigint"}


def _upsert_counts(
    connection: Connection, table: str, key: tuple[str, str], counts: pd.DataFrame
) -> None:
    """Add the counts to the rollup's rows (creating the missing ones); a first_hour_start
    column keeps the earlier of the stored and the new hour."""
    figures = ("checkins", "at_risk", "high_risk")
    earliest = ("first_hour_start",) if "first_hour_start" in counts else ()
    columns = [*key, *figures, *earliest]
    smaller = "least" if connection.dialect.name == "postgresql" else "min"
    updates = [f"{c} = {table}.{c} + excluded.{c}" for c in figures] + [
        f"{c} = {smaller}({table}.{c}, excluded.{c})" for c in earliest
    ]
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(updates)}"
    # Table and column names are ours; the rows go as parameters.
    if connection.dialect.name == "postgresql":
        types = {**_KEY_TYPES, "ward_code": "text", "first_hour_start": "bigint"}
        arrays = ", ".join(f"%({c})s::{types.get(c, 'int')}[]" for c in columns)
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "  # noqa: S608
            + conflict,
            {c: pg_array(counts[c].tolist()) for c in columns},
        )
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) " + conflict,  # noqa: S608
        _records(counts[columns]),
    )
