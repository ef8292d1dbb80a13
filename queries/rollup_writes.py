"""The rollups a batch of check-ins is added to, in the writer's transaction: counts per venue
and hour (venue_hour), ward and hour (ward_hour), venue and local day (venue_day), ward and day
(ward_day), and the days each venue was active (venue_activity). Summed in pandas from the
batch, then one upsert per rollup."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from db.arrays import pg_array
from db.frame_loads import frame_records
from db.partitions import day_start
from db.schema import ACTIVITY_BLOCK_DAYS
from rules.local_time import local_day_number


def add_to_rollups(connection: Connection, frame: pd.DataFrame, wards: dict[int, str]) -> None:
    """Add the batch's counts to venue_hour, ward_hour, venue_day and ward_day, and its days to
    venue_activity: summed (or OR-ed) here, one upsert each."""
    risk = frame["risk_level"].to_numpy()
    counts = (
        pd.DataFrame(
            {
                "venue_id": frame["venue_id"].to_numpy(),
                "hour_start": frame["checked_in_at"].to_numpy() // 3600 * 3600,
                "checkins": np.ones(len(frame), dtype=np.int64),
                "at_risk": (risk >= 1).astype(np.int64),
                "high_risk": (risk >= 2).astype(np.int64),
            }
        )
        .groupby(["venue_id", "hour_start"], sort=True)
        .sum()
        .reset_index()
    )
    figures = ["checkins", "at_risk", "high_risk"]
    by_ward = (
        counts.assign(ward_code=counts["venue_id"].map(wards))
        .groupby(["ward_code", "hour_start"], sort=True)[figures]
        .sum()
        .reset_index()
    )
    by_day = (
        counts.assign(
            day_start=day_start(counts["hour_start"].to_numpy()),
            first_hour_start=counts["hour_start"],
        )
        .groupby(["day_start", "venue_id"], sort=True)
        .agg(
            checkins=("checkins", "sum"),
            at_risk=("at_risk", "sum"),
            high_risk=("high_risk", "sum"),
            first_hour_start=("first_hour_start", "min"),
        )
        .reset_index()
    )
    by_ward_day = (
        by_ward.assign(day_start=day_start(by_ward["hour_start"].to_numpy()))
        .groupby(["day_start", "ward_code"], sort=True)[figures]
        .sum()
        .reset_index()
    )
    # In the key's order (hour first), as every writer does: new hours append to the index.
    by_hour = counts.sort_values(["hour_start", "venue_id"], kind="stable")
    _upsert_counts(connection, "venue_hour", ("hour_start", "venue_id"), by_hour)
    _upsert_counts(connection, "ward_hour", ("ward_code", "hour_start"), by_ward)
    _upsert_counts(connection, "venue_day", ("day_start", "venue_id"), by_day)
    _upsert_counts(connection, "ward_day", ("day_start", "ward_code"), by_ward_day)
    _upsert_activity(connection, by_day["venue_id"].to_numpy(), by_day["day_start"].to_numpy())


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


def _upsert_activity(connection: Connection, venue_ids: np.ndarray, day_starts: np.ndarray) -> None:
    """OR the venues' days into venue_activity. A row whose bits are all set already is only
    read (no new row version, no index entry, no row lock): after a day's first check-ins at
    a venue, every later batch of that day would otherwise rewrite the row for nothing, and
    ON CONFLICT DO UPDATE locks the rows its WHERE leaves alone (a lock is a page write)."""
    blocks, venues, days = _activity_bits(venue_ids, day_starts)
    if not len(blocks):
        return
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "INSERT INTO venue_activity (block, venue_id, days) SELECT * FROM "
            "unnest(%(block)s::int[], %(venue_id)s::bigint[], %(days)s::bigint[]) "
            "AS n (block, venue_id, days) WHERE NOT EXISTS (SELECT FROM venue_activity a "
            "WHERE a.block = n.block AND a.venue_id = n.venue_id AND a.days & n.days = n.days) "
            "ON CONFLICT (block, venue_id) "
            "DO UPDATE SET days = venue_activity.days | excluded.days "
            "WHERE venue_activity.days | excluded.days <> venue_activity.days",
            {
                "block": pg_array(blocks.tolist()),
                "venue_id": pg_array(venues.tolist()),
                "days": pg_array(days.tolist()),
            },
        )
        return
    connection.exec_driver_sql(
        "INSERT INTO venue_activity (block, venue_id, days) VALUES (?, ?, ?) "
        "ON CONFLICT (block, venue_id) "
        "DO UPDATE SET days = venue_activity.days | excluded.days "
        "WHERE venue_activity.days | excluded.days <> venue_activity.days",
        list(zip(blocks.tolist(), venues.tolist(), days.tolist(), strict=True)),
    )


_KEY_TYPES = {"venue_id": "bigint", "hour_start": "bigint", "day_start": "bigint"}


def _upsert_counts(
    connection: Connection, table: str, key: tuple[str, str], counts: pd.DataFrame
) -> None:
    """Add the counts to the rollup's rows (creating the missing ones); a first_hour_start
    column keeps the earlier of the stored and the new hour."""
    figures = ("checkins", "at_risk", "high_risk")
    earliest = ("first_hour_start",) if "first_hour_start" in counts else ()
    columns = [*key, *figures, *earliest]
    smaller = "least" if connection.dialect.name == "postgresql" else "min"
    updates = [f"{c} = {table}.{c} + excluded.{c}" for c in figures] + [
        f"{c} = {smaller}({table}.{c}, excluded.{c})" for c in earliest
    ]
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(updates)}"
    # Table and column names are ours; the rows go as parameters.
    if connection.dialect.name == "postgresql":
        types = {**_KEY_TYPES, "ward_code": "text", "first_hour_start": "bigint"}
        arrays = ", ".join(f"%({c})s::{types.get(c, 'int')}[]" for c in columns)
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "  # noqa: S608
            + conflict,
            {c: pg_array(counts[c].tolist()) for c in columns},
        )
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) " + conflict,  # noqa: S608
        frame_records(counts[columns]),
    )
