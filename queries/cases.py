"""Finding cases to trace: by case id, phone or name (accents and case ignored)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Row, select

from db.schema import case_record, person
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


def search_cases(connection: Connection, text: str, limit: int = 50) -> pd.DataFrame:
    """Cases matching a case id, a phone (any form) or words of a name, newest first; the
    newest cases when text is empty."""
    base = (
        select(
            case_record.c.id,
            person.c.id,
            person.c.full_name,
            person.c.phone,
            case_record.c.status,
            case_record.c.onset_date,
            case_record.c.test_date,
            case_record.c.isolated_at,
        )
        .join(person, person.c.id == case_record.c.person_id)
        .order_by(case_record.c.created_at.desc(), case_record.c.id.desc())
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
) -> list[Row[Any]]:
    """Cases newest first: case_id, status, created_at (aware UTC), onset_date, test_date,
    full_name, phone."""
    query = (
        select(
            case_record.c.id.label("case_id"),
            case_record.c.status,
            case_record.c.created_at,
            case_record.c.onset_date,
            case_record.c.test_date,
            person.c.full_name,
            person.c.phone,
        )
        .join(person, person.c.id == case_record.c.person_id)
        .order_by(case_record.c.created_at.desc(), case_record.c.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(case_record.c.status == status)
    return list(connection.execute(query).all())
