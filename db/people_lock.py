"""Writers that refer to people, and the purge that deletes the people nothing refers to, take
turns on PostgreSQL.

A writer finds a person (by phone and name, or by id) and then, in the same transaction,
stores something that refers to them: a check-in, a case, a follow-up, a traced contact. The
purge decides whom nothing refers to with the rows committed when its DELETE starts. Without
turns, a returning visitor whose only check-in is a month old, found by a declaration while
the nightly purge runs, was deleted under the declaration's uncommitted check-in, which then
pointed at no one (check-ins have no foreign key to person; the tables that have one made the
purge fail instead).

So each writer takes a shared transaction lock before it looks people up, and the purge takes
the same lock exclusively before it deletes anything: it waits for the writers in flight to
commit, and its people's DELETE then sees their rows; writers that come after wait for the
purge to commit, and then find the people it kept, or create anew the ones it deleted.
Writers do not wait for one another. The purge takes its turn first, not just before the
people's DELETE, because a writer holding its turn may then touch a row the purge deletes: an
import of last month's file claims the import keys the purge deletes, and each waited for the
other until PostgreSQL ended one as a deadlock. Writers therefore wait out the whole purge
(its deletes of the expired rows, then of the people, then dropping the expired day
partitions, which lock the check-ins until its commit anyway).

SQLite has one writer at a time: the purge holds the write lock for its whole transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection

# A key of our own among PostgreSQL's advisory locks (b"kbytppl" as a number).
PEOPLE_LOCK_KEY = 0x6B6279_74_70_70_6C


def writing_references_to_people(connection: Connection) -> None:
    """Before a writer looks up, in its transaction, the people it will refer to."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock_shared(%s)", (PEOPLE_LOCK_KEY,))


def deleting_unreferenced_people(connection: Connection) -> None:
    """Before the purge deletes anything; held until its transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (PEOPLE_LOCK_KEY,))
