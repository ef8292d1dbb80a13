"""Retention: check-ins (and what only they kept) older than the retention period are deleted;
the rollups (hourly, daily, venue_activity) stay, so maps and KPIs keep their history without
personal data.

People are deleted too once nothing refers to them any more (no kept check-in, declaration for
others, advance declaration, case, traced contact, follow-up or alert): their name, phone and
ID number were kept only for those. Every person is considered, not only those of the rows
purged now: someone known only from an advance declaration goes with it. A dry run is the
same purge in a transaction that is rolled back.

On PostgreSQL the check-ins are partitioned by local day (db.partitions): the days that lie
wholly before the cutoff are dropped as whole partitions, at the end of the transaction (a
drop locks the table until commit, so it comes last); only the rows of the one partially
expired day are deleted row by row. SQLite deletes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, ColumnElement, Connection, delete, exists, select, update

from db.dialect import is_citus
from db.partitions import drop_partitions, is_partitioned, partitions_before
from db.people_lock import deleting_unreferenced_people
from db.schema import (
    advance_declaration,
    alert,
    case_record,
    checkin,
    checkin_identity,
    checkin_key,
    follow_up,
    person,
    traced_contact,
)

# Every column that refers to a person. checkin_identity, checkin_key, the rollups, accounts and
# the audit log name no person. A new reference to person must be added here, or the purge
# deletes the people it refers to (the foreign keys would stop it, except from checkin, which
# has none).
PERSON_REFERENCES = (
    checkin.c.person_id,
    checkin.c.declared_by_person_id,
    advance_declaration.c.person_id,
    advance_declaration.c.declared_by_person_id,
    case_record.c.person_id,
    traced_contact.c.person_id,
    follow_up.c.person_id,
    alert.c.person_id,
)


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    checkins: int
    alerts: int
    advance_declarations: int
    people: int
    partitions_dropped: int = 0


def purge(connection: Connection, now: datetime, retention_days: int) -> PurgeReport:
    """Delete what is older than now - retention_days, in the caller's transaction."""
    cutoff = now - timedelta(days=retention_days)
    old = checkin.c.checked_in_at < cutoff
    # Before anything is deleted: writers that found a person and have not committed what
    # refers to them yet finish first (the people's DELETE below then sees their rows), and no
    # writer holding its turn waits on a row this purge deletes (db/people_lock.py).
    deleting_unreferenced_people(connection)
    whole_days = partitions_before(connection, cutoff) if is_partitioned(connection) else []
    alerts = connection.execute(delete(alert).where(alert.c.raised_at < cutoff)).rowcount
    advance = connection.execute(
        delete(advance_declaration).where(advance_declaration.c.created_at < cutoff)
    ).rowcount
    # A follow-up stays with its person but no longer points at a purged check-in (the
    # foreign key's ON DELETE SET NULL on SQLite; PostgreSQL's partitioned table has none).
    citus = is_citus(connection)
    linked = follow_up.c.checkin_id.is_not(None)
    to_clear: ColumnElement[bool]
    if citus:  # no correlated subquery between a coordinator table and shards: ids first
        purged = checkin.c.id.in_(select(follow_up.c.checkin_id).where(linked))
        to_clear = follow_up.c.checkin_id.in_(select(checkin.c.id).where(old, purged))
    else:
        to_clear = exists().where(checkin.c.id == follow_up.c.checkin_id, old)
    connection.execute(update(follow_up).where(linked, to_clear).values(checkin_id=None))
    # Row by row only what the dropped days do not cover: on PostgreSQL the one partially
    # expired day, found by pruning to it.
    leftover = old
    if whole_days:
        leftover = old & (checkin.c.checked_in_at >= whole_days[-1].upper)
    checkins = connection.execute(delete(checkin).where(leftover)).rowcount
    connection.execute(delete(checkin_key).where(checkin_key.c.checked_in_at < cutoff))
    connection.execute(delete(checkin_identity).where(checkin_identity.c.checked_in_at < cutoff))

    unreferenced = _referred_to_by_nothing(cutoff, "citus" if citus else connection.dialect.name)
    people = connection.execute(delete(person).where(*unreferenced)).rowcount
    checkins += drop_partitions(connection, whole_days)
    return PurgeReport(cutoff, checkins, alerts, advance, people, len(whole_days))


def _referred_to_by_nothing(cutoff: datetime, dialect: str) -> list[ColumnElement[bool]]:
    """One condition per reference to a person, each read once for all people, never once per
    person. PostgreSQL plans NOT EXISTS as anti-joins (merge over the referring table's index,
    or one hashed pass). SQLite runs NOT EXISTS per person, which is an index look-up where an
    index leads with the column; where none does (advance declarations, alerts), NOT IN reads
    the column once into a temporary index instead of scanning the table per person. Citus
    (people are a reference table, check-ins sharded) cannot correlate them: NOT IN there, each
    list gathered once from the shards.
    Check-ins count only if kept: those before the cutoff still exist in the partitions that
    are dropped at the end, and bounding the time prunes the look-up to the kept days."""
    kept = checkin.c.checked_in_at >= cutoff
    conditions: list[ColumnElement[bool]] = []
    for column in PERSON_REFERENCES:
        only_kept = [kept] if column.table is checkin else []
        if dialect == "citus" or (dialect == "sqlite" and not _leads_an_index(column)):
            conditions.append(
                person.c.id.not_in(select(column).where(column.is_not(None), *only_kept))
            )
        else:
            conditions.append(~exists().where(column == person.c.id, *only_kept))
    return conditions


def _leads_an_index(column: Column[int]) -> bool:
    table = column.table
    keys = [index.columns.values()[0] for index in table.indexes]
    return column is table.primary_key.columns.values()[0] or any(key is column for key in keys)
