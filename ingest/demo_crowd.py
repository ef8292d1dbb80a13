"""The demo city's crowd: Chợ Bến Thành declares a capacity and, in the hour before the city's
end, receives more arrivals than 80 % of it, so that the crowding alert (rules/crowding.py,
the Venues page and the wall) has a venue to show at the demo's "now".

The arrivals come from their own random stream of the seed and replace as many of the city's
everyday check-ins: the total stays as asked, and the rest of the city is drawn as before.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

CROWD_REF = "CHO-BT"
CROWD_CAPACITY = 100
# Arrivals in the last hour before the end: 60 from 59 to 16 minutes before, 25 in the last
# quarter (1 to 14 minutes before). 85 in the hour and 25 x 4 = 100 at the quarter's pace
# both reach 80 % of the capacity, whatever the everyday check-ins add.
EARLIER, LAST_QUARTER = 60, 25
CROWD_STREAM = 8


def declared_capacities(refs: pd.Series) -> pd.Series:
    """The demo venues' declared capacities: the crowded market's, none for the others."""
    return pd.Series(
        pd.array([CROWD_CAPACITY if ref == CROWD_REF else None for ref in refs], dtype="Int64"),
        index=refs.index,
    )


def plant_crowd(
    venues: pd.DataFrame, people: pd.DataFrame, end: datetime, seed: int
) -> pd.DataFrame:
    """Check-in rows of the crowd (an empty frame when the market is not among the venues)."""
    at_market = venues.index[venues["venue_ref"] == CROWD_REF]
    if len(at_market) == 0:
        return pd.DataFrame()
    rng = np.random.default_rng([seed, CROWD_STREAM])
    size = EARLIER + LAST_QUARTER
    who = rng.choice(len(people), size=min(size, len(people)), replace=False)
    end_s = int(end.timestamp())
    minutes_before = np.concatenate(
        [rng.integers(16, 60, EARLIER), rng.integers(1, 15, LAST_QUARTER)]
    )[: len(who)]
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy()[who].astype(np.int64),
            "venue_id": int(venues.loc[at_market[0], "venue_id"]),
            "checked_in_at": end_s - minutes_before * 60,
            "checked_out_at": pd.array([None] * len(who), dtype="Int64"),
            "channel": "self",
        }
    )
