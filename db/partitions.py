"""Daily range partitions of the check-in table on PostgreSQL; SQLite keeps one table.

On PostgreSQL ``checkin`` is declared ``PARTITION BY RANGE (checked_in_at)`` (migration 0005)
with one partition per local day (Asia/Ho_Chi_Minh midnight: UTC+7 all year, no daylight
saving), named ``checkin_pYYYYMMDD``. Why a day (see docs/scaling.md): retention drops whole
days and deletes at most one day's leftover rows; a trace probe reads at most a day either side
of a visit (presence is capped at 24 hours), so it touches one to three partitions; and a
day's indexes (about 1.4 million check-ins at 2021 volumes) stay in memory while it is written.

Partitions are made on demand: the write path calls ``ensure_partitions`` for the days of its
batch, and ``manage.py partitions ensure`` creates the coming days ahead. A partition is created
as a plain table and then ATTACHed, which locks the parent only in SHARE UPDATE EXCLUSIVE
mode: readers and other writers go on (CREATE TABLE … PARTITION OF would lock them all out
until the writer commits). There is no default partition: a row for a day without a
partition, written around the write path, fails with PostgreSQL's "no partition of relation
"checkin" found for row"; the write path itself refuses a batch that would need more than
MAX_NEW_PER_BATCH new days, with a sentence saying what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Connection

from db.dialect import epoch
from rules.local_time import DAY_S, LOCAL_OFFSET_S, day_number_start, local_day_number

PARENT = "checkin"
PREFIX = f"{PARENT}_p"
# A batch whose rows fall on more days without a partition than this is refused: one chunk of
# a time-ordered import spans a few days at most, and thousands of tiny partitions would slow
# every query's planning. Create such ranges explicitly (manage.py partitions ensure).
MAX_NEW_PER_BATCH = 62


class PartitionError(ValueError):
    pass


@dataclass(frozen=True)
class Partition:
    name: str
    day: date
    lower: int  # epoch seconds, inclusive
    upper: int  # epoch seconds, exclusive


def local_day(epoch: int) -> date:
    return date(1970, 1, 1) + timedelta(days=local_day_number(int(epoch)))


def day_start(epochs: Any) -> Any:
    """The local midnight (epoch seconds) of instants: an int, a numpy array, or an integer SQL
    expression alike. The daily rollups are keyed by it."""
    return day_number_start(local_day_number(epochs))


def local_day_of(instant: Any, offset_s: int = LOCAL_OFFSET_S) -> ColumnElement[int]:
    """SQL: the local day of a UtcInstant column as days since 1970-01-01 (local_day_number),
    offset_s from UTC: the city's day by default, another zone's where a caller has one."""
    day: ColumnElement[int] = local_day_number(epoch(instant), offset_s)
    return day


def day_start_of(instant: Any) -> ColumnElement[int]:
    """SQL: the city's local midnight (epoch seconds) of a UtcInstant column, as day_start."""
    start: ColumnElement[int] = day_start(epoch(instant))
    return start


def day_bounds(day: date) -> tuple[int, int]:
    """[lower, upper) of the local day in epoch seconds."""
    lower = int(day_number_start((day - date(1970, 1, 1)).days))
    return lower, lower + DAY_S


