"""Registering, editing and deactivating venues from the admin page, and choosing venues for
posters. Writes go through queries.writes.upsert_venues (tokens are kept on edit)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select, update

from db.schema import venue, ward
from queries.writes import upsert_venues


@dataclass(frozen=True)
class PosterVenue:
    """A venue as its QR poster shows it (reports/qr_poster.py draws it)."""

    name: str
    address: str
    token: str
    venue_ref: str


def register_venue(connection: Connection, fields: dict[str, Any], registered_on: date) -> int:
    """A new venue with a reference of its own (KBYT-…); returns its id."""
    venue_ref = f"KBYT-{secrets.token_hex(4).upper()}"
    row = {**fields, "venue_ref": venue_ref, "registered_on": registered_on, "active": True}
    upsert_venues(connection, pd.DataFrame([row]))
    venue_id = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == venue_ref))
    if venue_id is None:
        raise RuntimeError(f"the venue {venue_ref} was not stored")
    return int(venue_id)


def update_venue(
    connection: Connection, venue_id: int, fields: dict[str, Any], procedure: str
) -> None:
    current = connection.execute(
        select(venue.c.venue_ref, venue.c.registered_on, venue.c.active).where(
            venue.c.id == venue_id
        )
    ).one()
    upsert_venues(
        connection,
        pd.DataFrame(
            [
                {
                    **fields,
                    "venue_ref": current.venue_ref,
                    "registered_on": current.registered_on,
                    "active": current.active,
                }
            ]
        ),
    )
    connection.execute(
        update(venue).where(venue.c.id == venue_id).values(procedure=procedure.strip()[:2000])
    )


def set_active(connection: Connection, venue_id: int, active: bool) -> None:
    connection.execute(update(venue).where(venue.c.id == venue_id).values(active=active))


def poster_venues(
    connection: Connection,
    district_code: str | None = None,
    venue_ids: list[int] | None = None,
    limit: int = 2000,
) -> list[PosterVenue]:
    """Active venues of a district (or the given venues), in name order, for printing."""
    query = (
        select(venue.c.name, venue.c.address, venue.c.token, venue.c.venue_ref)
        .select_from(venue.join(ward, ward.c.code == venue.c.ward_code))
        .where(venue.c.active.is_(True))
        .order_by(venue.c.search_name)
        .limit(limit)
    )
    if district_code:
        query = query.where(ward.c.district_code == district_code)
    if venue_ids is not None:
        query = query.where(venue.c.id.in_(venue_ids))
    return [PosterVenue(*row) for row in connection.execute(query)]
