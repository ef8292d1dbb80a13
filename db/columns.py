"""What every table of the schema (db.schema) is built on: the shared MetaData with its naming
convention, the integer key type, and UtcInstant, the instant stored as UTC epoch seconds.

Instants are stored as UTC epoch seconds (BIGINT) on both engines. That keeps time arithmetic
(presence = time in + dwell, hour buckets, local days = UTC hours + 7) plain integer SQL that
runs unchanged on SQLite and PostgreSQL, and keeps the hot (venue, time) index small.
``UtcInstant`` converts at the Python edge: aware datetimes in, aware UTC datetimes out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Dialect, Integer, MetaData
from sqlalchemy.types import TypeDecorator

# Integer primary keys must be plain INTEGER on SQLite to alias its rowid (autoincrement).
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcInstant(TypeDecorator):
    """An instant stored as UTC epoch seconds; naive datetimes are refused, not guessed."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value!r}: give a time zone")
            return int(value.timestamp())
        return int(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromtimestamp(int(value), UTC)
