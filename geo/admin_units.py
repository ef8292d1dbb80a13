"""Ho Chi Minh City's 22 district-level units and 273 wards (structure in force until mid-2025).

Source: the `vietnamadminunits` package (MIT), table `admin_units_legacy` of its bundled
dataset, which carries the official GSO codes, names and centre coordinates.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

HCMC_PROVINCE_CODE = "79"
# Bounds of the city with a margin of about 2 km, for validating coordinates.
HCMC_BOUNDS = {"min_lat": 10.35, "max_lat": 11.18, "min_lon": 106.34, "max_lon": 107.03}


@dataclass(frozen=True)
class District:
    code: str
    name: str
    kind: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Ward:
    code: str
    district_code: str
    name: str
    kind: str
    lat: float
    lon: float


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


@lru_cache(maxsize=1)
def _rows() -> tuple[dict, ...]:
    # Imported here: the package parses its address tables on import (a third of a second),
    # which every manage.py command paid, most of them never reading a ward.
    from vietnamadminunits.database import query

    rows = query(
        "SELECT district, districtType, districtCode, districtLat, districtLon, "
        "ward, wardType, wardCode, wardLat, wardLon FROM admin_units_legacy "
        "WHERE provinceCode = '79' ORDER BY districtCode, wardCode"
    )
    return tuple(rows)


def hcmc_districts() -> list[District]:
    seen: dict[str, District] = {}
    for row in _rows():
        seen.setdefault(
            row["districtCode"],
            District(
                code=row["districtCode"],
                name=_nfc(row["district"]),
                kind=_nfc(row["districtType"]),
                lat=float(row["districtLat"]),
                lon=float(row["districtLon"]),
            ),
        )
    return list(seen.values())


def hcmc_wards() -> list[Ward]:
    return [
        Ward(
            code=row["wardCode"],
            district_code=row["districtCode"],
            name=_nfc(row["ward"]),
            kind=_nfc(row["wardType"]),
            lat=float(row["wardLat"]),
            lon=float(row["wardLon"]),
        )
        for row in _rows()
    ]


def inside_hcmc(lat: float, lon: float) -> bool:
    return (
        HCMC_BOUNDS["min_lat"] <= lat <= HCMC_BOUNDS["max_lat"]
        and HCMC_BOUNDS["min_lon"] <= lon <= HCMC_BOUNDS["max_lon"]
    )


def area_label(district_code: str | None, ward_code: str | None = None) -> str | None:
    """'Phường Bến Nghé, Quận 1' / 'Quận 1' / None for the whole city."""
    districts = {d.code: d.name for d in hcmc_districts()}
    wards = {w.code: w.name for w in hcmc_wards()}
    if ward_code and ward_code in wards:
        return f"{wards[ward_code]}, {districts.get(district_code or '', '')}".rstrip(", ")
    return districts.get(district_code or "")
