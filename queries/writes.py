"""The one write path for people, venues and check-ins, used by declarations, imports and the
demo city alike, so that the rollups (venue_hour, ward_hour, venue_day, ward_day,
venue_activity) are always kept in the same transaction.

Check-ins go straight into their table (COPY on PostgreSQL, executemany on SQLite) after their
import keys are claimed in checkin_key (concurrent imports of the same file store each row
once); the rollups are summed in Python from the same frame and added with one upsert each
(queries.rollup_writes). People are found or created by queries.people_writes; frames move
into tables by db.frame_loads. The caller owns the transaction: a batch is written entirely or
not at all.

On PostgreSQL the check-in table is partitioned by local day (db.partitions): the partitions a
batch needs are created first, in the same transaction.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from db.arrays import pg_array
from db.dialect import insert_for
from db.frame_loads import copy_frame, insert_frame
from db.partitions import ensure_partitions
from db.schema import venue
from queries.people_writes import PERSON_COLUMNS, resolve_people
from queries.rollup_writes import add_to_rollups
from rules.text import search_key

# resolve_people is part of the write path's surface: callers import it from here.
__all__ = [
    "CHECKIN_COLUMNS",
    "PERSON_COLUMNS",
    "VENUE_COLUMNS",
    "new_venue_token",
    "resolve_people",
    "upsert_venues",
    "venue_ids_and_wards",
    "write_checkins",
]

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


def new_venue_token() -> str:
    """An unguessable public token for a venue's QR URL (128 random bits)."""
    return secrets.token_urlsafe(16)


# --- venues --------------------------------------------------------------------------------


def upsert_venues(connection: Connection, venues: pd.DataFrame) -> tuple[int, int]:
    """Create or update venues by venue_ref (their id in the source system).

    New venues get a fresh token; an existing venue keeps its token, so printed posters stay
    valid. Returns (created, updated).
    """
    frame = venues.reset_index(drop=True)
    # A declared capacity is optional: a frame without the column leaves a known venue's as
    # it is; with it, an empty value means none declared.
    columns = (*VENUE_COLUMNS, "capacity") if "capacity" in frame.columns else VENUE_COLUMNS
    refs = frame["venue_ref"].tolist()
    existing: set[str] = set()
    for start in range(0, len(refs), 5000):
        chunk = refs[start : start + 5000]
        existing.update(
            connection.scalars(select(venue.c.venue_ref).where(venue.c.venue_ref.in_(chunk)))
        )
    # pandas-stubs types a record's keys as Hashable; the venue columns are names.
    records = cast(list[dict[str, Any]], frame[list(columns)].to_dict("records"))
    for record in records:
        record["search_name"] = search_key(record["name"])
        if "capacity" in record:
            record["capacity"] = None if pd.isna(record["capacity"]) else int(record["capacity"])
    created = [dict(r, token=new_venue_token()) for r in records if r["venue_ref"] not in existing]
    updated = [r for r in records if r["venue_ref"] in existing]
    if created:
        connection.execute(venue.insert(), created)
    if updated:
        statement = insert_for(connection, venue)
        statement = statement.on_conflict_do_update(
            index_elements=["venue_ref"],
            set_={c: statement.excluded[c] for c in (*columns, "search_name") if c != "venue_ref"},
        )
        # The token is only there to satisfy NOT NULL in VALUES; on conflict it is not updated.
        connection.execute(statement, [dict(r, token=new_venue_token()) for r in updated])
    return len(created), len(updated)


# --- check-ins -----------------------------------------------------------------------------