def partition_name(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def is_partitioned(connection: Connection) -> bool:
    """Whether checkin is a partitioned table (PostgreSQL after migration 0005)."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(
        connection.exec_driver_sql(
            "SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass(%(name)s)",
            {"name": PARENT},
        ).scalar()
    )


def days_of(epochs: Iterable[int] | np.ndarray) -> list[date]:
    """The distinct local days of some instants (epoch seconds), in order."""
    values = np.asarray(epochs if isinstance(epochs, np.ndarray) else list(epochs), np.int64)
    if values.size == 0:
        return []
    numbers = np.unique(local_day_number(values))
    origin = date(1970, 1, 1)
    return [origin + timedelta(days=int(n)) for n in numbers]


def _existing(connection: Connection, names: list[str]) -> set[str] | None:
    """Which of the named partitions exist; None when checkin is not partitioned."""
    row = connection.exec_driver_sql(
        "SELECT p.relkind = 'p', ARRAY(SELECT c.relname FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = p.oid AND c.relname = ANY(%(names)s)) "
        "FROM pg_class p WHERE p.oid = to_regclass(%(parent)s)",
        {"names": names, "parent": PARENT},
    ).one_or_none()
    if row is None or not row[0]:
        return None
    return set(row[1])


def ensure_partitions(
    connection: Connection, epochs: Iterable[int] | np.ndarray, limit: int = MAX_NEW_PER_BATCH
) -> list[str]:
    """Create the missing daily partitions for the local days of these instants, in the
    caller's transaction; returns the names created. A no-op on SQLite and on an unpartitioned
    table. Raises PartitionError when more than `limit` days lack a partition."""
    if connection.dialect.name != "postgresql":
        return []
    days = days_of(epochs)
    if not days:
        return []
    names = [partition_name(day) for day in days]
    existing = _existing(connection, names)
    if existing is None:
        return []
    missing = [day for day, name in zip(days, names, strict=True) if name not in existing]
    if not missing:
        return []
    if len(missing) > limit:
        raise PartitionError(
            f"the check-ins fall on {len(missing)} days without a partition "
            f"({missing[0]} … {missing[-1]}), more than {limit} for one batch: write them in "
            f"time order, or create the days first with `python manage.py partitions ensure "
            f"--from {missing[0]} --to {missing[-1]}`"
        )
    # One creator at a time; readers and inserts are not blocked by this mode.
    connection.exec_driver_sql(f"LOCK TABLE {PARENT} IN SHARE UPDATE EXCLUSIVE MODE")
    existing = _existing(connection, [partition_name(day) for day in missing]) or set()
    created = []
    for day in missing:
        name = partition_name(day)
        if name in existing:
            continue  # another writer made it while we waited for the lock
        lower, upper = day_bounds(day)
        connection.exec_driver_sql(
            f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        connection.exec_driver_sql(
            f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM ({lower}) TO ({upper})"
        )
        created.append(name)
    return created


def ensure_days(connection: Connection, first: date, last: date) -> list[str]:
    """Create the partitions of the local days first..last (inclusive)."""
    if last < first:
        raise PartitionError(f"{last} is before {first}")
    count = (last - first).days + 1
    starts = [day_bounds(first + timedelta(days=i))[0] for i in range(count)]
    return ensure_partitions(connection, starts, limit=max(count, MAX_NEW_PER_BATCH))


_BOUND = re.compile(r"FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)")


def list_partitions(connection: Connection) -> list[Partition]:
    """The partitions of checkin by time (empty on SQLite or an unpartitioned table)."""
    if not is_partitioned(connection):
        return []
    rows = connection.exec_driver_sql(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%(parent)s)",
        {"parent": PARENT},
    ).all()
    found = []
    for name, bound in rows:
        match = _BOUND.search(bound or "")
        if match is None:
            raise PartitionError(f"partition {name} has an unexpected bound: {bound}")
        lower, upper = int(match[1]), int(match[2])
        found.append(Partition(name, local_day(lower), lower, upper))
    return sorted(found, key=lambda p: p.lower)


def partitions_before(connection: Connection, cutoff: datetime) -> list[Partition]:
    """Partitions whose every row is older than cutoff (their upper bound is at or before it)."""
    limit = int(cutoff.astimezone(UTC).timestamp())
    return [p for p in list_partitions(connection) if p.upper <= limit]


def drop_partitions(connection: Connection, partitions: Iterable[Partition]) -> int:
    """Drop whole partitions in the caller's transaction; returns the rows they held.

    DROP locks checkin exclusively until the transaction ends: call it last."""
    rows = 0
    for partition in partitions:
        if not partition.name.startswith(PREFIX):
            raise PartitionError(f"not a check-in partition: {partition.name}")
        count = f"SELECT count(*) FROM {partition.name}"  # noqa: S608 - our own name
        rows += connection.exec_driver_sql(count).scalar() or 0
        connection.exec_driver_sql(f"DROP TABLE {partition.name}")
    return int(rows)
