"""Cases and the people they are about: finding a case to trace (by case id, phone or name,
accents and case ignored), finding a person by phone and name, recording a case."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Row, Select, select

from db.people_lock import writing_references_to_people
from db.schema import CASE_STATUSES, case_record, person
from rules.phone import PhoneError, normalize_phone
from rules.text import search_key

COLUMNS = [
    "case_id",
    "person_id",
    "full_name",
    "phone",
    "status",
    "onset_date",
    "test_date",
    "isolated_at",
]
# Cases are few next to check-ins; names are matched accent-free among the newest ones.
NAME_SEARCH_DEPTH = 5_000


def _newest_first(*columns: ColumnElement[Any]) -> Select[*tuple[Any, ...]]:
    """columns of the cases with their person, the newest case first (by creation, then id)."""
    return (
        select(*columns)
        .join(person, person.c.id == case_record.c.person_id)
        .order_by(case_record.c.created_at.desc(), case_record.c.id.desc())
    )


def search_cases(connection: Connection, text: str, limit: int = 50) -> pd.DataFrame:
    """Cases matching a case id, a phone (any form) or words of a name, newest first; the
    newest cases when text is empty."""
    base = _newest_first(
        case_record.c.id,
        person.c.id,
        person.c.full_name,
        person.c.phone,
        case_record.c.status,
        case_record.c.onset_date,
        case_record.c.test_date,
        case_record.c.isolated_at,
    )
    text = text.strip()
    if not text:
        return pd.DataFrame(connection.execute(base.limit(limit)).all(), columns=COLUMNS)
    if text.isdigit() and len(text) < 9:
        rows = connection.execute(base.where(case_record.c.id == int(text))).all()
        return pd.DataFrame(rows, columns=COLUMNS)
    try:
        phone = normalize_phone(text)
    except PhoneError:
        phone = None
    if phone:
        rows = connection.execute(base.where(person.c.phone == phone).limit(limit)).all()
        return pd.DataFrame(rows, columns=COLUMNS)
    wanted = search_key(text)
    rows = [
        row
        for row in connection.execute(base.limit(NAME_SEARCH_DEPTH))
        if wanted in search_key(row[2])
    ][:limit]
    return pd.DataFrame(rows, columns=COLUMNS)


def person_by_id(connection: Connection, person_id: int) -> tuple[str, str] | None:
    """(full_name, phone) of a person, or None."""
    row = connection.execute(
        select(person.c.full_name, person.c.phone).where(person.c.id == person_id)
    ).one_or_none()
    return (row.full_name, row.phone) if row else None


def list_cases(
    connection: Connection, status: str | None = None, limit: int = 50
) -> list[Row[*tuple[Any, ...]]]:
    """Cases newest first: case_id, status, created_at (aware UTC), onset_date, test_date,
    full_name, phone."""
    query = _newest_first(
        case_record.c.id.label("case_id"),
        case_record.c.status,
        case_record.c.created_at,
        case_record.c.onset_date,
        case_record.c.test_date,
        person.c.full_name,
        person.c.phone,
    ).limit(limit)
    if status is not None:
        query = query.where(case_record.c.status == status)
    return list(connection.execute(query).all())


@dataclass(frozen=True)
class PersonRef:
    id: int
    phone: str
    full_name: str


class PersonNotFound(LookupError):
    pass


class AmbiguousPerson(LookupError):
    """Several people share the phone (dependants): a name must choose."""

    def __init__(self, phone: str, names: Sequence[str]) -> None:
        self.phone, self.names = phone, tuple(names)
        super().__init__(
            f"{len(names)} people share the phone {phone}: {', '.join(names)}; give a name"
        )


def register_case(
    connection: Connection,
    person_id: int,
    status: str,
    onset_date: date | None,
    test_date: date | None,
    isolated_at: datetime | None,
    created_by: str,
    note: str = "",
    now: datetime | None = None,
) -> int:
    """Record a case of the person; returns its id. Raises ValueError or LookupError with a
    sentence when the input is wrong."""
    if status not in CASE_STATUSES:
        raise ValueError(f"status must be one of {', '.join(CASE_STATUSES)}: {status!r}")
    if onset_date is None and test_date is None:
        raise ValueError("a case needs an onset date or a test date")
    if isolated_at is not None and isolated_at.tzinfo is None:
        raise ValueError(f"naive isolation time {isolated_at!r}: give a time zone")
    writing_references_to_people(connection)
    if connection.scalar(select(person.c.id).where(person.c.id == person_id)) is None:
        raise LookupError(f"no person with id {person_id}")
    result = connection.execute(
        case_record.insert().values(
            person_id=person_id,
            status=status,
            onset_date=onset_date,
            test_date=test_date,
            isolated_at=isolated_at,
            created_at=now or datetime.now(UTC),
            created_by=created_by,
            note=note,
        )
    )
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the case's insert returned no primary key")
    return int(key[0])


def latest_case(connection: Connection, person_id: int) -> Any | None:
    """The person's most recently recorded case row, or None."""
    return connection.execute(
        select(case_record)
        .where(case_record.c.person_id == person_id)
        .order_by(case_record.c.created_at.desc(), case_record.c.id.desc())
        .limit(1)
    ).first()


def _same_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def find_person(connection: Connection, phone: str, full_name: str | None = None) -> PersonRef:
    """The person with this phone (any Vietnamese form) and, when given, this name (case and
    spacing ignored). Raises PhoneError for a malformed phone, PersonNotFound, or
    AmbiguousPerson when several people share the phone and no name chooses."""
    normalized = normalize_phone(phone)
    rows = connection.execute(
        select(person.c.id, person.c.phone, person.c.full_name)
        .where(person.c.phone == normalized)
        .order_by(person.c.full_name, person.c.id)
    ).all()
    people = [PersonRef(*row) for row in rows]
    if not people:
        raise PersonNotFound(f"no person with phone {normalized}")
    if full_name is not None:
        wanted = _same_name(full_name)
        people = [p for p in people if _same_name(p.full_name) == wanted]
        if not people:
            known = ", ".join(row.full_name for row in rows)
            raise PersonNotFound(
                f"no person named {full_name!r} with phone {normalized} (known: {known})"
            )
    if len(people) > 1:
        raise AmbiguousPerson(normalized, [p.full_name for p in people])
    return people[0]
