"""Importing venues on both databases: created, then updated in place by venue_ref."""

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from db.schema import venue
from ingest.imports import import_venues
from ingest.report import ImportFileError

HEADER = "venue_ref,name,sector,kind,ward_code,address,lat,lon,default_dwell_minutes"
TODAY = datetime(2021, 7, 1, 3, 0, tzinfo=UTC)


def load(engine, text, **options):
    return import_venues(engine, io.BytesIO(text.encode("utf-8")), today=TODAY, **options)


def venues(engine):
    columns = [venue.c[name] for name in ("venue_ref", "name", "sector", "kind", "ward_code",
                                           "address", "lat", "lon", "dwell_minutes")]  # fmt: skip
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(*columns).order_by(venue.c.venue_ref))]


ROWS = [
    ("CHO-1,Chợ Tân Định,public,market,26734,48 Hai Bà Trưng,10.7905,106.6905,", None),
    ("BV-1,Bệnh viện Chợ Rẫy,health,hospital,27307,201B Nguyễn Chí Thanh,10.7579,106.6594,150",
     None),
    ("X-1,Nowhere,public,market,99999,,10.79,106.69,",
     "unknown ward_code '99999' (not one of Ho Chi Minh City's 273 wards)"),
    ("X-2,Hà Nội,public,market,26734,,21.0285,105.8542,",
     "coordinates 21.0285, 105.8542 are outside Ho Chi Minh City (lat 10.35–11.18, lon "
     "106.34–107.03)"),
    ("X-3,Quán,private,restaurant,26734,,10.79,106.69,",
     "unknown sector 'private'; expected one of health, government, enterprise, public"),
    ("X-4,Quán,public,karaoke,26734,,10.79,106.69,",
     "unknown kind 'karaoke'; expected one of hospital, clinic, pharmacy, office, factory, "
     "industrial_zone, market, supermarket, mall, shop, restaurant, school, apartment, "
     "station, bus, other"),
    ("X-5,Quán,public,restaurant,26734,,10.79,106.69,0",
     "default_dwell_minutes 0 is outside 1–1440 minutes"),
    ("X-6,,public,restaurant,26734,,10.79,106.69,", "missing name"),
    ("X-7,Quán,public,restaurant,26734,,ten,106.69,", "lat 'ten' is not a number"),
    ("CHO-1,Chợ Tân Định (bản sao),public,market,26734,,10.79,106.69,",
     "venue_ref 'CHO-1' repeated (first at line 2)"),
    ("X-8,Quán,public,restaurant,26734", "wrong column count: 5 fields, expected 9"),
    (" UBND-P1 , UBND  Phường 1 ,Government,Office,26752,,10.7601,106.6813,", None),
]  # fmt: skip


def test_good_venues_are_created_and_each_bad_one_is_reported(engine):
    text = "\n".join([HEADER] + [record for record, _ in ROWS]) + "\n"
    report = load(engine, text, chunk_size=4)
    expected = [(line, reason) for line, (_, reason) in enumerate(ROWS, start=2) if reason]
    assert [(e.line, e.reason) for e in report.errors] == expected
    assert (report.read, report.created, report.updated, report.rejected) == (12, 3, 0, 9)
    assert venues(engine) == [
        ("BV-1", "Bệnh viện Chợ Rẫy", "health", "hospital", "27307", "201B Nguyễn Chí Thanh",
         10.7579, 106.6594, 150),
        ("CHO-1", "Chợ Tân Định", "public", "market", "26734", "48 Hai Bà Trưng", 10.7905,
         106.6905, 60),  # dwell from the kind
        ("UBND-P1", "UBND Phường 1", "government", "office", "26752", "", 10.7601, 106.6813,
         480),
    ]  # fmt: skip


def test_importing_again_updates_in_place_keeping_token_registration_and_active(engine):
    first = f"{HEADER}\nCHO-1,Chợ Tân Định,public,market,26734,48 Hai Bà Trưng,10.7905,106.6905,\n"
    load(engine, first)
    with engine.begin() as connection:
        connection.execute(venue.update().values(active=False))
        before = connection.execute(select(venue.c.token, venue.c.registered_on)).one()
    changed = first.replace("Chợ Tân Định,", "Chợ Tân Định mới,").replace(",\n", ",90\n")
    report = import_venues(
        engine, io.BytesIO(changed.encode()), today=datetime(2021, 9, 1, tzinfo=UTC)
    )
    with engine.connect() as connection:
        after = connection.execute(
            select(venue.c.token, venue.c.registered_on, venue.c.active, venue.c.name,
                   venue.c.dwell_minutes)
        ).one()  # fmt: skip
    assert (report.created, report.updated) == (0, 1)
    assert tuple(before) == (after.token, date(2021, 7, 1))
    assert after.registered_on == date(2021, 7, 1) and after.active is False
    assert (after.name, after.dwell_minutes) == ("Chợ Tân Định mới", 90)


def test_settings_give_the_default_dwell(engine):
    text = f"{HEADER}\nCHO-1,Chợ Tân Định,public,market,26734,,10.7905,106.6905,\n"
    load(engine, text, dwell_minutes={"market": 75})
    assert venues(engine)[0][-1] == 75


def test_jsonl_venues_and_a_missing_column(engine):
    text = (
        '{"venue_ref": "CHO-1", "name": "Chợ Tân Định", "sector": "public", "kind": "market", '
        '"ward_code": 26734, "address": "", "lat": 10.7905, "lon": 106.6905}\n'
        '{"venue_ref": "CHO-2", "name": "Chợ Bến Thành", "sector": "public", "kind": "market", '
        '"ward_code": "26743", "lat": 10.7725, "lon": 106.698, "default_dwell_minutes": 30}\n'
    )
    report = load(engine, text)
    assert [(e.line, e.reason) for e in report.errors] == [(2, "missing column address")]
    assert venues(engine) == [
        ("CHO-1", "Chợ Tân Định", "public", "market", "26734", "", 10.7905, 106.6905, 60)
    ]


def test_a_missing_header_column_writes_nothing(engine):
    with pytest.raises(ImportFileError, match="missing column\\(s\\) lat, lon"):
        load(engine, "venue_ref,name,sector,kind,ward_code,address\nA,B,public,market,26734,\n")
    assert venues(engine) == []
