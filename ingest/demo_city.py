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
  ward) so that traces have something to show, and community cases with everyday lives.

Everything but the venues' QR tokens (which must stay unguessable) follows from the seed and the
end instant.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from config.settings import DEFAULT_DWELL_MINUTES
from db.schema import case_record, checkin, venue
from geo.admin_units import District, Ward, hcmc_districts, hcmc_wards
from ingest.demo_names import (
    BRAND_WORDS,
    FAMILY_NAMES,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    MIDDLE_NAMES_FEMALE,
    MIDDLE_NAMES_MALE,
    MOBILE_PREFIXES,
    STREETS,
)
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.risk import assess_risk

Progress = Callable[[float, str], None]

LOCAL_OFFSET_S = 7 * 3600  # Asia/Ho_Chi_Minh is UTC+7 all year
DEMO_SOURCE = "demo"
IMPORT_SOURCE = "moh-demo"  # the share that arrives from the Ministry's declaration system
# Up to this many check-ins the city has the units of 24 June 2021; a larger city has
# proportionally more (registration went on through 2021), so that a venue's crowd stays that
# of a real venue instead of growing with the city: at 20M, four times as many.
CHECKINS_PER_UNIT_SET = 5_000_000
REGISTERED_HEALTH = 6_272
REGISTERED_STATE_AND_ENTERPRISE = 3_422


@dataclass(frozen=True)
class VenueSpec:
    prefix: str  # venue_ref prefix
    sector: str
    kind: str
    count: int
    popularity: float  # relative chance that a check-in is at one such venue
    rhythm: str
    names: tuple[str, ...]  # name templates: {brand}, {ward}, {district}, {n}


# Registered health units (sums to 6,272) and state agencies and enterprises (to 3,422).
REGISTERED: tuple[VenueSpec, ...] = (
    VenueSpec("HOS", "health", "hospital", 120, 60, "clinic", ("Bệnh viện {brand}",)),
    VenueSpec("TYT", "health", "clinic", 273, 6, "clinic", ("Trạm Y tế {ward}",)),
    VenueSpec(
        "PK", "health", "clinic", 1_900, 8, "clinic",
        ("Phòng khám Đa khoa {brand}", "Phòng khám {brand} {n}", "Nha khoa {brand}"),
    ),
    VenueSpec(
        "NT", "health", "pharmacy", 3_979, 3, "shop", ("Nhà thuốc {brand} {n}", "Quầy thuốc {n}")
    ),
    VenueSpec("UBP", "government", "office", 273, 10, "office", ("UBND {ward}",)),
    VenueSpec("UBQ", "government", "office", 22, 20, "office", ("UBND {district}",)),
    VenueSpec(
        "CQ", "government", "office", 905, 10, "office",
        ("Chi cục Thuế {n}", "Bảo hiểm Xã hội {district}", "Kho bạc Nhà nước {n}",
         "Công an {ward}", "Trung tâm Hành chính công {n}"),
    ),
    VenueSpec(
        "KCN", "enterprise", "industrial_zone", 18, 300, "factory",
        ("Khu công nghiệp {brand}", "Khu chế xuất {brand}"),
    ),
    VenueSpec(
        "NM", "enterprise", "factory", 1_500, 25, "factory",
        ("Công ty TNHH {brand} {n}", "Nhà máy {brand}", "Xưởng may {brand} {n}"),
    ),
    VenueSpec(
        "DN", "enterprise", "office", 704, 10, "office",
        ("Công ty Cổ phần {brand}", "Văn phòng {brand} {n}"),
    ),
)  # fmt: skip
PUBLIC: tuple[VenueSpec, ...] = (
    VenueSpec("CHO", "public", "market", 230, 40, "market", ("Chợ {ward}", "Chợ {brand}")),
    VenueSpec(
        "ST", "public", "supermarket", 200, 30, "evening",
        ("Siêu thị Co.opmart {brand}", "Bách Hóa Xanh {n}", "Siêu thị {brand}"),
    ),
    VenueSpec("TTTM", "public", "mall", 40, 50, "evening", ("Trung tâm Thương mại {brand}",)),
    VenueSpec("BX", "public", "station", 9, 150, "transit", ("Bến xe {brand}",)),
    VenueSpec("BUS", "public", "bus", 150, 40, "transit", ("Xe buýt tuyến số {n}",)),
    VenueSpec(
        "CC", "public", "apartment", 500, 15, "home", ("Chung cư {brand}", "Chung cư {brand} {n}")
    ),
    VenueSpec(
        "TH", "public", "school", 600, 20, "school",
        ("Trường THCS {brand}", "Trường Tiểu học {brand}", "Trường THPT {brand}"),
    ),
    VenueSpec("QA", "public", "restaurant", 200, 6, "evening", ("Quán ăn {brand} {n}",)),
    VenueSpec("CH", "public", "shop", 100, 5, "evening", ("Cửa hàng {brand} {n}",)),
)  # fmt: skip

