"""Districts and wards: loading the reference into the database and reading it back."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from db.dialect import insert_for
from db.schema import district, ward
from geo.admin_units import District, Ward


def load_geography(connection: Connection, districts: list[District], wards: list[Ward]) -> None:
    """Insert or refresh districts and wards; running it again changes nothing."""
    for table, rows, key in (
        (district, [d.__dict__ for d in districts], "code"),
        (ward, [w.__dict__ for w in wards], "code"),
    ):
        statement = insert_for(connection, table)
        statement = statement.on_conflict_do_update(
            index_elements=[key],
            set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != key},
        )
        connection.execute(statement, rows)


def list_districts(connection: Connection) -> pd.DataFrame:
    rows = connection.execute(
        select(
            district.c.code, district.c.name, district.c.kind, district.c.lat, district.c.lon
        ).order_by(district.c.code)
    )
    return pd.DataFrame(rows.fetchall(), columns=["code", "name", "kind", "lat", "lon"])


def list_wards(connection: Connection, district_code: str | None = None) -> pd.DataFrame:
    query = select(
        ward.c.code, ward.c.district_code, ward.c.name, ward.c.kind, ward.c.lat, ward.c.lon
    ).order_by(ward.c.code)
    if district_code is not None:
        query = query.where(ward.c.district_code == district_code)
    rows = connection.execute(query).fetchall()
    return pd.DataFrame(rows, columns=["code", "district_code", "name", "kind", "lat", "lon"])
