"""Distributing the schema over a Citus cluster (docs/scaling.md §5): `manage.py init-db --citus`
runs the migrations on the coordinator, then this.

- Check-ins and the venue rollups are distributed by venue_id and co-located: a venue's
  check-ins, hours, days and active days sit in one shard, so a venue's timeline, who was at a
  venue (the F1 probe) and the write path's rollup upserts go to one worker each. checkin stays
  partitioned by local day; each day's partition is sharded the same way.
- Geography, venues, people, cases, traced contacts and the ward rollups are reference
  tables: small, joined by every question, a copy on each node. Cases and traced contacts are
  read beside check-ins (a venue's case visits, the risk list), which a shard can only join to
  a table it holds. A reference table's write goes to every node in one distributed
  transaction: a person once, a case or a trace's contacts now and then.
- Everything else (follow-ups, alerts, accounts, sessions, audit log, import keys, declared
  identities) stays on the coordinator: small, or written and read there only. Those with a
  foreign key to a reference table become Citus "local" tables (Citus does that by itself).
- A statement that joins a list of rows to check-ins (the F1s' onward visits) asks every shard
  to join by index probes (joins_by_index), as one PostgreSQL does with LATERAL … OFFSET 0.

Idempotent: tables already distributed are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

# Order matters: a reference table's foreign keys must point at reference tables made before it.
REFERENCE_TABLES = (
    "district",
    "ward",
    "venue",
    "person",
    "case_record",
    "traced_contact",
    "ward_hour",
    "ward_day",
)
# Distributed by venue_id, co-located with checkin (the first).
VENUE_TABLES = ("checkin", "venue_hour", "venue_day", "venue_activity")
DISTRIBUTION_COLUMN = "venue_id"


class NotCitus(RuntimeError):
    """The database is not a Citus coordinator."""


def distributed_tables(connection: Connection) -> dict[str, str]:
    """The tables Citus knows, by name: 'reference', 'distributed' or 'local'."""
    rows = connection.execute(
        text("SELECT logicalrelid::regclass::text, partmethod, repmodel FROM pg_dist_partition")
    ).all()
    kinds = {}
    for name, method, _ in rows:
        kinds[name] = "distributed" if method == "h" else "reference" if method == "n" else method
    for name, kind in list(kinds.items()):
        if kind == "reference" and not _is_reference(connection, name):
            kinds[name] = "local"
    return kinds


def _is_reference(connection: Connection, table: str) -> bool:
    return bool(
        connection.execute(
            text(
                "SELECT citus_table_type = 'reference' FROM citus_tables "
                "WHERE table_name = CAST(:table AS regclass)"
            ),
            {"table": table},
        ).scalar()
    )


def workers(connection: Connection) -> list[tuple[str, int]]:
    """The active worker nodes (host, port) the coordinator knows."""
    return [
        (str(host), int(port))
        for host, port in connection.execute(
            text(
                "SELECT nodename, nodeport FROM pg_dist_node "
                "WHERE isactive AND noderole = 'primary' AND shouldhaveshards ORDER BY nodeid"
            )
        ).all()
    ]


def default_shard_count(worker_count: int) -> int:
    """Two shards per worker. Every question that is not routed to one venue runs one task per
    shard, and a task costs its planning over the day partitions on the worker: on this
    machine, at 1M check-ins, a typical F1 took 8 ms with 2 shards, 11 ms with 4, 15 ms with 8
    and 71-93 ms with Citus's default of 32 (docs/scaling.md §5). Two per worker lets a cluster
    twice as large take half of them by rebalancing alone; beyond that, shards are split
    (citus_split_shard_by_split_points) and rebalanced, online."""
    return 2 * max(1, worker_count)


def distribute(connection: Connection, shard_count: int | None = None) -> list[str]:
    """Make the reference and distributed tables of the plan above, the venue tables in
    shard_count shards (default_shard_count when None); returns what it did, one line per
    table (nothing when all is done already)."""
    installed = connection.execute(
        text("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")
    ).scalar()
    if not installed:
        raise NotCitus(
            "this database has no citus extension: run CREATE EXTENSION citus on the "
            "coordinator and each worker, and register the workers (citus_add_node)"
        )
    nodes = workers(connection)
    if not nodes:
        raise NotCitus(
            "the coordinator knows no worker node: register them with "
            "SELECT citus_add_node('host', port)"
        )
    done = distributed_tables(connection)
    made = []
    for table in REFERENCE_TABLES:
        if done.get(table) != "reference":
            connection.execute(text("SELECT create_reference_table(:t)"), {"t": table})
            made.append(f"{table}: reference table")
    shards = shard_count or default_shard_count(len(nodes))
    for position, table in enumerate(VENUE_TABLES):
        if done.get(table) == "distributed":
            continue
        if position == 0:
            connection.execute(
                text(
                    "SELECT create_distributed_table(:t, :column, shard_count => :shards, "
                    "colocate_with => 'none')"
                ),
                {"t": table, "column": DISTRIBUTION_COLUMN, "shards": shards},
            )
            made.append(f"{table}: distributed by {DISTRIBUTION_COLUMN} in {shards} shards")
        else:
            connection.execute(
                text("SELECT create_distributed_table(:t, :column, colocate_with => :with)"),
                {"t": table, "column": DISTRIBUTION_COLUMN, "with": VENUE_TABLES[0]},
            )
            made.append(f"{table}: distributed by {DISTRIBUTION_COLUMN}, with {VENUE_TABLES[0]}")
    return made


@contextmanager
def joins_by_index(connection: Connection) -> Iterator[None]:
    """Within the block, in the connection's transaction, every shard joins a list of rows to its
    check-ins by index probes (a nested loop), never by hashing them: what one PostgreSQL gets
    from the trace's LATERAL … OFFSET 0, which Citus cannot push down. At 20M check-ins, 4
    shards, the 5,000 F1s' onward visits of the busiest case took 2.3 s as each shard hashed
    its 5.1 million check-ins, 0.84 s by index (one PostgreSQL: 0.66 s); at 1M a typical
    case's 221 F1s, 76 ms in a parallel hash join on each shard, 16 ms. The planner's choice
    is right for rows read from disk (random_page_cost 4), not for the fortnight a trace reads,
    which is in memory. Restored for the rest of the transaction when the block ends."""
    settings = ("enable_hashjoin", "enable_mergejoin")
    before = {name: connection.exec_driver_sql(f"SHOW {name}").scalar_one() for name in settings}
    # SET LOCAL reaches the workers' connections of this transaction only when propagated.
    connection.exec_driver_sql("SET LOCAL citus.propagate_set_commands = 'local'")
    for name in settings:
        connection.exec_driver_sql(f"SET LOCAL {name} = off")
    try:
        yield
    finally:
        for name, value in before.items():
            connection.exec_driver_sql(f"SET LOCAL {name} = {value}")
