"""A demo Ho Chi Minh City, deterministic by seed, written through the product's write path.

- 9,694 registered units as on 24 June 2021: 6,272 in the health sector and 3,422 state agencies
  and enterprises, plus public places (markets with the three real wholesale markets, stations,
  bus routes, supermarkets, schools, apartment blocks), each in a real ward near its centre;
  a city of more than 5 million check-ins has proportionally more units and places;
- a population with home wards and their own places (workplace or school, market, shop, home
  block); some dependants share a relative's phone;
- N check-ins over D local days ending now, four in five at a person's own places, with daily
  rhythms per kind of venue, per-kind dwell, some check-outs, all four declaration channels plus
  imports, about 1 % at-risk declarations;
- a few clusters of confirmed cases (a wholesale-market cluster, a factory shift, a hospital
  ward) so that traces have something to show, and community cases with everyday lives;
- a crowd at Chợ Bến Thành in the last hour, against its declared capacity, so that the
  crowding alert has a venue to show at the end instant (ingest/demo_crowd.py).
- two emerging clusters of at-risk declarations (ingest/demo_emerging.py): groups of
  neighbouring wards whose at-risk share rises over the last three days, the planted truth of
  the early warning's space-time scan.

Everything but the venues' QR tokens (which must stay unguessable) follows from the seed and the
end instant.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, func, select

from config.settings import DEFAULT_DWELL_MINUTES
from db.partitions import DAY_S, day_start
from db.schema import case_record, checkin, venue
from geo.admin_units import hcmc_districts, hcmc_wards
from ingest.demo_checkins import CheckinSampler
from ingest.demo_clusters import plant_clusters
from ingest.demo_crowd import declared_capacities, plant_crowd
from ingest.demo_emerging import plant_emerging
from ingest.demo_people import demo_people
from ingest.demo_venues import CHECKINS_PER_UNIT_SET, demo_venues
from queries.writes import resolve_people, upsert_venues, write_checkins

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class DemoSummary:
    venues: int
    registered_units: int
    people: int
    checkins: int
    cases: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.checkins / self.seconds if self.seconds else 0.0


class DemoCityError(Exception):
    pass


def _quiet(_fraction: float, _message: str) -> None:
    return None


def build_demo_city(
    engine: Engine,
    checkins: int = 100_000,
    days: int = 14,
    seed: int = 2021,
    end: datetime | None = None,
    dwell_minutes: dict[str, int] | None = None,
    chunk_size: int | None = None,
    progress: Progress = _quiet,
) -> DemoSummary:
    """Fill an initialised, empty database with the demo city (see the module docstring)."""
    if checkins < 1_000:
        raise DemoCityError("the demo city needs at least 1,000 check-ins")
    if days < 1:
        raise DemoCityError("the demo city needs at least one day")
    end = (end or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    dwell = {**DEFAULT_DWELL_MINUTES, **(dwell_minutes or {})}
    started = clock.perf_counter()
    with engine.connect() as connection:
        if connection.scalar(select(func.count()).select_from(venue)):
            raise DemoCityError(
                "the database already has venues; the demo city goes into an empty database"
            )
    rng = np.random.default_rng(seed)
    districts, wards = hcmc_districts(), hcmc_wards()

    progress(0.0, "venues")
    venues = demo_venues(rng, districts, wards, dwell, max(1.0, checkins / CHECKINS_PER_UNIT_SET))
    venues["capacity"] = declared_capacities(venues["venue_ref"])
    with engine.begin() as connection:
        upsert_venues(connection, venues)
        ids = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).fetchall())
    venues["venue_id"] = venues["venue_ref"].map(ids).astype(np.int64)

    progress(0.02, "people")
    n_people = max(2_000, checkins // 8)
    people = demo_people(rng, n_people, wards)
    with engine.begin() as connection:
        people["person_id"] = resolve_people(connection, people)

    window_start = day_start(int(end.timestamp())) - (days - 1) * DAY_S
    # How often each person goes out: the sampler's weights, and who becomes a community case.
    activity = rng.lognormal(0, 0.9, len(people))
    clusters = plant_clusters(rng, venues, people, activity, end, window_start, seed)
    crowd = plant_crowd(venues, people, end, seed)
    # The emerging clusters and the crowd take the place of the last everyday check-ins: the
    # sampler draws its chunks as without them (a chunk depends on its size), and the last rows
    # go unwritten.
    emerging = plant_emerging(
        seed, venues, people, checkins, days, len(wards), window_start, int(end.timestamp())
    )
    n_drawn = checkins - len(clusters.checkins)
    n_random = n_drawn - len(emerging) - len(crowd)
    chunk = chunk_size or (500_000 if engine.dialect.name == "postgresql" else 100_000)
    sampler = CheckinSampler(
        rng, venues, people, activity, window_start, int(end.timestamp()), seed
    )
    starts = [start for start in range(0, n_drawn, chunk) if start < n_random]
    # The next chunk is drawn in a thread while this one is written: a chunk depends only on
    # the seed and its position, and on two cores the database and the sampler overlap.
    with ThreadPoolExecutor(max_workers=1) as drawer:
        pending = [
            drawer.submit(sampler.sample, min(chunk, n_drawn - start), start)
            for start in starts[:1]
        ]
        for number, start in enumerate(starts):
            frame = pending.pop().result()
            if number + 1 < len(starts):
                following = starts[number + 1]
                pending.append(
                    drawer.submit(sampler.sample, min(chunk, n_drawn - following), following)
                )
            frame = frame.iloc[: n_random - start]
            with engine.begin() as connection:
                write_checkins(connection, frame)
            written = start + len(frame)
            progress(0.05 + 0.9 * written / checkins, f"{written:,} / {checkins:,} check-ins")

    with engine.begin() as connection:
        write_checkins(connection, clusters.checkins)
        if not crowd.empty:
            write_checkins(connection, crowd)
        if len(emerging):
            write_checkins(connection, emerging)
        connection.execute(case_record.insert(), clusters.cases)
    progress(1.0, "done")
    with engine.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(checkin)) or 0
    return DemoSummary(
        venues=len(venues),
        registered_units=int((venues["sector"] != "public").sum()),
        people=len(people),
        checkins=total,
        cases=len(clusters.cases),
        seconds=clock.perf_counter() - started,
    )
