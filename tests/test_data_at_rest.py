"""Personal data at rest: the SQLite database and its WAL are private to the app's account.

PostgreSQL keeps its files in the server's own data directory (0700, owned by the server), so
the file modes below are SQLite's alone.
"""

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import make_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common umask 022, under which files are created 0644 unless asked otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_database_its_wal_and_shm_are_0600_in_a_new_0700_folder(tmp_path, usual_umask):
    database = tmp_path / "new" / "data" / "kbyt.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (body TEXT)"))
        connection.execute(text("INSERT INTO note VALUES ('Nguyễn Văn A, 0903000000')"))
    with engine.connect():  # the WAL and its index exist while a connection is open
        modes = {
            name: mode(database.with_name(name))
            for name in ("kbyt.db", "kbyt.db-wal", "kbyt.db-shm")
        }
    engine.dispose()
    assert modes == {"kbyt.db": 0o600, "kbyt.db-wal": 0o600, "kbyt.db-shm": 0o600}
    assert (mode(tmp_path / "new"), mode(tmp_path / "new" / "data")) == (0o700, 0o700)


def test_an_existing_world_readable_database_is_made_0600_on_connect(tmp_path, usual_umask):
    """A database an earlier version made 0644, with its WAL left 0644 by a crash."""
    tmp_path.chmod(0o750)
    database = tmp_path / "kbyt.db"
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE note (body TEXT)")
    writer.commit()
    wal = database.with_name("kbyt.db-wal")
    before = (mode(database), mode(wal))
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM note"))
        after = {path.name: mode(path) for path in sorted(tmp_path.iterdir())}
    engine.dispose()
    writer.close()
    assert before == (0o644, 0o644)
    assert after == {"kbyt.db": 0o600, "kbyt.db-shm": 0o600, "kbyt.db-wal": 0o600}
    assert mode(tmp_path) == 0o750  # a folder the app did not make keeps its mode
