"""The rollups a batch of check-ins is added to, in the writer's transaction: counts per venue
and hour (venue_hour), ward and hour (ward_hour), venue and local day (venue_day), ward and day
(ward_day), and the days each venue was active (venue_activity). Summed with numpy from the
batch, then one upsert per rollup (on PostgreSQL all five in one statement)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from db.arrays import pg_array
from db.dialect import is_citus
from db.partitions import day_start
from db.schema import ACTIVITY_BLOCK_DAYS
from rules.local_time import local_day_number

# An upsert's parameters: named array literals on PostgreSQL, rows for executemany on SQLite.
_Params = dict[str, str] | list[tuple[object, ...]]


def add_to_rollups(connection: Connection, frame: pd.DataFrame, wards: Mapping[int, str]) -> None:
    """Add the batch's counts to venue_hour, ward_hour, venue_day and ward_day, and its days to
    venue_activity: summed (or OR-ed) here, one upsert each, each in its key's order."""
    risk = frame["risk_level"].to_numpy()
    hours = frame["checked_in_at"].to_numpy().astype(np.int64) // 3600 * 3600
    venues = frame["venue_id"].to_numpy().astype(np.int64)
    figures = {
        "checkins": np.ones(len(frame), dtype=np.int64),
        "at_risk": (risk >= 1).astype(np.int64),
        "high_risk": (risk >= 2).astype(np.int64),
    }
    # In the key's order (hour first), as every writer does: new hours append to the index.
    by_hour = _summed({"hour_start": hours, "venue_id": venues}, figures)
    # Wards as numbers in the order of their codes, so that sorting by number sorts by code.
    present, venue_of_row = np.unique(by_hour["venue_id"], return_inverse=True)
    codes = np.array(sorted({wards[v] for v in present.tolist()}), dtype=object)
    number = {code: i for i, code in enumerate(codes.tolist())}
    ward_numbers = np.array([number[wards[v]] for v in present.tolist()], dtype=np.int64)
    hour_figures = {name: by_hour[name] for name in figures}
    by_ward = _summed(
        {"ward_code": ward_numbers[venue_of_row], "hour_start": by_hour["hour_start"]},
        hour_figures,
    )
    days = day_start(by_hour["hour_start"])
    by_day = _summed(
        {"day_start": days, "venue_id": by_hour["venue_id"]},
        hour_figures,
        earliest={"first_hour_start": by_hour["hour_start"]},
    )
    by_ward_day = _summed(
        {"day_start": day_start(by_ward["hour_start"]), "ward_code": by_ward["ward_code"]},
        {name: by_ward[name] for name in figures},
    )
    for table in (by_ward, by_ward_day):
        table["ward_code"] = codes[table["ward_code"]]
    dialect = connection.dialect.name
    citus = is_citus(connection)
    upserts = [
        _counts_upsert(dialect, "venue_hour", ("hour_start", "venue_id"), by_hour),
        _counts_upsert(dialect, "ward_hour", ("ward_code", "hour_start"), by_ward),
        _counts_upsert(dialect, "venue_day", ("day_start", "venue_id"), by_day),
        _counts_upsert(dialect, "ward_day", ("day_start", "ward_code"), by_ward_day),
        _activity_upsert(dialect, by_day["venue_id"], by_day["day_start"], citus=citus),
    ]
    if citus:
        # Citus plans neither several modifying CTEs nor a correlated subquery beside unnest:
        # one statement per rollup, in the same table order as the single statement below.
        for sql, named in upserts:
            connection.exec_driver_sql(sql, cast("dict[str, str]", named))
        return
    if dialect == "postgresql":
        # One statement, its parameters encoded beforehand: the rollups' rows are the ones
        # concurrent writers share (a ward's hour, a venue's day), and their locks are held from
        # the first upsert to the commit, so no round trip or Python work sits between them.
        # The declarations' writer (queries.checkin_rows) sends its rollups as a statement of
        # the same shape, tables in the same order, so all writers lock rollup rows in one
        # order (PostgreSQL does not promise which, only the same for the same plan shape).
        with_clause = ", ".join(f"u{n} AS ({sql})" for n, (sql, _) in enumerate(upserts))
        params: dict[str, str] = {}
        for _, named in upserts:
            params.update(cast("dict[str, str]", named))
        connection.exec_driver_sql(f"WITH {with_clause} SELECT 1", params)
        return
    for sql, rows in upserts:
        connection.exec_driver_sql(sql, cast("list[tuple[object, ...]]", rows))


