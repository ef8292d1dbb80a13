"""Venues for the tests' scenarios: what a test says about a venue (its ref, name, ward, whether
it is active) and plain values for the rest."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from db.schema import venue
from queries.writes import upsert_venues


def market_row(ref: str, name: str = "Chợ", ward_code: str = "26734", **fields: Any) -> dict:
    """A row for upsert_venues: a public market at 10.79, 106.69 with no address, one hour's
    dwell, registered on 1 June 2021 and active, unless fields say otherwise."""
    return {
        "venue_ref": ref, "name": name, "sector": "public", "kind": "market", "address": "",
        "ward_code": ward_code, "lat": 10.79, "lon": 106.69, "dwell_minutes": 60,
        "registered_on": date(2021, 6, 1), "active": True, **fields,
    }  # fmt: skip


def add_venues(connection: Connection, *rows: dict, column: str = "id") -> dict[str, Any]:
    """Write the venues; returns every venue's column (its id unless told: `token`) by ref."""
    upsert_venues(connection, pd.DataFrame(list(rows)))
    return dict(connection.execute(select(venue.c.venue_ref, venue.c[column])).all())
