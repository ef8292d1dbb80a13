"""The write path for a handful of check-ins at one venue and one instant (a declaration).

Same rules as queries.writes (import keys claimed in checkin_key, rows into checkin, the five
rollups added in the caller's transaction, partitions made on PostgreSQL), without building
frames: for one or a few rows the bulk path spent ~60 ms in pandas for ~3 ms of SQL. The
statements are fixed SQL text per dialect, written once below: building them as Core
constructs on every declaration cost more server CPU (statement objects, cache keys) than the
database spent running them. tests/test_declarations.py checks that the rollups equal the
check-ins, as the bulk path keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from db.partitions import day_start, ensure_partitions
from db.people_lock import writing_references_to_people
from db.schema import ACTIVITY_BLOCK_DAYS
from rules.local_time import local_day_number


@dataclass(frozen=True)
class CheckinRow:
    """One check-in to write; person and venue already resolved."""

    person_id: int
    external_id: str
    symptoms: str
    exposures: str
    risk_level: int
    risk_reasons: str
    declared_by_person_id: int | None = None
    # Identity as declared, kept in checkin_identity when any is given.
    id_number: str | None = None
    birth_year: int | None = None
    home_ward_code: str | None = None


def _add_counts(table: str, key: str, values: str, extra: str = "") -> str:
    """An upsert adding the three counts to a rollup row. Names are ours, values parameters."""
    counts = ("checkins", "at_risk", "high_risk")
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts)
    columns = f"{key}, {', '.join(counts)}" + (", first_hour_start" if extra else "")
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({values}, :checkins, :at_risk, :high_risk"  # noqa: S608
        + (", :hour" if extra else "")
        + f") ON CONFLICT ({key}) DO UPDATE SET {added}{extra}"
    )


_ROLLUPS = (
    _add_counts("venue_hour", "hour_start, venue_id", ":hour, :venue_id"),
    _add_counts("ward_hour", "ward_code, hour_start", ":ward_code, :hour"),
    _add_counts(
        "venue_day",
        "day_start, venue_id",
        ":day, :venue_id",
        ", first_hour_start = {least}(venue_day.first_hour_start, excluded.first_hour_start)",
    ),
    _add_counts("ward_day", "day_start, ward_code", ":day, :ward_code"),
    # A row whose day is set already is only read: ON CONFLICT DO UPDATE would lock it (and
    # write the lock to its page) even when its WHERE leaves it alone, and every later
    # declaration at the venue that day would queue behind that lock.
    "INSERT INTO venue_activity (block, venue_id, days) SELECT :block, :venue_id, :days "
    "WHERE NOT EXISTS (SELECT 1 FROM venue_activity WHERE block = :block "
    "AND venue_id = :venue_id AND days & :days = :days) "
    "ON CONFLICT (block, venue_id) DO UPDATE SET days = venue_activity.days | excluded.days "
    "WHERE venue_activity.days | excluded.days <> venue_activity.days",
)
_SQL = {
    "person": "SELECT id FROM person WHERE phone = :phone AND full_name = :full_name",
    "new_person": "INSERT INTO person (phone, full_name, id_number, birth_year, home_ward_code) "
    "VALUES (:phone, :full_name, :id_number, :birth_year, :home_ward_code) "
    "ON CONFLICT (phone, full_name) DO NOTHING RETURNING id",
    # PostgreSQL: the look-up and, for a new person, the insert in one round trip.
    "person_or_new": "WITH found AS (SELECT id FROM person WHERE phone = :phone "
    "AND full_name = :full_name), created AS (INSERT INTO person (phone, full_name, id_number, "
    "birth_year, home_ward_code) SELECT :phone, :full_name, :id_number, "
    "CAST(:birth_year AS smallint), :home_ward_code WHERE NOT EXISTS (SELECT FROM found) "
    "ON CONFLICT (phone, full_name) DO NOTHING RETURNING id) "
    "SELECT id FROM found UNION ALL SELECT id FROM created",
    "claim": "INSERT INTO checkin_key (source, external_id, checked_in_at) "
    "VALUES (:source, :external_id, :at) ON CONFLICT (source, external_id) DO NOTHING "
    "RETURNING external_id",
    "checkin": "INSERT INTO checkin (person_id, venue_id, checked_in_at, checked_out_at, channel, "
    "declared_by_person_id, symptoms, exposures, risk_level, risk_reasons, source, external_id) "
    "VALUES (:person_id, :venue_id, :at, NULL, :channel, :declared_by_person_id, :symptoms, "
    ":exposures, :risk_level, :risk_reasons, :source, :external_id) RETURNING id",
    "identity": "INSERT INTO checkin_identity "
    "(checkin_id, checked_in_at, id_number, birth_year, home_ward_code) "
    "VALUES (:checkin_id, :at, :id_number, :birth_year, :home_ward_code)",
}


def _paramstyle(sql: str, dialect: str) -> str:
    """':name' placeholders in the driver's own style (psycopg2: %(name)s; sqlite3 takes
    :name as it is)."""
    if dialect != "postgresql":
        return sql
    out, i = [], 0
    while i < len(sql):
        if sql[i] == ":" and i + 1 < len(sql) and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            j = i + 1
            while j < len(sql) and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
        else:
            out.append(sql[i])
            i += 1
    return "".join(out)


def _statements(dialect: str) -> dict[str, str]:
    least = "least" if dialect == "postgresql" else "min"
    rollups = [sql.replace("{least}", least) for sql in _ROLLUPS]
    statements = {name: _paramstyle(sql, dialect) for name, sql in _SQL.items()}
    if dialect == "postgresql":
        # One round trip for the five upserts: writable CTEs, each run once.
        with_clause = ", ".join(f"r{n} AS ({sql})" for n, sql in enumerate(rollups))
        statements["rollups"] = _paramstyle(f"WITH {with_clause} SELECT 1", dialect)
    else:
        for n, sql in enumerate(rollups):
            statements[f"rollup{n}"] = sql
    return statements


_BY_DIALECT = {name: _statements(name) for name in ("postgresql", "sqlite")}


def _run(connection: Connection, name: str, params: Mapping[str, Any]) -> Any:
    sql = _BY_DIALECT[connection.dialect.name][name]
    return connection.exec_driver_sql(sql, dict(params))


def person_id(
    connection: Connection,
    phone: str,
    full_name: str,
    id_number: str | None = None,
    birth_year: int | None = None,
    home_ward_code: str | None = None,
) -> int:
    """The id of the person (phone, full_name), created with the given details when new. A
    known person's stored details are never changed here."""
    key = {"phone": phone, "full_name": full_name}
    details = {"id_number": id_number, "birth_year": birth_year, "home_ward_code": home_ward_code}
    writing_references_to_people(connection)
    if connection.dialect.name == "postgresql":
        created = _run(connection, "person_or_new", {**key, **details}).scalar()
    else:
        found = _run(connection, "person", key).scalar()
        if found is not None:
            return int(found)
        created = _run(connection, "new_person", {**key, **details}).scalar()
    # None: another writer created the same person since our look-up.
    return int(created if created is not None else _run(connection, "person", key).scalar())