def _summed(
    keys: dict[str, np.ndarray],
    figures: dict[str, np.ndarray],
    earliest: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """One row per distinct key, in the keys' order (the first key sorts first): the figures
    summed and the earliest columns' minimum. numpy throughout: on a partner's request of 5,000
    check-ins, pandas' group-bys cost 18 ms of fixed overhead, these about 2 ms."""
    columns = list(keys.values())
    order = np.lexsort(columns[::-1])
    ordered = [column[order] for column in columns]
    if not len(order):
        starts = np.empty(0, dtype=np.int64)
    else:
        changes = np.zeros(len(order), dtype=bool)
        changes[0] = True
        for column in ordered:
            changes[1:] |= column[1:] != column[:-1]
        starts = np.flatnonzero(changes)
    out = {name: column[starts] for name, column in zip(keys, ordered, strict=True)}
    for name, values in figures.items():
        out[name] = np.add.reduceat(values[order], starts) if len(starts) else values[:0]
    for name, values in (earliest or {}).items():
        out[name] = np.minimum.reduceat(values[order], starts) if len(starts) else values[:0]
    return out


def _activity_bits(
    venue_ids: np.ndarray, day_starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(block, venue_id, days) of venue_activity for venues active on days (local midnights,
    as venue_day's day_start): one row per venue and block, its days OR-ed together."""
    number = local_day_number(day_starts.astype(np.int64))
    blocks = number // ACTIVITY_BLOCK_DAYS
    bits = np.left_shift(np.int64(1), number % ACTIVITY_BLOCK_DAYS)
    venues = venue_ids.astype(np.int64)
    order = np.lexsort((venues, blocks))
    blocks, venues, bits = blocks[order], venues[order], bits[order]
    if not len(order):
        return blocks, venues, bits
    starts = np.flatnonzero(np.r_[True, (blocks[1:] != blocks[:-1]) | (venues[1:] != venues[:-1])])
    return blocks[starts], venues[starts], np.bitwise_or.reduceat(bits, starts)


def _activity_upsert(
    dialect: str, venue_ids: np.ndarray, day_starts: np.ndarray, *, citus: bool = False
) -> tuple[str, _Params]:
    """OR the venues' days into venue_activity. A row whose bits are all set already is only
    read (no new row version, no index entry, no row lock): after a day's first check-ins at
    a venue, every later batch of that day would otherwise rewrite the row for nothing, and
    ON CONFLICT DO UPDATE locks the rows its WHERE leaves alone (a lock is a page write)."""
    blocks, venues, days = _activity_bits(venue_ids, day_starts)
    conflict = (
        "ON CONFLICT (block, venue_id) "
        "DO UPDATE SET days = venue_activity.days | excluded.days "
        "WHERE venue_activity.days | excluded.days <> venue_activity.days"
    )
    if dialect == "postgresql":
        return (
            "INSERT INTO venue_activity (block, venue_id, days) SELECT * FROM "  # noqa: S608
            "unnest(%(activity_block)s::int[], %(activity_venue_id)s::bigint[], "
            "%(activity_days)s::bigint[]) AS n (block, venue_id, days) "
            + (
                ""  # Citus cannot correlate a subquery with unnest: the WHERE of the conflict
                if citus  # still leaves set rows unchanged, locking them
                else "WHERE NOT EXISTS (SELECT FROM venue_activity a WHERE a.block = n.block "
                "AND a.venue_id = n.venue_id AND a.days & n.days = n.days) "
            )
            + conflict,
            {
                "activity_block": pg_array(blocks),
                "activity_venue_id": pg_array(venues),
                "activity_days": pg_array(days),
            },
        )
    return (
        "INSERT INTO venue_activity (block, venue_id, days) VALUES (?, ?, ?) " + conflict,  # noqa: S608
        list(zip(blocks.tolist(), venues.tolist(), days.tolist(), strict=True)),
    )


_KEY_TYPES = {"venue_id": "bigint", "hour_start": "bigint", "day_start": "bigint"}


def _counts_upsert(
    dialect: str, table: str, key: tuple[str, str], counts: dict[str, np.ndarray]
) -> tuple[str, _Params]:
    """The upsert adding the counts to the rollup's rows (creating the missing ones), with its
    parameters; a first_hour_start column keeps the earlier of the stored and the new hour."""
    figures = ("checkins", "at_risk", "high_risk")
    earliest = ("first_hour_start",) if "first_hour_start" in counts else ()
    columns = [*key, *figures, *earliest]
    smaller = "least" if dialect == "postgresql" else "min"
    updates = [f"{c} = {table}.{c} + excluded.{c}" for c in figures] + [
        f"{c} = {smaller}({table}.{c}, excluded.{c})" for c in earliest
    ]
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(updates)}"
    # Table and column names are ours; the rows go as parameters.
    if dialect == "postgresql":
        types = {**_KEY_TYPES, "ward_code": "text", "first_hour_start": "bigint"}
        arrays = ", ".join(f"%({table}_{c})s::{types.get(c, 'int')}[]" for c in columns)
        return (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "  # noqa: S608
            + conflict,
            {f"{table}_{c}": pg_array(counts[c]) for c in columns},
        )
    marks = ", ".join("?" for _ in columns)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) " + conflict,  # noqa: S608
        list(zip(*(counts[c].tolist() for c in columns), strict=True)),
    )