# Real places, by their official ward code: name, kind, popularity, rhythm.
LANDMARKS: tuple[tuple[str, str, str, str, float, str], ...] = (
    ("CDM-BD", "Chợ đầu mối nông sản thực phẩm Bình Điền", "27433", "market", 2500, "wholesale"),
    ("CDM-HM", "Chợ đầu mối nông sản thực phẩm Hóc Môn", "27580", "market", 1800, "wholesale"),
    ("CDM-TD", "Chợ đầu mối nông sản thực phẩm Thủ Đức", "26803", "market", 2000, "wholesale"),
    ("CHO-BT", "Chợ Bến Thành", "26743", "market", 400, "market"),
    ("BX-MD", "Bến xe Miền Đông", "26914", "station", 900, "transit"),
    ("BX-MT", "Bến xe Miền Tây", "27460", "station", 800, "transit"),
    ("GA-SG", "Ga Sài Gòn", "27142", "station", 600, "transit"),
)

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
COMMUNITY_CASES = 24
# Cases are reported in a local day's working hours (07:30-20:00), from their own random stream.
REPORT_HOURS = (7.5, 20.0)
REPORT_TIME_STREAM = 7
CHANNEL_MIX = (("self", 0.78), ("proxy", 0.08), ("staff", 0.08), ("advance", 0.03))
IMPORT_SHARE = 0.03
CHECKOUT_SHARE = 0.35


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
    venues = _venues(rng, districts, wards, dwell, max(1.0, checkins / CHECKINS_PER_UNIT_SET))
    with engine.begin() as connection:
        upsert_venues(connection, venues)
        ids = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).fetchall())
    venues["venue_id"] = venues["venue_ref"].map(ids).astype(np.int64)

    progress(0.02, "people")
    n_people = max(2_000, checkins // 8)
    people = _people(rng, n_people, wards)
    with engine.begin() as connection:
        people["person_id"] = resolve_people(connection, people)

    window_start = _local_midnight(end) - (days - 1) * 86_400
    # How often each person goes out: the sampler's weights, and who becomes a community case.
    activity = rng.lognormal(0, 0.9, len(people))
    clusters = _clusters(rng, venues, people, activity, end, window_start, seed)
    n_random = checkins - len(clusters.checkins)
    chunk = chunk_size or (500_000 if engine.dialect.name == "postgresql" else 100_000)
    sampler = _CheckinSampler(
        rng, venues, people, activity, window_start, int(end.timestamp()), seed
    )
    starts = list(range(0, n_random, chunk))
    # The next chunk is drawn in a thread while this one is written: a chunk depends only on
    # the seed and its position, and on two cores the database and the sampler overlap.
    with ThreadPoolExecutor(max_workers=1) as drawer:
        pending = [
            drawer.submit(sampler.sample, min(chunk, n_random - start), start)
            for start in starts[:1]
        ]
        for number, start in enumerate(starts):
            frame = pending.pop().result()
            if number + 1 < len(starts):
                following = starts[number + 1]
                pending.append(
                    drawer.submit(sampler.sample, min(chunk, n_random - following), following)
                )
            with engine.begin() as connection:
                write_checkins(connection, frame)
            written = start + len(frame)
            progress(0.05 + 0.9 * written / checkins, f"{written:,} / {checkins:,} check-ins")

    with engine.begin() as connection:
        write_checkins(connection, clusters.checkins)
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


def _local_midnight(instant: datetime) -> int:
    """Epoch seconds of the local (UTC+7) midnight that starts the instant's local day."""
    local = int(instant.timestamp()) + LOCAL_OFFSET_S
    return local - local % 86_400 - LOCAL_OFFSET_S


# --- venues --------------------------------------------------------------------------------


def _venues(
    rng: np.random.Generator,
    districts: list[District],
    wards: list[Ward],
    dwell: dict[str, int],
    scale: float = 1.0,
) -> pd.DataFrame:
    """The landmarks, one ward health station and committee per ward, one district committee per
    district, and the other units and public places: their 2021 counts times scale."""
    district_names = {d.code: d.name for d in districts}
    ward_by_code = {w.code: w for w in wards}
    rows: list[dict] = []
    # Urban wards (phường) hold more venues than rural communes (xã).
    ward_weights = np.array([1.0 if w.kind == "Phường" else 0.6 for w in wards])
    ward_weights /= ward_weights.sum()

    def place(ward_obj: Ward, spread: float = 0.0035) -> tuple[float, float]:
        lat, lon = rng.normal(0, spread, 2).clip(-2.5 * spread, 2.5 * spread)
        return round(ward_obj.lat + lat, 6), round(ward_obj.lon + lon, 6)

    for ref, name, ward_code, kind, popularity, rhythm in LANDMARKS:
        home = ward_by_code[ward_code]
        lat, lon = place(home, 0.001)
        rows.append(_venue_row(ref, name, "public", kind, home, district_names, lat, lon, rng))
        rows[-1].update(popularity=popularity, rhythm=rhythm)

    used_names = {row["name"] for row in rows}
    for spec in REGISTERED + PUBLIC:
        if spec.count == len(wards) and spec.names[0].endswith("{ward}"):
            chosen = list(wards)  # one per ward: ward health stations, ward committees
        elif spec.count == len(districts):
            by_district = {d.code: next(w for w in wards if w.district_code == d.code)
                           for d in districts}  # fmt: skip
            chosen = list(by_district.values())
        else:
            count = round(spec.count * scale)
            chosen = [wards[i] for i in rng.choice(len(wards), count, p=ward_weights)]
        for number, home in enumerate(chosen, start=1):
            template = spec.names[int(rng.integers(len(spec.names)))]
            name = template.format(
                brand=BRAND_WORDS[int(rng.integers(len(BRAND_WORDS)))],
                ward=home.name,
                district=district_names[home.district_code],
                n=number,
            )
            if name in used_names:  # keep names distinguishable in search results
                name = (
                    f"{name} ({home.name})"
                    if f"{name} ({home.name})" not in used_names
                    else (f"{name} số {number}")
                )
            used_names.add(name)
            lat, lon = place(home)
            row = _venue_row(
                f"{spec.prefix}-{number:05d}", name, spec.sector, spec.kind, home,
                district_names, lat, lon, rng,
            )  # fmt: skip
            row.update(popularity=spec.popularity * rng.lognormal(0, 0.5), rhythm=spec.rhythm)
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["dwell_minutes"] = frame["kind"].map(dwell).astype(int)
    return frame


def _venue_row(
    ref: str,
    name: str,
    sector: str,
    kind: str,
    home: Ward,
    district_names: dict[str, str],
    lat: float,
    lon: float,
    rng: np.random.Generator,
) -> dict:
    street = STREETS[int(rng.integers(len(STREETS)))]
    number = int(rng.integers(1, 400))
    return {
        "venue_ref": ref,
        "name": name,
        "sector": sector,
        "kind": kind,
        "address": f"{number} {street}, {home.name}, {district_names[home.district_code]}",
        "ward_code": home.code,
        "district_code": home.district_code,
        "lat": lat,
        "lon": lon,
        # Rolled out in June 2021: 9,694 units were live by 24 June.
        "registered_on": date(2021, 6, 1) + timedelta(days=int(rng.integers(0, 24))),
        "active": True,
    }


# --- people --------------------------------------------------------------------------------


def _people(rng: np.random.Generator, count: int, wards: list[Ward]) -> pd.DataFrame:
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
            "id_number": np.where(has_id, id_numbers, None),
            "birth_year": birth_year,
            "home_ward_code": np.array([w.code for w in wards])[home],
            "district_code": np.array([w.district_code for w in wards])[home],
        }
    )
    # A person is (phone, name): drop the rare dependant who got their relative's name.
    return frame.drop_duplicates(["phone", "full_name"]).reset_index(drop=True)


