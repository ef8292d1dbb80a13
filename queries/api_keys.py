"""Keys of partner systems for the ingest API. The plain key is shown once, when it is made;
only its SHA-256 digest is kept (a key is 256 random bits, so a slow hash would add nothing),
with a short prefix that lets an operator tell keys apart and revoke one."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, or_, select, update

from db.schema import api_key
from ingest.imports import checked_source

KEY_START = "kbyt_"
PREFIX_LENGTH = 12  # "kbyt_" and 7 random characters: about 42 bits, enough to tell keys apart
MAX_KEY_LENGTH = 200  # anything longer is not a key of ours and is not even hashed
# last_used_at is for the operator ("is this partner still sending?"): a minute is precise
# enough, and writing it on every request would make every request a write.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A revocation that names no single key; the message says why."""


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def create_api_key(
    connection: Connection,
    source: str,
    created_by: str,
    note: str = "",
    now: datetime | None = None,
) -> str:
    """Store a new key for source and return it: the only time it exists in plain text.
    The source follows the importer's rule (ImportFileError otherwise)."""
    source = checked_source(source)
    key = KEY_START + secrets.token_urlsafe(32)
    connection.execute(
        api_key.insert().values(
            source=source,
            prefix=key[:PREFIX_LENGTH],
            digest=key_digest(key),
            note=" ".join(note.split())[:200],
            created_at=now or datetime.now(UTC),
            created_by=created_by[:64],
        )
    )
    return key


def revoke_api_key(connection: Connection, prefix_or_id: str, now: datetime) -> bool:
    """Revoke the active key with this id, prefix (or whole key); False when there is none.
    A prefix shared by two active keys is refused rather than guessed (ApiKeyError)."""
    text = prefix_or_id.strip()
    if text.isdigit():
        match = api_key.c.id == int(text)
    elif len(text) > PREFIX_LENGTH:
        match = api_key.c.digest == key_digest(text)
    else:
        match = api_key.c.prefix == text
    ids = connection.scalars(
        select(api_key.c.id).where(match, api_key.c.revoked_at.is_(None))
    ).all()
    if len(ids) > 1:
        raise ApiKeyError(f"{len(ids)} active keys start with {text!r}: give the key's id")
    if not ids:
        return False
    connection.execute(update(api_key).where(api_key.c.id == ids[0]).values(revoked_at=now))
    return True


def list_api_keys(connection: Connection) -> list[Row[*tuple[Any, ...]]]:
    """Every key, revoked ones included, oldest first; never the digest."""
    return list(
        connection.execute(
            select(
                api_key.c.id,
                api_key.c.prefix,
                api_key.c.source,
                api_key.c.note,
                api_key.c.created_at,
                api_key.c.created_by,
                api_key.c.revoked_at,
                api_key.c.last_used_at,
            ).order_by(api_key.c.id)
        )
    )


def source_for_key(connection: Connection, key: str, now: datetime) -> str | None:
    """The source a presented key writes under; None for an unknown or revoked key.

    Call it in a write transaction (engine.begin()) when last_used_at may be written: on
    SQLite a read transaction cannot become a write once another writer has committed."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    found = connection.execute(
        select(api_key.c.id, api_key.c.source, api_key.c.revoked_at, api_key.c.last_used_at).where(
            api_key.c.digest == key_digest(key)
        )
    ).first()
    if found is None or found.revoked_at is not None:
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
        connection.execute(
            update(api_key)
            .where(
                api_key.c.id == found.id,
                or_(
                    api_key.c.last_used_at.is_(None),
                    api_key.c.last_used_at <= now - LAST_USED_PRECISION,
                ),
            )
            .values(last_used_at=now)
        )
    source: str = found.source
    return source
