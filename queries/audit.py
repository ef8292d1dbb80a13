"""The audit log: every view or export of personal data, and every trace, with its purpose.

What a row is about (its subject) is written as English text, as it always was: forensic
exports read it, and rows written before subjects had keys have only it. A row written with a
Subject also keeps the subject's key and values, so that the administration page says it in its
reader's language: the sentences are the catalogue's audit.subject.<key> (i18n/labels.py), and
the English one is the text written. Values are numbers, codes, references and dates, never a
name, a phone or an ID number.
"""

from __future__ import annotations

import operator
import string
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import Connection, select

from db.schema import audit_log
from i18n.labels import LABELS, label

ACTIONS = (
    "view",
    "export",
    "trace",
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "setup_code_failed",
    "create_first_admin",
    "wall_screen.add",
    "wall_screen.revoke",
    "purge",
    "import",
    "edit",
    "api.checkins",
    "api_key.create",
    "api_key.revoke",
)


# Values that are codes: a reader of another language than English reads them by their label.
CODED_VALUES = {"role": "role", "status": "status"}


class Subject(NamedTuple):
    """What an audit row is about: a key of the catalogue and the values its sentence names."""

    key: str  # audit.subject.<key>
    values: dict[str, str | int]


def about(key: str, /, **values: str | int) -> Subject:
    """The subject of that key with its values; both must be those of its sentence (a value
    may be named key too: the API key a row is about)."""
    try:
        english = LABELS[f"audit.subject.{key}"][1]
    except KeyError:
        raise ValueError(f"no audit subject {key!r} in the catalogue") from None
    named = {name for _, name, _, _ in string.Formatter().parse(english) if name}
    if named != set(values):
        raise ValueError(f"audit subject {key!r} names {sorted(named)}, given {sorted(values)}")
    # Numbers as plain ints (an id may come as a numpy integer, which JSON does not take).
    return Subject(
        key, {name: v if isinstance(v, str) else operator.index(v) for name, v in values.items()}
    )


def subject_text(
    language: str, text: str, key: str | None = None, values: dict[str, Any] | None = None
) -> str:
    """A row's subject for a reader: in English, the text written; in another language, its
    key's sentence, or the text written when the row has no key (written before keys)."""
    if not isinstance(key, str) or language == "en" or f"audit.subject.{key}" not in LABELS:
        return text
    shown = {
        name: label(f"{CODED_VALUES[name]}.{value}", language) if name in CODED_VALUES else value
        for name, value in (values or {}).items()
    }
    try:
        return label(f"audit.subject.{key}", language, **shown)
    except (KeyError, IndexError, ValueError):  # a sentence changed since the row was written
        return text


def record(
    connection: Connection,
    username: str,
    action: str,
    subject: str | Subject,
    *,
    case_id: int | None = None,
    purpose: str = "",
    row_count: int = 0,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    """Write one audit record (in the caller's transaction). A Subject is written as its
    English text, with its key and values; a plain text subject as it is, without a key."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    key: str | None = None
    values: dict[str, str | int] | None = None
    if isinstance(subject, Subject):
        key, values = subject.key, subject.values
        subject = label(f"audit.subject.{key}", "en", **values)
    connection.execute(
        audit_log.insert().values(
            at=at or datetime.now(UTC),
            username=username,
            action=action,
            subject=subject[:200],
            subject_key=key,
            subject_values=values,
            case_id=case_id,
            purpose=purpose[:300],
            row_count=row_count,
            detail=detail,
        )
    )


def list_audit(
    connection: Connection,
    since: datetime,
    until: datetime,
    username: str | None = None,
    action: str | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    query = (
        select(
            audit_log.c.at,
            audit_log.c.username,
            audit_log.c.action,
            audit_log.c.subject,
            audit_log.c.subject_key,
            audit_log.c.subject_values,
            audit_log.c.case_id,
            audit_log.c.purpose,
            audit_log.c.row_count,
        )
        .where(audit_log.c.at >= since, audit_log.c.at < until)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .limit(limit)
    )
    if username:
        query = query.where(audit_log.c.username == username)
    if action:
        query = query.where(audit_log.c.action == action)
    rows = connection.execute(query).fetchall()
    return pd.DataFrame(
        rows,
        columns=[
            "at",
            "username",
            "action",
            "subject",
            "subject_key",
            "subject_values",
            "case_id",
            "purpose",
            "row_count",
        ],
    )
