"""A database ready for use: newest schema plus the reference geography. Idempotent. Above db/
(it migrates) and geo/ (it loads the admin units), so that db/ imports neither."""

from __future__ import annotations

from sqlalchemy import Engine

from db.migrate import upgrade
from geo.admin_units import hcmc_districts, hcmc_wards
from queries.geography import load_geography


def init_db(engine: Engine) -> None:
    upgrade(engine)
    with engine.begin() as connection:
        load_geography(connection, hcmc_districts(), hcmc_wards())
