"""The write path for a handful of check-ins at one venue and one instant (a declaration), as
plain Core statements.

Same rules as queries.writes (import keys claimed in checkin_key, rows into checkin, the five
rollups added in the caller's transaction, partitions made on PostgreSQL), without building
frames: for one or a few rows the bulk path spends ~60 ms in pandas for ~3 ms of SQL.
tests/test_declarations.py checks that both paths leave the same rollups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, literal, select

from db.dialect import insert_for
from db.partitions import DAY_S, LOCAL_OFFSET_S, day_start, ensure_partitions
from db.schema import (
    ACTIVITY_BLOCK_DAYS,
    checkin,
    checkin_identity,
    checkin_key,
    person,
    venue_activity,
    venue_day,
    venue_hour,
    ward_day,
    ward_hour,
)


@dataclass(frozen=True)
class CheckinRow:
    """One check-in to write; person and venue already resolved."""

    person_id: int
    external_id: str
    symptoms: str
    exposures: str
    risk_level: int
    risk_reasons: str
    declared_by_person_id: int | None = None
    # Identity as declared, kept in checkin_identity when any is given.
    id_number: str | None = None
    birth_year: int | None = None
    home_ward_code: str | None = None


def person_id(
    connection: Connection,
    phone: str,
    full_name: str,
    id_number: str | None = None,
    birth_year: int | None = None,
    home_ward_code: str | None = None,
) -> int:
    """The id of the person (phone, full_name), created with the given details when new. A
    known person's stored details are never changed here."""
    known = select(person.c.id).where(person.c.phone == phone, person.c.full_name == full_name)
    found = connection.scalar(known)
    if found is not None:
        return int(found)
    created = connection.scalar(
        insert_for(connection, person)
        .values(
            phone=phone,
            full_name=full_name,
            id_number=id_number,
            birth_year=birth_year,
            home_ward_code=home_ward_code,
        )
        .on_conflict_do_nothing(index_elements=["phone", "full_name"])
        .returning(person.c.id)
    )
    # None: another writer created the same person since our look-up.
    return int(created if created is not None else connection.scalar(known))


def claim_keys(
    connection: Connection, source: str, external_ids: Sequence[str], at: int
) -> set[str]:
    """Claim the import keys; returns those claimed now (the others were stored before)."""
    statement = (
        insert_for(connection, checkin_key)
        .values([{"source": source, "external_id": e, "checked_in_at": at} for e in external_ids])
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(checkin_key.c.external_id)
    )
    return set(connection.scalars(statement))


def write_checkin_rows(
    connection: Connection,
    venue_id: int,
    ward_code: str,
    at: int,
    channel: str,
    source: str,
    rows: Sequence[CheckinRow],
) -> list[int]:
    """Insert the check-ins (their keys already claimed) and add them to the rollups; returns
    their ids in order."""
    if not rows:
        return []
    if connection.dialect.name == "postgresql":
        _ensure_partition(connection, at)
    ids = []
    for row in rows:
        ids.append(
            connection.scalar(
                checkin.insert()
                .values(
                    person_id=row.person_id,
                    venue_id=venue_id,
                    checked_in_at=at,
                    channel=channel,
                    declared_by_person_id=row.declared_by_person_id,
                    symptoms=row.symptoms,
                    exposures=row.exposures,
                    risk_level=row.risk_level,
                    risk_reasons=row.risk_reasons,
                    source=source,
                    external_id=row.external_id,
                )
                .returning(checkin.c.id)
            )
        )
    identities = [
        {
            "checkin_id": checkin_id,
            "checked_in_at": at,
            "id_number": row.id_number,
            "birth_year": row.birth_year,
            "home_ward_code": row.home_ward_code,
        }
        for checkin_id, row in zip(ids, rows, strict=True)
        if (row.id_number, row.birth_year, row.home_ward_code) != (None, None, None)
    ]
    if identities:
        connection.execute(checkin_identity.insert(), identities)
    counts = {
        "checkins": len(rows),
        "at_risk": sum(row.risk_level >= 1 for row in rows),
        "high_risk": sum(row.risk_level >= 2 for row in rows),
    }
    _add_to_rollups(connection, venue_id, ward_code, at, counts)
    return [int(i) for i in ids]


# Local days whose partition existed before a declaration needed it, per database: asked once
# per process, not per declaration. Only days found already there are kept: a partition made
# by a transaction that later rolls back is gone again. Retention never drops today's day.
_days_with_partition: set[tuple[str, int]] = set()


def _ensure_partition(connection: Connection, at: int) -> None:
    day = (str(connection.engine.url), (at + LOCAL_OFFSET_S) // DAY_S)
    if day in _days_with_partition:
        return
    if not ensure_partitions(connection, [at]):
        _days_with_partition.add(day)


def _add_to_rollups(
    connection: Connection, venue_id: int, ward_code: str, at: int, counts: dict[str, int]
) -> None:
    """The five rollup upserts; on PostgreSQL as one statement (writable CTEs), one round trip
    instead of five."""
    hour = at // 3600 * 3600
    day = int(day_start(at))
    upserts = []
    for table, key in (
        (venue_hour, {"venue_id": venue_id, "hour_start": hour}),
        (ward_hour, {"ward_code": ward_code, "hour_start": hour}),
        (venue_day, {"day_start": day, "venue_id": venue_id, "first_hour_start": hour}),
        (ward_day, {"day_start": day, "ward_code": ward_code}),
    ):
        statement = insert_for(connection, table).values(**key, **counts)
        added = {name: table.c[name] + statement.excluded[name] for name in counts}
        if "first_hour_start" in key:
            smaller = func.least if connection.dialect.name == "postgresql" else func.min
            added["first_hour_start"] = smaller(
                table.c.first_hour_start, statement.excluded.first_hour_start
            )
        primary = [c.name for c in table.primary_key.columns]
        upserts.append(statement.on_conflict_do_update(index_elements=primary, set_=added))
    number = (at + LOCAL_OFFSET_S) // DAY_S
    statement = insert_for(connection, venue_activity).values(
        block=number // ACTIVITY_BLOCK_DAYS,
        venue_id=venue_id,
        days=1 << (number % ACTIVITY_BLOCK_DAYS),
    )
    upserts.append(
        statement.on_conflict_do_update(
            index_elements=["block", "venue_id"],
            set_={"days": venue_activity.c.days.op("|")(statement.excluded.days)},
        )
    )
    if connection.dialect.name == "postgresql":
        ctes = [upsert.cte(f"rollup_{n}") for n, upsert in enumerate(upserts)]
        connection.execute(select(literal(1)).add_cte(*ctes))
        return
    for upsert in upserts:
        connection.execute(upsert)
