"""The one write path for people, venues and check-ins, used by declarations, imports and the
demo city alike, so that the hourly rollups are always kept in the same transaction.

Batches go through a temporary staging table: COPY on PostgreSQL, executemany on SQLite, then
set-based SQL moves the rows and updates the rollups. The caller owns the transaction: a batch is
written entirely or not at all.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    and_,
    case,
    exists,
    func,
    select,
    true,
)

from db.dialect import hour_of, insert_for
from db.schema import checkin, person, venue, venue_hour, ward_hour
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


def new_venue_token() -> str:
    """An unguessable public token for a venue's QR URL (128 random bits)."""
    return secrets.token_urlsafe(16)


# --- staging -------------------------------------------------------------------------------


def _stage(connection: Connection, name: str, columns: list[Column]) -> Table:
    table = Table(
        name, MetaData(), Column("line", Integer, nullable=False), *columns, prefixes=["TEMPORARY"]
    )
    table.drop(connection, checkfirst=True)
    table.create(connection)
    return table


def _fill(connection: Connection, stage: Table, frame: pd.DataFrame) -> None:
    """Put the rows of frame (columns named as the stage's, 'line' included) into the stage."""
    names = [c.name for c in stage.columns]
    frame = frame[names]
    if connection.dialect.name == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_MINIMAL, na_rep="")
        buffer.seek(0)
        cursor = connection.connection.dbapi_connection.cursor()
        quoted = ", ".join(f'"{n}"' for n in names)
        # In CSV an empty unquoted field is NULL; for NOT NULL text columns it means ''.
        not_null_text = [
            f'"{c.name}"' for c in stage.columns if isinstance(c.type, String) and not c.nullable
        ]
        options = "FORMAT csv" + (
            f", FORCE_NOT_NULL ({', '.join(not_null_text)})" if not_null_text else ""
        )
        cursor.copy_expert(f"COPY {stage.name} ({quoted}) FROM STDIN WITH ({options})", buffer)
        cursor.close()
        return
    records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    placeholders = ", ".join("?" for _ in names)
    # Names come from our own stage Table, never from input; the driver's executemany is the
    # fastest path into SQLite.
    sql = f"INSERT INTO {stage.name} ({', '.join(names)}) VALUES ({placeholders})"  # noqa: S608
    connection.exec_driver_sql(sql, list(records))


# --- people --------------------------------------------------------------------------------


def resolve_people(connection: Connection, people: pd.DataFrame) -> np.ndarray:
    """Ids of the people in the frame (phone, full_name[, id_number, birth_year,
    home_ward_code]), in the frame's order, creating the ones not yet known.

    Phones must already be normalised and names NFC: a person is (phone, full_name).
    """
    frame = people.reset_index(drop=True).copy()
    for column in PERSON_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame["line"] = np.arange(len(frame))
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
    _fill(connection, stage, frame)
    new_people = (
        select(*[stage.c[c] for c in PERSON_COLUMNS])
        .where(
            stage.c.line.in_(
                select(func.min(stage.c.line)).group_by(stage.c.phone, stage.c.full_name)
            ),
            ~exists().where(
                and_(person.c.phone == stage.c.phone, person.c.full_name == stage.c.full_name)
            ),
        )
        .order_by(stage.c.line)
    )  # ids follow the batch's order on both engines
    connection.execute(person.insert().from_select(list(PERSON_COLUMNS), new_people))
    ids = connection.execute(
        select(stage.c.line, person.c.id)
        .join(
            person,
            and_(person.c.phone == stage.c.phone, person.c.full_name == stage.c.full_name),
        )
        .order_by(stage.c.line)
    ).fetchall()
    stage.drop(connection)
    result = np.fromiter((row[1] for row in ids), dtype=np.int64, count=len(ids))
    assert len(result) == len(frame), "every staged person resolves to exactly one id"
    return result


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


def _checkin_stage(connection: Connection) -> Table:
    return _stage(
        connection,
        "checkin_stage",
        [
            Column("person_id", BigInteger, nullable=False),
            Column("venue_id", BigInteger, nullable=False),
            Column("checked_in_at", BigInteger, nullable=False),
            Column("checked_out_at", BigInteger),
            Column("channel", String(10), nullable=False),
            Column("declared_by_person_id", BigInteger),
            Column("symptoms", String(200), nullable=False),
            Column("exposures", String(100), nullable=False),
            Column("risk_level", SmallInteger, nullable=False),
            Column("risk_reasons", String(400), nullable=False),
            Column("source", String(40), nullable=False),
            Column("external_id", String(80)),
        ],
    )


