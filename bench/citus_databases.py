"""A database on every node of the Citus cluster that ../shared/citus/citus-cluster runs (a
coordinator and two workers on this machine), with the extension and the workers registered:
what the `citus` tests and the benchmarks start from. Citus does not create databases on the
workers by itself (CREATE DATABASE is not propagated), so each node gets its own."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.pg_databases import drop_postgres
from db.engine import driver_url

# The coordinator's admin URL; the workers are read from its pg_dist_node.
COORDINATOR_URL = os.environ.get(
    "KBYT_CITUS_URL", "postgresql+psycopg2://postgres@127.0.0.1:5441/postgres"
)


def is_citus_cluster(admin_url: str) -> bool:
    """Whether the server at admin_url is a Citus coordinator with workers registered."""
    with create_engine(driver_url(admin_url)).connect() as connection:
        if not connection.execute(
            text("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')")
        ).scalar():
            return False
        return bool(connection.execute(text("SELECT count(*) FROM pg_dist_node")).scalar())


def _nodes(admin_url: str) -> list[str]:
    """Admin URLs of the coordinator and each worker."""
    coordinator = driver_url(admin_url)
    with create_engine(coordinator).connect() as connection:
        rows = connection.execute(
            text(
                "SELECT nodename, nodeport FROM pg_dist_node "
                "WHERE noderole = 'primary' AND shouldhaveshards ORDER BY nodeid"
            )
        ).all()
    urls = [coordinator.render_as_string(hide_password=False)]
    for host, port in rows:
        urls.append(coordinator.set(host=host, port=port).render_as_string(hide_password=False))
    return urls


def create_citus_database(name: str, admin_url: str = COORDINATOR_URL) -> str:
    """CREATE DATABASE name on each node, the citus extension in each, the workers registered
    with the new database's coordinator; returns the coordinator's URL of it."""
    nodes = _nodes(admin_url)
    for url in nodes:
        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
            drop_postgres(connection, name)
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        with create_engine(
            make_url(url).set(database=name), isolation_level="AUTOCOMMIT"
        ).connect() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS citus"))
    coordinator = make_url(nodes[0]).set(database=name)
    with create_engine(coordinator, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(
            text("SELECT citus_set_coordinator_host(:host, :port)"),
            {"host": coordinator.host, "port": coordinator.port},
        )
        for url in nodes[1:]:
            worker = make_url(url)
            connection.execute(
                text("SELECT citus_add_node(:host, :port)"),
                {"host": worker.host, "port": worker.port},
            )
    return coordinator.render_as_string(hide_password=False)


def drop_citus_database(name: str, admin_url: str = COORDINATOR_URL) -> None:
    """Drop the database on every node (workers first: the coordinator's sessions hold
    connections to them)."""
    for url in reversed(_nodes(admin_url)):
        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
            drop_postgres(connection, name)
