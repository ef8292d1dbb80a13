"""The demo city's everyday check-ins: who goes where and when, by channel, with about 1 %
at-risk declarations.

Four visits in five go to a person's own places (see _habits), at hours that follow the venue's
daily rhythm; some check out, all four declaration channels appear, and a share arrives as an
import from the Ministry's declaration system.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rules.local_time import DAY_S
from rules.risk import assess_risk

DEMO_SOURCE = "demo"
IMPORT_SOURCE = "moh-demo"  # the share that arrives from the Ministry's declaration system

# Relative check-in rate per local hour (0–23) for each rhythm.
RHYTHMS: dict[str, tuple[float, ...]] = {
    "market": (0, 0, 0, 1, 3, 8, 10, 10, 8, 6, 4, 2, 1, 1, 1, 2, 4, 5, 4, 1, 0, 0, 0, 0),
    "wholesale": (10, 10, 9, 8, 6, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 6, 9),
    "clinic": (0, 0, 0, 0, 0, 1, 5, 10, 10, 8, 6, 3, 2, 5, 6, 5, 3, 1, 1, 0, 0, 0, 0, 0),
    "shop": (0, 0, 0, 0, 0, 0, 2, 4, 5, 5, 5, 5, 4, 4, 4, 5, 6, 8, 9, 8, 5, 2, 0, 0),
    "office": (0, 0, 0, 0, 0, 0, 2, 10, 8, 3, 2, 1, 1, 5, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0),
    "factory": (0, 0, 0, 0, 0, 3, 10, 6, 1, 0, 0, 0, 1, 3, 10, 4, 0, 0, 0, 0, 1, 5, 3, 0),
    "evening": (0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 4, 3, 4, 6, 9, 10, 10, 8, 4, 1, 0),
    "transit": (0, 0, 0, 0, 2, 6, 10, 9, 5, 4, 4, 4, 4, 4, 5, 7, 9, 10, 6, 4, 3, 2, 1, 0),
    "school": (0, 0, 0, 0, 0, 0, 8, 10, 1, 0, 0, 1, 2, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0),
    "home": (1, 0, 0, 0, 0, 1, 3, 3, 1, 1, 1, 2, 2, 1, 1, 2, 4, 7, 9, 8, 6, 4, 2, 1),
}

# At-risk declarations (about 1 %): (symptoms, exposures, share of all declarations).
RISK_MIX: tuple[tuple[str, str, float], ...] = (
    ("fever", "", 0.0022),
    ("cough", "", 0.0020),
    ("sore_throat", "", 0.0012),
    ("fatigue", "", 0.0008),
    ("loss_of_taste_smell", "", 0.0003),
    ("fever;cough", "", 0.0006),
    ("", "lockdown_area", 0.0010),
    ("", "case_contact", 0.0008),
    ("", "travel_abroad", 0.0002),
    ("cough", "case_contact", 0.0004),
    ("fever", "lockdown_area", 0.0002),
    ("shortness_of_breath", "", 0.0003),
)
# A person's own places, by venue kind (see _habits), and the share of visits made to them.
HABITS: tuple[tuple[str, ...], ...] = (
    ("factory", "industrial_zone", "office", "hospital", "school"),
    ("market", "supermarket", "mall"),
    ("pharmacy", "clinic", "shop", "restaurant", "station", "bus"),
    ("apartment",),
)
HABITUAL_SHARE = 0.8
CHANNEL_MIX = (("self", 0.78), ("proxy", 0.08), ("staff", 0.08), ("advance", 0.03))
IMPORT_SHARE = 0.03
CHECKOUT_SHARE = 0.35


class CheckinSampler:
    """Draws check-ins in chunks; each chunk depends only on the seed and its position."""

    def __init__(
        self,
        rng: np.random.Generator,
        venues: pd.DataFrame,
        people: pd.DataFrame,
        activity: np.ndarray,
        window_start: int,
        window_end: int,
        seed: int,
    ) -> None:
        self.seed = seed
        self.venues = venues
        self.window_start = window_start
        self.window_end = window_end
        self.n_days = (window_end - window_start) // DAY_S + 1
        self.person_ids = people["person_id"].to_numpy()
        self.person_district = people["district_code"].to_numpy()
        self.person_p = activity / activity.sum()
        popularity = venues["popularity"].to_numpy(dtype=float)
        self.venue_cum = np.cumsum(popularity) / popularity.sum()
        self.local_venues: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for code, group in venues.groupby("district_code"):
            weights = group["popularity"].to_numpy(dtype=float)
            self.local_venues[str(code)] = (
                group.index.to_numpy(),
                np.cumsum(weights) / weights.sum(),
            )
        # Districts as small integers in local_venues' order: comparing them is what the
        # per-district draw below does 22 times per chunk, and strings made it the slowest step.
        number = {code: i for i, code in enumerate(self.local_venues)}
        self.person_district_number = np.array(
            [number.get(str(code), -1) for code in self.person_district], dtype=np.int16
        )
        self.venue_rhythm = venues["rhythm"].to_numpy()
        self.rhythm_cum = {
            name: np.cumsum(np.array(weights, dtype=float)) / sum(weights)
            for name, weights in RHYTHMS.items()
        }
        self.venue_ids = venues["venue_id"].to_numpy()
        self.venue_dwell = venues["dwell_minutes"].to_numpy()
        self.owner_of_phone = (
            people.reset_index().groupby("phone")["person_id"].transform("first").to_numpy()
        )
        self.habits, self.habit_cum = _habits(rng, venues, self.person_district_number,
                                              list(self.local_venues))  # fmt: skip

    def sample(self, size: int, first_index: int) -> pd.DataFrame:
        rng = np.random.default_rng([self.seed, first_index])
        who = rng.choice(len(self.person_ids), size=size, p=self.person_p)
        where = self._venues_for(rng, who)
        starts = self._start_times(rng, where)
        dwell_s = self.venue_dwell[where] * 60
        stays = (dwell_s * rng.lognormal(0, 0.35, size)).astype(np.int64).clip(60, DAY_S)
        checked_out = starts + stays
        has_out = (rng.random(size) < CHECKOUT_SHARE) & (checked_out <= self.window_end)
        channel, declared_by, source, external_id = self._channels(rng, who, size, first_index)
        symptoms, exposures, level, reasons = _risk_columns(rng, size)
        return pd.DataFrame(
            {
                "person_id": self.person_ids[who],
                "venue_id": self.venue_ids[where],
                "checked_in_at": starts,
                "checked_out_at": pd.Series(checked_out, dtype="Int64").mask(~has_out),
                "channel": channel,
                "declared_by_person_id": declared_by,
                "symptoms": symptoms,
                "exposures": exposures,
                "risk_level": level,
                "risk_reasons": reasons,
                "source": source,
                "external_id": external_id,
            }
        )

    def _venues_for(self, rng: np.random.Generator, who: np.ndarray) -> np.ndarray:
        """Most visits go to the person's own places (see _habits); the others are errands,
        three in four in the home district, weighted by popularity."""
        where = np.searchsorted(self.venue_cum, rng.random(len(who)))
        local = rng.random(len(who)) < 0.75
        districts = self.person_district_number[who]
        for number, (indexes, cumulative) in enumerate(self.local_venues.values()):
            rows = np.flatnonzero(local & (districts == number))
            if len(rows):
                where[rows] = indexes[np.searchsorted(cumulative, rng.random(len(rows)))]
        habitual = np.flatnonzero(rng.random(len(who)) < HABITUAL_SHARE)
        slot = np.searchsorted(self.habit_cum, rng.random(len(habitual)))
        where[habitual] = self.habits[who[habitual], np.minimum(slot, len(HABITS) - 1)]
        return np.minimum(where, len(self.venue_ids) - 1)

    def _start_times(self, rng: np.random.Generator, where: np.ndarray) -> np.ndarray:
        size = len(where)
        hours = np.empty(size, dtype=np.int64)
        rhythm = self.venue_rhythm[where]
        for name, cumulative in self.rhythm_cum.items():
            rows = np.flatnonzero(rhythm == name)
            if len(rows):
                hours[rows] = np.searchsorted(cumulative, rng.random(len(rows)))
        day = rng.integers(self.n_days, size=size)
        starts = self.window_start + day * DAY_S + hours * 3600 + rng.integers(3600, size=size)
        # Today's future hours fall back to the same hour on an earlier day.
        late = starts > self.window_end
        while late.any():
            back = rng.integers(1, self.n_days + 1, size=int(late.sum())) * DAY_S
            starts[late] = np.maximum(starts[late] - back, self.window_start)
            late = starts > self.window_end
        return starts

    def _channels(
        self, rng: np.random.Generator, who: np.ndarray, size: int, first_index: int
    ) -> tuple[np.ndarray, pd.Series, np.ndarray, np.ndarray]:
        names = np.array([name for name, _ in CHANNEL_MIX] + ["import"])
        shares = np.array([share for _, share in CHANNEL_MIX] + [IMPORT_SHARE])
        channel = names[rng.choice(len(names), size=size, p=shares / shares.sum())]
        # A proxy declaration comes from the phone's owner (or, for owners, a random neighbour).
        owner = self.owner_of_phone[who]
        neighbour = self.person_ids[rng.integers(len(self.person_ids), size=size)]
        by = np.where(owner != self.person_ids[who], owner, neighbour)
        declared_by = pd.Series(by, dtype="Int64").mask(channel != "proxy")
        imported = channel == "import"
        source = np.where(imported, IMPORT_SOURCE, DEMO_SOURCE)
        numbers = np.arange(first_index, first_index + size)
        external_id = np.where(imported, np.char.add("MOH-", numbers.astype(str)), np.array(None))
        return channel, declared_by, source, external_id


def _habits(
    rng: np.random.Generator,
    venues: pd.DataFrame,
    person_district: np.ndarray,
    district_codes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Each person's own places, one per HABITS group: a workplace or school, a market, a
    pharmacy or shop, a home block; three in four in the home district, by popularity.

    People meet the same colleagues and stallholders day after day, as in a real city; drawn
    afresh for every visit, everyone would meet everyone within a fortnight and a trace's
    contacts would be the whole district. Returns (venue index per person and group, the
    cumulative share of visits per group: the groups' popularity, so each venue keeps its
    share of check-ins)."""
    n_people = len(person_district)
    habits = np.empty((n_people, len(HABITS)), dtype=np.int64)
    popularity = venues["popularity"].to_numpy(dtype=float)
    kinds = venues["kind"].to_numpy()
    districts = venues["district_code"].astype(str).to_numpy()
    shares = []
    for slot, group in enumerate(HABITS):
        members = np.flatnonzero(np.isin(kinds, group))
        weights = popularity[members]
        shares.append(weights.sum())
        anywhere = members[np.searchsorted(np.cumsum(weights) / weights.sum(),
                                           rng.random(n_people))]  # fmt: skip
        habits[:, slot] = np.minimum(anywhere, len(venues) - 1)
        local = rng.random(n_people) < 0.75
        for number, code in enumerate(district_codes):
            near = members[districts[members] == code]
            rows = np.flatnonzero(local & (person_district == number))
            if len(near) and len(rows):
                cumulative = np.cumsum(popularity[near]) / popularity[near].sum()
                pick = np.searchsorted(cumulative, rng.random(len(rows)))
                habits[rows, slot] = near[np.minimum(pick, len(near) - 1)]
    return habits, np.cumsum(shares) / sum(shares)


def _risk_columns(
    rng: np.random.Generator, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    mix = RISK_MIX + (("", "", 1.0 - sum(share for *_, share in RISK_MIX)),)
    pick = rng.choice(len(mix), size=size, p=np.array([share for *_, share in mix]))
    assessed = [
        assess_risk([s for s in sym.split(";") if s], [e for e in exp.split(";") if e])
        for sym, exp, _ in mix
    ]
    symptoms = np.array([sym for sym, _, _ in mix])[pick]
    exposures = np.array([exp for _, exp, _ in mix])[pick]
    levels = np.array([a.level for a in assessed], dtype=np.int16)[pick]
    reasons = np.array([";".join(a.reasons) for a in assessed])[pick]
    return symptoms, exposures, levels, reasons
