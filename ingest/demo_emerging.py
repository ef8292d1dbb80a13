"""The demo city's planted truth for the early warning: emerging clusters of at-risk
declarations, each a group of neighbouring wards whose at-risk share rises over the window's
last three days, so that the space-time scan (rules/space_time_scan.py) has something real to
find and the tests can check that it does.

The planted check-ins come from their own random stream of the seed: the rest of the city is
drawn exactly as without them (demo_city.py makes room for them by leaving out the last of
the everyday check-ins, so the city still has the number of check-ins asked for).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ingest.demo_checkins import DEMO_SOURCE, RISK_MIX
from rules.local_time import DAY_S
from rules.risk import assess_risk

EMERGING_STREAM = 11
# Each group is a ward and its nearest neighbours by centroid (so a circle of the scan), in a
# district of its own: Phường 17, 6, 10 and 16 of Gò Vấp; Tân Quy, Tân Kiểng and Bình Thuận
# of Quận 7.
EMERGING_WARDS: tuple[tuple[str, ...], ...] = (
    ("26875", "26876", "26884", "26878"),
    ("27481", "27472", "27478"),
)
# At-risk declarations added per ward on the last three days, as multiples of an ordinary
# ward-day's at-risk declarations (at least one): the share rises day after day.
RISE = (2, 5, 10)
# What the planted declarants report: fever with cough, or a cough after contact with a case.
PLANTED_DECLARATIONS = (("fever;cough", ""), ("cough", "case_contact"))


def at_risk_per_ward_day(checkins: int, days: int, wards: int) -> float:
    """An ordinary ward-day's at-risk declarations in a city of `checkins` over `days`."""
    share = sum(share for *_, share in RISK_MIX)
    return checkins * share / max(days * wards, 1)


def planted_count(checkins: int, days: int, wards: int) -> int:
    """How many check-ins plant_emerging adds for such a city (demo_city leaves out as many
    everyday ones)."""
    base = max(1, math.ceil(at_risk_per_ward_day(checkins, days, wards)))
    return sum(len(group) for group in EMERGING_WARDS) * base * sum(RISE)


def plant_emerging(
    seed: int,
    venues: pd.DataFrame,
    people: pd.DataFrame,
    checkins: int,
    days: int,
    wards: int,
    window_start: int,
    end: int,
) -> pd.DataFrame:
    """The planted at-risk check-ins (write_checkins' columns): in every ward of
    EMERGING_WARDS, RISE[j] times an ordinary ward-day's at-risk declarations on the j-th of the
    window's last three days (days before the window are skipped), at the ward's own venues,
    by people who live there when there are any, at times of the day up to `end`."""
    rng = np.random.default_rng([seed, EMERGING_STREAM])
    base = max(1, math.ceil(at_risk_per_ward_day(checkins, days, wards)))
    last_day = window_start + (days - 1) * DAY_S
    venue_ward = venues["ward_code"].to_numpy()
    home_ward = people["home_ward_code"].to_numpy()
    declarations = [
        (symptoms, exposures, assess_risk([s for s in symptoms.split(";") if s],
                                          [e for e in exposures.split(";") if e]))
        for symptoms, exposures in PLANTED_DECLARATIONS
    ]  # fmt: skip
    rows: list[dict[str, object]] = []
    for group in EMERGING_WARDS:
        for ward_code in group:
            here = np.flatnonzero(venue_ward == ward_code)
            residents = np.flatnonzero(home_ward == ward_code)
            if not len(here):
                continue
            for back, rise in zip((2, 1, 0), RISE, strict=True):
                day = last_day - back * DAY_S
                if day < window_start:
                    continue
                # Waking hours of the day, or of its part before the end.
                start, stop = day + 6 * 3600, min(day + 22 * 3600, end)
                if stop <= start:
                    start, stop = day, max(day, end)
                for _ in range(base * rise):
                    person = int(
                        residents[rng.integers(len(residents))]
                        if len(residents)
                        else rng.integers(len(people))
                    )
                    symptoms, exposures, assessed = declarations[
                        int(rng.integers(len(declarations)))
                    ]
                    rows.append(
                        {
                            "person_id": int(people["person_id"].iloc[person]),
                            "venue_id": int(
                                venues["venue_id"].iloc[int(here[rng.integers(len(here))])]
                            ),
                            "checked_in_at": int(rng.integers(start, stop + 1)),
                            "checked_out_at": None,
                            "channel": "self",
                            "symptoms": symptoms,
                            "exposures": exposures,
                            "risk_level": assessed.level,
                            "risk_reasons": ";".join(assessed.reasons),
                            "source": DEMO_SOURCE,
                        }
                    )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["checked_out_at"] = frame["checked_out_at"].astype("Int64")
    return frame
