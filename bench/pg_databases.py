"""Dropping a PostgreSQL database that sessions may still hold, as the role kbyt (no superuser).

`DROP DATABASE … WITH (FORCE)` fails for such a role when an autovacuum worker is in the
database ("must be a member of the role whose process is being terminated"): it lost a
benchmark's figures once. A plain DROP stops autovacuum by itself; what holds it otherwise are
our own pooled sessions, which may be ended. Used by the benchmarks and the tests' fixtures."""

from __future__ import annotations

import time

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

ATTEMPTS = 10


def end_own_sessions(connection: Connection, name: str) -> None:
    """End our own role's sessions on a database (pooled engines reconnect). Not other roles':
    the autovacuum worker is PostgreSQL's to stop."""
    connection.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid() AND usename = current_user"
        ),
        {"name": name},
    )


def drop_postgres(connection: Connection, name: str) -> None:
    """DROP DATABASE IF EXISTS name, on an AUTOCOMMIT connection to another database: our
    sessions on it are ended first, and a drop refused because one reconnected is tried again
    a moment later."""
    for attempt in range(ATTEMPTS):
        end_own_sessions(connection, name)
        try:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except OperationalError:  # "being accessed by other users"
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
