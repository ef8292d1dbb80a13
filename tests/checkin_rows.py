"""Check-in rows for write_checkins from dicts, as the tests write them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def checkin_frame(rows: Sequence[dict]) -> pd.DataFrame:
    """A frame for write_checkins from dicts; instants as aware datetimes or epoch seconds."""
    frame = pd.DataFrame(list(rows))
    for column in ("checked_in_at", "checked_out_at"):
        if column in frame:
            frame[column] = frame[column].map(_to_epoch).astype("Int64")
    return frame


def _to_epoch(value: object) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if hasattr(value, "timestamp"):
        if getattr(value, "tzinfo", None) is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return int(value.timestamp())  # type: ignore[union-attr]
    return int(value)  # type: ignore[call-overload]
