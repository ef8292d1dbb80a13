"""The demo city's clusters of cases: planted visits and the cases they explain (a wholesale
market, a factory shift, a hospital ward), and community cases with everyday lives, so that
traces have something to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from db.partitions import DAY_S, day_start, local_day
from ingest.demo_checkins import DEMO_SOURCE

COMMUNITY_CASES = 24
# Cases are reported in a local day's working hours (07:30-20:00), from their own random stream.
REPORT_HOURS = (7.5, 20.0)
REPORT_TIME_STREAM = 7


VISIT_COLUMNS = ("person_id", "venue_id", "checked_in_at", "checked_out_at", "channel")


@dataclass(frozen=True)
class Clusters:
    checkins: pd.DataFrame
    cases: list[dict]


def plant_clusters(
    rng: np.random.Generator,
    venues: pd.DataFrame,
    people: pd.DataFrame,
    activity: np.ndarray,
    end: datetime,
    window_start: int,
    seed: int = 0,
) -> Clusters:
    """Planted visits and the cases they explain, placed relative to the window's last day.

    A case is reported on its test day (a suspected case without a test, the day after its
    onset), at a time of that day's working hours, or earlier when the day is still under way:
    the day's KPIs count new cases by report time, and stamping every case at `end` made them
    all new today. Report times come from their own stream of the seed, so the rest of the city
    is the same as before they existed.
    """
    today = day_start(int(end.timestamp()))
    end_s = int(end.timestamp())
    reported = np.random.default_rng([seed, REPORT_TIME_STREAM])
    n_days = (today - window_start) // DAY_S + 1
    ref_index = {ref: i for i, ref in enumerate(venues["venue_ref"])}
    by_kind = {kind: group.index.to_numpy() for kind, group in venues.groupby("kind")}
    taken: set[int] = set()

    def someone() -> int:
        while True:
            index = int(rng.integers(len(people)))
            if index not in taken:
                taken.add(index)
                return index

    visits: list[dict] = []
    cases: list[dict] = []

    def visit(person: int, venue_index: int, day: int, start_h: float, hours: float) -> None:
        day = int(min(max(day, 0), n_days - 1))
        start = window_start + day * DAY_S + int(start_h * 3600)
        stop = start + int(hours * 3600)
        if stop > int(end.timestamp()):
            return
        visits.append(
            {
                "person_id": int(people["person_id"].loc[person]),
                "venue_id": int(venues["venue_id"].loc[venue_index]),
                "checked_in_at": start,
                "checked_out_at": stop if rng.random() < 0.5 else None,
                "channel": "self",
            }
        )

    def case(person: int, status: str, onset_day: int, test_day: int | None) -> None:
        first_day = local_day(window_start)
        onset = first_day + timedelta(days=onset_day)
        tested = None if test_day is None else onset + timedelta(days=test_day - onset_day)
        report_day = min(test_day if test_day is not None else onset_day + 1, n_days - 1)
        day_start = window_start + report_day * DAY_S
        at = day_start + int(reported.uniform(*REPORT_HOURS) * 3600)
        if at > end_s:  # the day is still under way: reported in its hours so far
            at = day_start + int(reported.uniform(0, 1) * (end_s - day_start))
        cases.append(
            {
                "person_id": int(people["person_id"].loc[person]),
                "status": status,
                "onset_date": onset,
                "test_date": tested,
                "isolated_at": None,
                "created_at": datetime.fromtimestamp(at, UTC),
                "created_by": "demo",
                "note": "",
            }
        )

    last = n_days - 1
    # 1. Wholesale market, night trading: a trader, then fellow traders and their households.
    market = ref_index["CDM-BD"]
    trader = someone()
    for day in range(last - 9, last - 4):
        visit(trader, market, day, 1.5, 3.5)
    case(trader, "confirmed", last - 4, last - 3)
    apartments = by_kind["apartment"]
    for k in range(8):
        fellow = someone()
        for day in range(last - 8, last - 4, 2):
            visit(fellow, market, day, 2 + 0.25 * k, 3)
        home = int(apartments[rng.integers(len(apartments))])
        visit(fellow, home, last - 3, 18, 12)
        if k < 5:
            case(fellow, "confirmed" if k < 3 else "suspected", last - 2, last - 1)
    # 2. A factory shift in an industrial zone.
    zone = int(by_kind["industrial_zone"][0])
    worker = someone()
    for day in range(last - 7, last - 2):
        visit(worker, zone, day, 6, 8)
    case(worker, "confirmed", last - 3, last - 2)
    for k in range(6):
        mate = someone()
        for day in range(last - 6, last - 2):
            visit(mate, zone, day, 6, 8)
        if k < 3:
            case(mate, "suspected", last - 1, None)
    # 3. A hospital visit.
    hospital = int(by_kind["hospital"][0])
    patient = someone()
    visit(patient, hospital, last - 5, 8, 2)
    visit(patient, ref_index["CHO-BT"], last - 5, 16, 1)
    case(patient, "confirmed", last - 4, last - 3)
    # 4. Single cases with ordinary lives.
    for _ in range(3):
        single = someone()
        for day in range(last - 6, last):
            visit(single, int(rng.integers(len(venues))), day, float(rng.integers(6, 20)), 1)
        case(single, "confirmed", last - 2, last - 1)
    # 5. Community cases: people found by testing, with no planted visits, only their everyday
    #    check-ins. Most cases of a wave are like these, so they are what a typical trace is;
    #    the people who go out more are likelier to be among them.
    outgoing = np.flatnonzero(activity >= np.quantile(activity, 0.5))
    for number in range(COMMUNITY_CASES):
        while True:
            index = int(outgoing[rng.integers(len(outgoing))])
            if index not in taken:
                taken.add(index)
                break
        onset_day = last - 1 - number % 6
        case(index, "confirmed" if number % 3 else "suspected", onset_day, onset_day + 1)

    # Named columns: just after local midnight a one-day window has room for no planted visit.
    frame = pd.DataFrame(visits, columns=list(VISIT_COLUMNS))
    frame["checked_out_at"] = frame["checked_out_at"].astype("Int64")
    frame["source"] = DEMO_SOURCE
    return Clusters(frame, cases)
