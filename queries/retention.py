"""Retention: check-ins (and what only they kept) older than the retention period are deleted;
the rollups (hourly, daily, venue_activity) stay, so maps and KPIs keep their history without
personal data.

People are deleted too once nothing refers to them any more (no check-in, declaration for
others, advance declaration, case, traced contact, follow-up or alert): their name and phone
were kept only for those. A dry run is the same purge in a transaction that is rolled back.

On PostgreSQL the check-ins are partitioned by local day (db.partitions): the days that lie
wholly before the cutoff are dropped as whole partitions, at the end of the transaction (a
drop locks the table until commit, so it comes last); only the rows of the one partially
expired day are deleted row by row. SQLite deletes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    Table,
    delete,
    exists,
    select,
    update,
)

from db.partitions import drop_partitions, is_partitioned, partitions_before
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
    whole_days = partitions_before(connection, cutoff) if is_partitioned(connection) else []
    candidates = Table(
        "purge_candidate",
        MetaData(),
        Column("person_id", BigInteger, primary_key=True),
        prefixes=["TEMPORARY"],
    )
    candidates.drop(connection, checkfirst=True)
    candidates.create(connection)
    their_people = (
        select(checkin.c.person_id)
        .where(old)
        .union(
            select(checkin.c.declared_by_person_id).where(
                old, checkin.c.declared_by_person_id.is_not(None)
            )
        )
    )
    connection.execute(candidates.insert().from_select(["person_id"], their_people))

    alerts = connection.execute(delete(alert).where(alert.c.raised_at < cutoff)).rowcount
    advance = connection.execute(
        delete(advance_declaration).where(advance_declaration.c.created_at < cutoff)
    ).rowcount
    # A follow-up stays with its person but no longer points at a purged check-in (the
    # foreign key's ON DELETE SET NULL on SQLite; PostgreSQL's partitioned table has none).
    connection.execute(
        update(follow_up)
        .where(
            follow_up.c.checkin_id.is_not(None),
            exists().where(checkin.c.id == follow_up.c.checkin_id, old),
        )
        .values(checkin_id=None)
    )
    # Row by row only what the dropped days do not cover: on PostgreSQL the one partially
    # expired day, found by pruning to it.
    leftover = old
    if whole_days:
        leftover = old & (checkin.c.checked_in_at >= whole_days[-1].upper)
    checkins = connection.execute(delete(checkin).where(leftover)).rowcount
    connection.execute(delete(checkin_key).where(checkin_key.c.checked_in_at < cutoff))
    connection.execute(delete(checkin_identity).where(checkin_identity.c.checked_in_at < cutoff))

    # Still referred to: by a check-in that is kept (bounded by the cutoff, so that the
    # check-ins about to go with their partitions do not count, and only kept days are read).
    kept = checkin.c.checked_in_at >= cutoff
    still_referred = (
        exists().where(checkin.c.person_id == person.c.id, kept)
        | exists().where(checkin.c.declared_by_person_id == person.c.id, kept)
        | exists().where(advance_declaration.c.person_id == person.c.id)
        | exists().where(advance_declaration.c.declared_by_person_id == person.c.id)
        | exists().where(case_record.c.person_id == person.c.id)
        | exists().where(traced_contact.c.person_id == person.c.id)
        | exists().where(follow_up.c.person_id == person.c.id)
        | exists().where(alert.c.person_id == person.c.id)
    )
    people = connection.execute(
        delete(person).where(person.c.id.in_(select(candidates.c.person_id)), ~still_referred)
    ).rowcount
    candidates.drop(connection)
    checkins += drop_partitions(connection, whole_days)
    return PurgeReport(cutoff, checkins, alerts, advance, people, len(whole_days))