_DEFAULTS: dict[str, str | int | None] = {
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


def write_checkins(
    connection: Connection, checkins: pd.DataFrame, wards: Mapping[int, str] | None = None
) -> np.ndarray:
    """Insert check-ins and add them to the hourly rollups, in the caller's transaction.

    checkins has CHECKIN_COLUMNS (times as epoch seconds; optional ones may be missing). Rows
    whose (source, external_id) is already stored, or repeats one earlier in the batch, are
    skipped: imports are idempotent. Returns the positions (0-based, in the frame) of the rows
    that were skipped as already present.

    wards: the ward of each venue, when the caller has just read them with the venues
    (venue_ids_and_wards); any venue of the batch missing from it is looked up here, and a venue
    that does not exist fails the batch.
    """
    frame = _normalised(checkins)
    skipped = _claim_keys(connection, frame)
    if len(skipped):
        frame = frame.drop(index=pd.Index(skipped)).reset_index(drop=True)
    if frame.empty:
        return skipped
    wards = _venue_wards(connection, frame["venue_id"].to_numpy(), wards or {})
    if connection.dialect.name == "postgresql":
        ensure_partitions(connection, frame["checked_in_at"].to_numpy())
        copy_frame(connection, "checkin", frame, _CHECKIN_NOT_NULL_TEXT)
    else:
        insert_frame(connection, "checkin", frame)
    add_to_rollups(connection, frame, wards)
    return skipped


def _claim_keys(connection: Connection, frame: pd.DataFrame) -> np.ndarray:
    """Positions of rows to skip: a (source, external_id) repeated earlier in the batch, or
    already stored. The others' keys are stored in checkin_key (rows without an external_id
    have none). Sorted and compared by Arrow: pandas' sort and duplicated() on the two text
    columns took 0.13 s of a 100,000-row import chunk."""
    keyed = frame["external_id"].notna().to_numpy()
    if not keyed.any():
        return np.empty(0, dtype=np.int64)
    positions = np.flatnonzero(keyed)
    keys = pa.table(
        {
            "source": _texts(frame["source"].to_numpy(dtype=object)[positions]),
            "external_id": _texts(frame["external_id"].to_numpy(dtype=object)[positions]),
            "checked_in_at": frame["checked_in_at"].to_numpy()[positions],
            "n": np.arange(len(positions)),
        }
    )
    # In the key's order, a key's rows in the batch's order: the first of each is claimed.
    ordered = keys.take(
        pc.sort_indices(
            keys, [("source", "ascending"), ("external_id", "ascending"), ("n", "ascending")]
        )
    )
    repeated = np.zeros(len(ordered), dtype=bool)
    if len(ordered) > 1:
        same = [
            pc.equal(column.slice(1), column.slice(0, len(column) - 1)).to_numpy(
                zero_copy_only=False
            )
            for column in (ordered["source"], ordered["external_id"])
        ]
        repeated[1:] = same[0] & same[1]
    claims = ordered.filter(pa.array(~repeated))
    present = _store_keys(connection, claims.select(["source", "external_id", "checked_in_at"]))
    skip = np.zeros(len(positions), dtype=bool)
    skip[ordered["n"].to_numpy()[repeated]] = True
    skip[claims["n"].to_numpy()[present]] = True
    skipped: np.ndarray = positions[skip].astype(np.int64)
    return skipped


def _texts(values: np.ndarray) -> pa.Array:
    """Key values as Arrow text (a value that is not text, such as a number, as its str())."""
    try:
        return pa.array(values, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([str(value) for value in values.tolist()], type=pa.string())


def _store_keys(connection: Connection, claims: pa.Table) -> np.ndarray:
    """Store the keys (source, external_id, checked_in_at; in the key's order, each once) not
    stored yet; returns the positions (in claims) of those that were.

    PostgreSQL first COPYs them all in a savepoint: new rows, the common case, cost half of an
    upsert, and COPY a third less than INSERT from unnest of array literals (100,000 keys into
    the 20M city's checkin_key: 0.17-0.20 s against 0.24-0.29 s). When some key exists
    already (a file imported again, or another import of the same file committing first), it
    falls back to INSERT … ON CONFLICT DO NOTHING, which returns the keys it did not store.
    Keys go in their sorted order, so two imports racing on one file wait for each other
    instead of deadlocking. SQLite has one writer at a time: look up, then insert the others."""
    if connection.dialect.name == "postgresql":
        try:
            with connection.begin_nested():
                copy_frame(connection, "checkin_key", claims)
            return np.empty(0, dtype=np.int64)
        except IntegrityError:
            pass
    sources = claims["source"].to_pylist()
    ids = claims["external_id"].to_pylist()
    times = claims["checked_in_at"].to_pylist()
    if connection.dialect.name == "postgresql":
        params = {"sources": pg_array(sources), "ids": pg_array(ids), "times": pg_array(times)}
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


def venue_ids_and_wards(connection: Connection, refs: Sequence[str]) -> dict[str, tuple[int, str]]:
    """The id and ward of the venues with these venue_refs (unknown refs are left out): one
    array parameter, where an IN list of thousands of bound values costs more to build than to
    run. The ward comes along so that write_checkins need not read the venues again."""
    if not len(refs):
        return {}
    if connection.dialect.name == "postgresql":
        # Three arrays in one row, parsed by the driver in C: a row per venue cost more to
        # turn into Python than the query took (45,000 venues, 0.16 s of a 200,000-row import).
        found = connection.exec_driver_sql(
            "SELECT array_agg(venue_ref), array_agg(id), array_agg(ward_code) FROM venue"
            " WHERE venue_ref = ANY(%(refs)s::text[])",
            {"refs": pg_array(list(refs))},
        ).one()
        found_refs, ids, wards = (list(column or ()) for column in found)
        return dict(zip(found_refs, zip(ids, wards, strict=True), strict=True))
    rows = connection.exec_driver_sql(
        "SELECT venue_ref, id, ward_code FROM venue"
        " WHERE venue_ref IN (SELECT value FROM json_each(?))",
        (json.dumps(list(refs)),),
    )
    return {ref: (int(venue_id), ward) for ref, venue_id, ward in rows}


def _venue_wards(
    connection: Connection, venue_ids: np.ndarray, known: Mapping[int, str]
) -> dict[int, str]:
    """Ward of each venue of the batch, read unless known; a check-in at an unknown venue
    fails the batch, as a foreign key would (the rollups have none: this is where it is
    checked)."""
    batch = np.unique(venue_ids).tolist()
    wards = {v: known[v] for v in batch if v in known}
    wanted = [v for v in batch if v not in wards]
    if not wanted:
        return wards
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
    wards.update({int(venue_id): ward for venue_id, ward in rows})
    unknown = [v for v in wanted if v not in wards]
    if unknown:
        shown = ", ".join(map(str, unknown[:10])) + (" …" if len(unknown) > 10 else "")
        raise ValueError(f"check-ins at {len(unknown)} unknown venue id(s): {shown}")
    return wards
