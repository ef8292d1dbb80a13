"""The demo city's people: Vietnamese names, mobile numbers (some shared by dependants), ID
numbers and home wards."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.admin_units import Ward
from ingest.demo_names import (
    FAMILY_NAMES,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    MIDDLE_NAMES_FEMALE,
    MIDDLE_NAMES_MALE,
    MOBILE_PREFIXES,
)


def demo_people(rng: np.random.Generator, count: int, wards: list[Ward]) -> pd.DataFrame:
    family_names = np.array([name for name, _ in FAMILY_NAMES])
    family_weights = np.array([weight for _, weight in FAMILY_NAMES])
    female = rng.random(count) < 0.5
    family = family_names[
        rng.choice(len(family_names), count, p=family_weights / family_weights.sum())
    ]
    middle = np.where(
        female,
        np.array(MIDDLE_NAMES_FEMALE)[rng.integers(len(MIDDLE_NAMES_FEMALE), size=count)],
        np.array(MIDDLE_NAMES_MALE)[rng.integers(len(MIDDLE_NAMES_MALE), size=count)],
    )
    given = np.where(
        female,
        np.array(GIVEN_NAMES_FEMALE)[rng.integers(len(GIVEN_NAMES_FEMALE), size=count)],
        np.array(GIVEN_NAMES_MALE)[rng.integers(len(GIVEN_NAMES_MALE), size=count)],
    )
    # Plain Python lists, not numpy scalars, in the string building below: three times faster.
    names = list(map(" ".join, zip(family.tolist(), middle.tolist(), given.tolist(), strict=True)))

    # Unique mobile numbers, then about 8 % of people (children, elders) share one.
    prefixes = np.array(MOBILE_PREFIXES)[rng.integers(len(MOBILE_PREFIXES), size=count)]
    subscriber = rng.choice(10_000_000, size=count, replace=False)
    phones = np.array(
        [f"+84{p}{s:07d}" for p, s in zip(prefixes.tolist(), subscriber.tolist(), strict=True)]
    )
    dependant = rng.random(count) < 0.08
    owner = rng.integers(count, size=count)
    phones = np.where(dependant & ~dependant[owner], phones[owner], phones)

    birth_year = rng.integers(1940, 2018, size=count)
    has_id = (rng.random(count) < 0.6) & (birth_year <= 2007)
    serials = rng.integers(10**7, size=count)
    id_numbers = np.array(
        [
            f"079{y % 100:02d}{n:07d}"
            for y, n in zip(birth_year.tolist(), serials.tolist(), strict=True)
        ]
    )
    ward_weights = np.array([1.0 if w.kind == "Phường" else 0.7 for w in wards])
    home = rng.choice(len(wards), size=count, p=ward_weights / ward_weights.sum())
    frame = pd.DataFrame(
        {
            "phone": phones,
            "full_name": names,
            "id_number": np.where(has_id, id_numbers, np.array(None)),  # None: no id number
            "birth_year": birth_year,
            "home_ward_code": np.array([w.code for w in wards])[home],
            "district_code": np.array([w.district_code for w in wards])[home],
        }
    )
    # A person is (phone, name): drop the rare dependant who got their relative's name.
    return frame.drop_duplicates(["phone", "full_name"]).reset_index(drop=True)
