"""The demo city's venues: the units registered by 24 June 2021 and the public places.

9,694 registered units (6,272 in the health sector, 3,422 state agencies and enterprises), the
real landmarks (the three wholesale markets, Bến Thành, the coach stations and the railway
station) and public places, each in a real ward near its centre. A city of more than 5 million
check-ins has proportionally more units and places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.admin_units import District, Ward
from ingest.demo_names import BRAND_WORDS, STREETS

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


def demo_venues(
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