def claim_keys(
    connection: Connection, source: str, external_ids: Sequence[str], at: int
) -> set[str]:
    """Claim the import keys; returns those claimed now (the others were stored before)."""
    claimed = set()
    for external_id in external_ids:
        params = {"source": source, "external_id": external_id, "at": at}
        claimed.update(_run(connection, "claim", params).scalars())
    return claimed


def write_checkin_rows(
    connection: Connection,
    venue_id: int,
    ward_code: str,
    at: int,
    channel: str,
    source: str,
    rows: Sequence[CheckinRow],
) -> list[int]:
    """Insert the check-ins (their keys already claimed) and add them to the rollups; returns
    their ids in order."""
    if not rows:
        return []
    if connection.dialect.name == "postgresql":
        _ensure_partition(connection, at)
    ids = []
    for row in rows:
        params = {
            "person_id": row.person_id,
            "venue_id": venue_id,
            "at": at,
            "channel": channel,
            "declared_by_person_id": row.declared_by_person_id,
            "symptoms": row.symptoms,
            "exposures": row.exposures,
            "risk_level": row.risk_level,
            "risk_reasons": row.risk_reasons,
            "source": source,
            "external_id": row.external_id,
        }
        ids.append(int(_run(connection, "checkin", params).scalar()))
    for checkin_id, row in zip(ids, rows, strict=True):
        if (row.id_number, row.birth_year, row.home_ward_code) != (None, None, None):
            identity = {
                "checkin_id": checkin_id,
                "at": at,
                "id_number": row.id_number,
                "birth_year": row.birth_year,
                "home_ward_code": row.home_ward_code,
            }
            _run(connection, "identity", identity)
    _add_to_rollups(connection, venue_id, ward_code, at, rows)
    return ids


# Local days whose partition existed before a declaration needed it, per database: asked once
# per process, not per declaration. Only days found already there are kept: a partition made
# by a transaction that later rolls back is gone again. Retention never drops today's day.
_days_with_partition: set[tuple[str, int]] = set()


def _ensure_partition(connection: Connection, at: int) -> None:
    day = (str(connection.engine.url), local_day_number(at))
    if day in _days_with_partition:
        return
    if not ensure_partitions(connection, [at]):
        _days_with_partition.add(day)


def _add_to_rollups(
    connection: Connection, venue_id: int, ward_code: str, at: int, rows: Sequence[CheckinRow]
) -> None:
    number = local_day_number(at)
    params = {
        "venue_id": venue_id,
        "ward_code": ward_code,
        "hour": at // 3600 * 3600,
        "day": int(day_start(at)),
        "checkins": len(rows),
        "at_risk": sum(row.risk_level >= 1 for row in rows),
        "high_risk": sum(row.risk_level >= 2 for row in rows),
        "block": number // ACTIVITY_BLOCK_DAYS,
        "days": 1 << (number % ACTIVITY_BLOCK_DAYS),
    }
    if connection.dialect.name == "postgresql":
        _run(connection, "rollups", params)
        return
    for n in range(len(_ROLLUPS)):
        _run(connection, f"rollup{n}", params)
