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

The SQLite file holds personal data, so it is private to the account that runs the app: the
database file is created 0600 before SQLite opens it (SQLite gives its -wal and -shm files the
database file's mode), a folder made for it is 0700, and each new connection takes the
group's and others' access off a file found wider (made by an earlier version, or another tool).
"""

from __future__ import annotations

import math
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from config.settings import normalise_database_url

SQLITE_BUSY_TIMEOUT_MS = 15_000
# SQLite calls the progress handler every this many virtual-machine steps (a few microseconds
# of work each): often enough to stop within a millisecond or so, rare enough to cost nothing.
SQLITE_PROGRESS_STEPS = 10_000
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
SQLITE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")

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


# A check the command line runs once, before the first engine is made (manage.py: a database
# that cannot be used is one line, after the command has checked its own arguments).
_before_first_engine: list[Callable[[str], None]] = []


def check_before_first_engine(check: Callable[[str], None]) -> None:
    """Run check(database_url) once, before the next make_engine() makes its engine; check
    raises to refuse (the CLI: a missing SQLite file for a command that must not create it)."""
    _before_first_engine[:] = [check]


def driver_url(database_url: str) -> URL:
    """The URL as an engine connects to it: postgres:// read as postgresql://, and PostgreSQL
    through psycopg2, the driver installed (SQLAlchemy 2.1 reads a bare postgresql:// as
    psycopg 3)."""
    url = make_url(normalise_database_url(database_url))
    if url.drivername == "postgresql":
        return url.set(drivername="postgresql+psycopg2")
    return url


def make_engine(
    database_url: str,
    pool_size: int = 5,
    max_overflow: int = 5,
    pre_ping: bool = True,
    query_timeout_s: float | None = None,
) -> Engine:
    """An engine for the URL (see the module for SQLite's transactions). Connections beyond
    pool_size (up to max_overflow more) are opened for a burst and closed after it. Without
    pre_ping, a connection the server dropped fails the statement that meets it (the caller
    retries: web.context.in_database_thread) instead of costing a round trip per checkout.

    query_timeout_s bounds each statement (the dashboard's engine: settings.query_timeout_s);
    None, the default, sets no limit, for the CLI, imports, migrations, the demo city and the
    benchmarks. It is set when a connection is made, never per statement: PostgreSQL's
    statement_timeout in the connection's options, SQLite's progress handler (see
    _limit_sqlite_statements). A statement cut off raises an error that is_query_timeout()
    recognises."""
    if _before_first_engine:
        _before_first_engine.pop()(database_url)
    url = driver_url(database_url)
    if url.get_backend_name() == "sqlite":
        database_file = _database_file(url.database)
        if database_file is not None:
            _private_folder(database_file.parent)
            _private_database_file(database_file)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_pre_ping=pre_ping
        )
        engine._connection_cls = SqliteConnection  # SQLAlchemy's hook for its Connection class
        event.listen(engine, "connect", _sqlite_pragmas)
        if database_file is not None:
            event.listen(engine, "connect", lambda *_: _keep_private(database_file))
        # pysqlite's own transaction handling defers BEGIN; ours says which kind.
        event.listen(engine, "begin", lambda connection: connection._begin_transaction())
        if query_timeout_s is not None:
            _limit_sqlite_statements(engine, query_timeout_s)
        return engine
    connect_args = {}
    if query_timeout_s is not None:
        # Sent once with the connection's start-up packet: no statement of its own.
        connect_args["options"] = f"-c statement_timeout={max(1, round(query_timeout_s * 1000))}"
    engine = create_engine(
        url,
        pool_pre_ping=pre_ping,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args=connect_args,
    )
    event.listen(engine, "connect", _citus_session)
    return engine


def _citus_session(dbapi_connection: Any, connection_record: Any) -> None:
    """On a Citus coordinator, modify shards over one connection per worker. Citus refuses to
    write a table with a foreign key to a reference table (cases, alerts: Citus "local" tables,
    db/citus.py) in a transaction that wrote shards in parallel, which an import, a partner's
    request or the demo city does (check-ins of many venues, then alerts or cases). Recorded in
    the connection's info for db.dialect.is_citus."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")
    citus = bool(cursor.fetchone()[0])
    if citus:
        cursor.execute("SET citus.multi_shard_modify_mode TO 'sequential'")
    cursor.close()
    dbapi_connection.commit()
    connection_record.info["citus"] = citus


def _limit_sqlite_statements(engine: Engine, timeout_s: float) -> None:
    """Interrupt a SQLite statement that runs longer than timeout_s.

    Each connection gets a progress handler reading a deadline kept beside the connection;
    each statement sent through SQLAlchemy sets the deadline (a clock read in Python, no call
    into SQLite); a handler answering true makes SQLite stop the statement with "interrupted".
    The deadline is cleared when the connection returns to the pool, so a connection never
    carries an old deadline into its next use."""

    @event.listens_for(engine, "connect")
    def _install(dbapi_connection, record) -> None:  # noqa: ANN001
        deadline = [math.inf]
        record.info["query_deadline"] = deadline
        dbapi_connection.set_progress_handler(
            lambda: time.monotonic() > deadline[0], SQLITE_PROGRESS_STEPS
        )

    @event.listens_for(engine, "before_cursor_execute")
    def _start(connection, *_) -> None:  # noqa: ANN001
        deadline = connection.connection.info.get("query_deadline")
        if deadline is not None:
            deadline[0] = time.monotonic() + timeout_s

    @event.listens_for(engine, "checkin")
    def _clear(_dbapi_connection, record) -> None:  # noqa: ANN001
        deadline = record.info.get("query_deadline")
        if deadline is not None:
            deadline[0] = math.inf


def is_query_timeout(error: BaseException) -> bool:
    """Whether the error is a statement stopped by the time limit of make_engine: PostgreSQL's
    query_canceled (SQLSTATE 57014, statement_timeout) or SQLite's "interrupted"."""
    original = error.orig if isinstance(error, DBAPIError) else error
    if getattr(original, "pgcode", None) == "57014":
        return True
    return isinstance(original, sqlite3.OperationalError) and str(original) == "interrupted"


def _database_file(database: str | None) -> Path | None:
    """The file of a SQLite URL's database; None for an in-memory one."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _private_folder(folder: Path) -> None:
    """Make the folder and its missing parents, each new one 0700; existing ones are left."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # another process made it first
            continue
        new.chmod(PRIVATE_FOLDER)  # mkdir's mode is cut by the umask


def _private_database_file(path: Path) -> None:
    """Create the database file empty and 0600 (SQLite takes an empty file as a new database),
    so that SQLite itself never creates it with its 0644."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass
    _keep_private(path)


def _keep_private(database_file: Path) -> None:
    """Take the group's and others' permissions off the database file and its -wal, -shm and
    -journal files. A file that is not ours to change is left as it is."""
    for suffix in SQLITE_FILE_SUFFIXES:
        path = database_file.with_name(database_file.name + suffix)
        try:
            current = stat.S_IMODE(path.stat().st_mode)
            if current & 0o077:
                path.chmod(current & PRIVATE_FILE)
        except (FileNotFoundError, PermissionError):
            continue


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    dbapi_connection.isolation_level = None  # autocommit at the driver; BEGIN is ours
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
