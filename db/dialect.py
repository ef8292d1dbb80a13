"""The few places where SQLite and PostgreSQL need different constructs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Connection, Table, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement


def insert_for(connection: Connection, table: Table) -> Any:
    """An INSERT that supports ON CONFLICT on both engines."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def epoch(column: Any) -> ColumnElement[int]:
    """A UtcInstant column as its plain epoch-seconds integer, for arithmetic in SQL."""
    return type_coerce(column, BigInteger)


def hour_of(column: Any) -> ColumnElement[int]:
    """The UTC hour (as epoch seconds) an instant falls in; integer division on both engines."""
    return (epoch(column) // 3600) * 3600


def is_citus(connection: Connection) -> bool:
    """Whether the database is a Citus coordinator: a few statements take another shape there
    (docs/scaling.md §5). Found when the connection was made (db.engine)."""
    return bool(connection.info.get("citus", False))
