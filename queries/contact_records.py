"""The contacts a trace found, recorded for its case (traced_contact): what the follow-up of F1
and F2 contacts works from. The trace itself is queries/trace.py."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, Connection, bindparam, case, select, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.arrays import row_batches, row_params, row_table
from db.dialect import epoch
from db.people_lock import writing_references_to_people
from db.schema import traced_contact
from queries.trace import TraceResult
from queries.trace_contacts import Contacts
from rules.local_time import epoch_seconds

RECORD_COLUMNS = ("person_id", "level", "first_at")
RECORD_BATCH = 100_000


@cache
def _record_statement(dialect: str) -> Any:
    """Contacts of a case as rows (see db.arrays.row_table) into traced_contact: one INSERT … SELECT
    per batch, so an F2 of a million contacts is stored in seconds, not row by row. A person
    already recorded keeps the lowest level and the earliest exposure."""
    found = row_table(dialect, "found", RECORD_COLUMNS)
    insert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(traced_contact)
    statement = insert.from_select(
        ["case_id", "person_id", "level", "first_exposure_at", "traced_at"],
        # WHERE true: SQLite would read the ON of ON CONFLICT as a join condition without it.
        select(
            bindparam("case_id", type_=BigInteger),
            found.c.person_id,
            found.c.level,
            found.c.first_at,
            bindparam("traced_at", type_=BigInteger),
        ).where(true()),
    )
    new, old = statement.excluded, traced_contact.c
    return statement.on_conflict_do_update(
        index_elements=["case_id", "person_id"],
        set_={
            "level": case((new.level < old.level, new.level), else_=old.level),
            "first_exposure_at": case(
                (epoch(new.first_exposure_at) < epoch(old.first_exposure_at),
                 new.first_exposure_at),
                else_=old.first_exposure_at,
            ),
            "traced_at": new.traced_at,
        },
    )  # fmt: skip


def record_contacts(
    connection: Connection, case_id: int, result: TraceResult, now: datetime | None = None
) -> int:
    """Store the trace's contacts for the case; a person already recorded keeps the lowest
    level and the earliest exposure. Returns the number of contacts written."""
    traced_at = epoch_seconds(now or datetime.now(UTC))
    writing_references_to_people(connection)
    if isinstance(result.contacts, Contacts):  # no Contact objects needed
        columns = result.contacts.columns()
    else:
        contacts = list(result.contacts)
        columns = (
            np.array([c.person_id for c in contacts], dtype=np.int64),
            np.array([c.level for c in contacts], dtype=np.int64),
            np.array([epoch_seconds(c.first_exposure) for c in contacts], dtype=np.int64),
        )
    dialect = connection.dialect.name
    for batch in row_batches(columns, RECORD_BATCH):
        params = row_params(dialect, "found", RECORD_COLUMNS, batch)
        connection.execute(
            _record_statement(dialect), {**params, "case_id": case_id, "traced_at": traced_at}
        )
    return len(columns[0])