def checkin_frame(rows: Sequence[dict]) -> pd.DataFrame:
    """A frame for write_checkins from dicts; instants as aware datetimes or epoch seconds."""
    frame = pd.DataFrame(list(rows))
    for column in ("checked_in_at", "checked_out_at"):
        if column in frame:
            frame[column] = frame[column].map(_to_epoch).astype("Int64")
    return frame


def _to_epoch(value: object) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if hasattr(value, "timestamp"):
        if getattr(value, "tzinfo", None) is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return int(value.timestamp())  # type: ignore[union-attr]
    return int(value)  # type: ignore[call-overload]


def write_checkins(connection: Connection, checkins: pd.DataFrame) -> np.ndarray:
    """Insert check-ins and add them to the hourly rollups, in the caller's transaction.

    checkins has CHECKIN_COLUMNS (times as epoch seconds; optional ones may be missing). Rows
    whose (source, external_id) is already stored, or repeats one earlier in the batch, are
    skipped: imports are idempotent. Returns the positions (0-based, in the frame) of the rows
    that were skipped as already present.
    """
    frame = checkins.reset_index(drop=True).copy()
    defaults: dict[str, object] = {
        "checked_out_at": None,
        "declared_by_person_id": None,
        "symptoms": "",
        "exposures": "",
        "risk_level": 0,
        "risk_reasons": "",
        "source": "kbyt",
        "external_id": None,
    }
    for column, value in defaults.items():
        if column not in frame:
            frame[column] = value
        elif value is not None:
            frame[column] = frame[column].fillna(value)
    frame["line"] = np.arange(len(frame))
    for column in ("checked_out_at", "declared_by_person_id"):
        frame[column] = frame[column].astype("Int64")
    frame["risk_level"] = frame["risk_level"].astype(np.int16)
    stage = _checkin_stage(connection)
    _fill(connection, stage, frame)

    has_key = stage.c.external_id.is_not(None)
    already_stored = exists().where(
        and_(checkin.c.source == stage.c.source, checkin.c.external_id == stage.c.external_id)
    )
    first_in_batch = (
        select(func.min(stage.c.line)).where(has_key).group_by(stage.c.source, stage.c.external_id)
    )
    duplicate = and_(has_key, already_stored | ~stage.c.line.in_(first_in_batch))
    skipped = connection.scalars(select(stage.c.line).where(duplicate).order_by(stage.c.line)).all()
    if skipped:
        connection.execute(stage.delete().where(stage.c.line.in_(skipped)))

    columns = list(CHECKIN_COLUMNS)
    connection.execute(
        checkin.insert().from_select(
            columns, select(*[stage.c[c] for c in columns]).order_by(stage.c.line)
        )
    )
    _add_to_rollups(connection, stage)
    stage.drop(connection)
    return np.asarray(skipped, dtype=np.int64)


def _add_to_rollups(connection: Connection, stage: Table) -> None:
    at_risk = func.sum(case((stage.c.risk_level >= 1, 1), else_=0))
    high_risk = func.sum(case((stage.c.risk_level >= 2, 1), else_=0))
    hour = hour_of(stage.c.checked_in_at)
    joined = stage.join(venue, venue.c.id == stage.c.venue_id)
    for rollup, key, key_column in (
        (ward_hour, "ward_code", venue.c.ward_code),
        (venue_hour, "venue_id", stage.c.venue_id),
    ):
        counts = (
            select(key_column, hour, func.count(), at_risk, high_risk)
            .select_from(joined)
            .where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
            .group_by(key_column, hour)
        )
        statement = insert_for(connection, rollup).from_select(
            [key, "hour_start", "checkins", "at_risk", "high_risk"], counts
        )
        statement = statement.on_conflict_do_update(
            index_elements=[key, "hour_start"],
            set_={
                name: rollup.c[name] + statement.excluded[name]
                for name in ("checkins", "at_risk", "high_risk")
            },
        )
        connection.execute(statement)
