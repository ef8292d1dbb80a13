"""A database ready for use: newest schema plus the reference geography. Idempotent. Above db/
(it migrates) and geo/ (it loads the admin units), so that db/ imports neither."""

from __future__ import annotations

from sqlalchemy import Engine

from db.citus import distribute
from db.migrate import upgrade
from geo.admin_units import hcmc_districts, hcmc_wards
from queries.geography import load_geography


def init_db(engine: Engine, *, citus: bool = False, shard_count: int | None = None) -> list[str]:
    """Migrate, distribute over Citus when asked (before the geography goes in, so nothing is
    copied into shards), load the geography. Returns what the distribution did."""
    upgrade(engine)
    made: list[str] = []
    if citus:
        with engine.begin() as connection:
            made = distribute(connection, shard_count)
    with engine.begin() as connection:
        load_geography(connection, hcmc_districts(), hcmc_wards())
    return made
