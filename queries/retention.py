"""Retention: check-ins (and what only they kept) older than the retention period are deleted;
the hourly rollups stay, so maps and KPIs keep their history without personal data.

People are deleted too once nothing refers to them any more (no check-in, declaration for
others, advance declaration, case, traced contact, follow-up or alert): their name and phone
were kept only for those. A dry run is the same purge in a transaction that is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Column, Connection, MetaData, Table, delete, exists, select

from db.schema import (
    advance_declaration,
    alert,
    case_record,
    checkin,
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


def purge(connection: Connection, now: datetime, retention_days: int) -> PurgeReport:
    """Delete what is older than now - retention_days, in the caller's transaction."""
    cutoff = now - timedelta(days=retention_days)
    old = checkin.c.checked_in_at < cutoff
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
    checkins = connection.execute(delete(checkin).where(old)).rowcount
    still_referred = (
        exists().where(checkin.c.person_id == person.c.id)
        | exists().where(checkin.c.declared_by_person_id == person.c.id)
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
    return PurgeReport(cutoff, checkins, alerts, advance, people)
