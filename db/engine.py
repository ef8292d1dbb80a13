"""Engines for both databases, configured for many readers and many concurrent writers.

SQLite (the embedded default) runs in WAL mode: readers never block the writer nor each other.
It has one writer at a time, and a transaction that reads and then writes cannot wait for the
lock: if another writer committed after its read began, SQLite answers "database is locked" at
once, without the busy timeout (the snapshot it read is stale). So every explicit transaction
(``engine.begin()``, ``connection.begin()``: the write path, audit rows, imports, purge) starts
with ``BEGIN IMMEDIATE``, taking the write lock before it reads, and waits for it within the busy
timeout. A transaction that a statement opens by itself (``engine.connect()`` then ``execute``:
the dashboards' reads) stays a deferred ``BEGIN`` and never waits for writers.

Within one process the writers also queue on a lock of ours before ``BEGIN IMMEDIATE``: SQLite's
busy handler polls with growing sleeps, so many threads waiting on it leave the database idle
between writers; a queue hands the lock over at once. Other processes (the CLI, a second server)
still meet at SQLite's own lock and its busy timeout.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

SQLITE_BUSY_TIMEOUT_MS = 15_000

_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()


def _write_lock(database: str) -> threading.Lock:
    with _write_locks_guard:
        return _write_locks.setdefault(database, threading.Lock())


class SqliteConnection(Connection):
    """A connection whose explicit transactions are write transactions (see the module)."""

    _begins_by_itself = False
    _holds_write_lock = False

    def _autobegin(self) -> None:
        self._begins_by_itself = True
        try:
            super()._autobegin()
        finally:
            self._begins_by_itself = False

    def _begin_transaction(self) -> None:
        """Called from the engine's "begin" event: BEGIN, or the write lock then BEGIN
        IMMEDIATE."""
        if self._begins_by_itself:
            self.exec_driver_sql("BEGIN")
            return
        lock = _write_lock(self.engine.url.database or ":memory:")
        if not lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise OperationalError(
                "BEGIN IMMEDIATE", None, TimeoutError("database is busy (waited for writers)")
            )
        self._holds_write_lock = True
        try:
            self.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            _write_lock(self.engine.url.database or ":memory:").release()

    # The lock is handed on only once COMMIT or ROLLBACK has run: released earlier, the next
    # writer would meet SQLite's lock and sleep in its busy handler.
    def _commit_impl(self) -> None:
        try:
            super()._commit_impl()
        finally:
            self._release_write_lock()

    def _rollback_impl(self) -> None:
        try:
            super()._rollback_impl()
        finally:
            self._release_write_lock()


def make_engine(
    database_url: str, pool_size: int = 5, max_overflow: int = 5, pre_ping: bool = True
) -> Engine:
    """An engine for the URL (see the module for SQLite's transactions). Connections beyond
    pool_size (up to max_overflow more) are opened for a burst and closed after it. Without
    pre_ping, a connection the server dropped fails the statement that meets it (the caller
    retries: web.context.in_database_thread) instead of costing a round trip per checkout."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_pre_ping=pre_ping
        )
        engine._connection_cls = SqliteConnection  # SQLAlchemy's hook for its Connection class
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; ours says which kind.
        event.listen(engine, "begin", lambda connection: connection._begin_transaction())
        return engine
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg2")
    return create_engine(
        url, pool_pre_ping=pre_ping, pool_size=pool_size, max_overflow=max_overflow
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    dbapi_connection.isolation_level = None  # autocommit at the driver; BEGIN is ours
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
