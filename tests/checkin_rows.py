"""Check-in rows for write_checkins from dicts, as the tests write them, and read back."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Engine, select

from db.schema import checkin, person, venue


def checkin_frame(rows: Sequence[dict]) -> pd.DataFrame:
    """A frame for write_checkins from dicts; instants as aware datetimes or epoch seconds."""
    frame = pd.DataFrame(list(rows))
    for column in ("checked_in_at", "checked_out_at"):
        if column in frame:
            frame[column] = frame[column].map(_to_epoch).astype("Int64")
    return frame


def stored_checkins(
    engine: Engine, *columns: ColumnElement, where: ColumnElement | None = None
) -> list[tuple]:
    """Columns of the check-ins (and of their venue and person) as committed, in the order of
    their source and external id."""
    query = (
        select(*columns)
        .join(venue, venue.c.id == checkin.c.venue_id)
        .join(person, person.c.id == checkin.c.person_id)
        .order_by(checkin.c.source, checkin.c.external_id)
    )
    if where is not None:
        query = query.where(where)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _to_epoch(value: object) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if hasattr(value, "timestamp"):
        if getattr(value, "tzinfo", None) is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return int(value.timestamp())
    return int(value)  # type: ignore[call-overload]  # a number: int() refuses other values