# --- check-ins -----------------------------------------------------------------------------


class _CheckinSampler:
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
        self.n_days = (window_end - window_start) // 86_400 + 1
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
        stays = (dwell_s * rng.lognormal(0, 0.35, size)).astype(np.int64).clip(60, 86_400)
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
        starts = self.window_start + day * 86_400 + hours * 3600 + rng.integers(3600, size=size)
        # Today's future hours fall back to the same hour on an earlier day.
        late = starts > self.window_end
        while late.any():
            back = rng.integers(1, self.n_days + 1, size=int(late.sum())) * 86_400
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
        external_id = np.where(imported, np.char.add("MOH-", numbers.astype(str)), None)
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


# --- clusters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clusters:
    checkins: pd.DataFrame
    cases: list[dict]


def _clusters(
    rng: np.random.Generator,
    venues: pd.DataFrame,
    people: pd.DataFrame,
    activity: np.ndarray,
    end: datetime,
    window_start: int,
    seed: int = 0,
) -> _Clusters:
    """Planted visits and the cases they explain, placed relative to the window's last day.

    A case is reported on its test day (a suspected case without a test, the day after its
    onset), at a time of that day's working hours, or earlier when the day is still under way:
    the day's KPIs count new cases by report time, and stamping every case at `end` made them
    all new today. Report times come from their own stream of the seed, so the rest of the city
    is the same as before they existed.
    """
    today = _local_midnight(end)
    end_s = int(end.timestamp())
    reported = np.random.default_rng([seed, REPORT_TIME_STREAM])
    n_days = (today - window_start) // 86_400 + 1
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
        start = window_start + day * 86_400 + int(start_h * 3600)
        stop = start + int(hours * 3600)
        if stop > int(end.timestamp()):
            return
        visits.append(
            {
                "person_id": int(people.at[person, "person_id"]),
                "venue_id": int(venues.at[venue_index, "venue_id"]),
                "checked_in_at": start,
                "checked_out_at": stop if rng.random() < 0.5 else None,
                "channel": "self",
            }
        )

    def case(person: int, status: str, onset_day: int, test_day: int | None) -> None:
        first_day = datetime.fromtimestamp(window_start + LOCAL_OFFSET_S, UTC).date()
        onset = first_day + timedelta(days=onset_day)
        tested = None if test_day is None else onset + timedelta(days=test_day - onset_day)
        report_day = min(test_day if test_day is not None else onset_day + 1, n_days - 1)
        day_start = window_start + report_day * 86_400
        at = day_start + int(reported.uniform(*REPORT_HOURS) * 3600)
        if at > end_s:  # the day is still under way: reported in its hours so far
            at = day_start + int(reported.uniform(0, 1) * (end_s - day_start))
        cases.append(
            {
                "person_id": int(people.at[person, "person_id"]),
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

    frame = pd.DataFrame(visits)
    frame["checked_out_at"] = frame["checked_out_at"].astype("Int64")
    frame["source"] = DEMO_SOURCE
    return _Clusters(frame, cases)
