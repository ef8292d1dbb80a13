"""Venue search, timeline and the look-up of who checked in, with masking by role."""

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import select

from db.schema import case_record, venue
from queries.area import wards_by_district
from queries.venues import search_venues, venue_detail, venue_timeline, who_checked_in
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.access import Scope
from tests.checkin_rows import checkin_frame

LOCAL = timezone(timedelta(hours=7))
EPI = Scope("epi", "epidemiologist")
LEADER = Scope("leader", "leadership")


def place(ref, name, ward_code="26734"):
    return dict(
        venue_ref=ref, name=name, sector="public", kind="market", address="1 Lê Lợi",
        ward_code=ward_code, lat=10.79, lon=106.69, dwell_minutes=60,
        registered_on=date(2021, 6, 1), active=True,
    )  # fmt: skip


@pytest.fixture
def market(engine):
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([
            place("M1", "Chợ Tân Định"), place("M2", "Chợ Bến Thành", "26743"),
            place("M3", "Siêu thị 100%_off", wards_by_district()["764"][0]),
        ]))  # fmt: skip
        ids = resolve_people(connection, pd.DataFrame({
            "phone": ["+84903000001", "+84903000002", "+84903000003"],
            "full_name": ["Nguyễn Văn An", "Trần Thị Bình", '=HYPERLINK("x")'],
        }))  # fmt: skip
        m1 = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == "M1"))
        at = lambda h, m=0: datetime(2021, 8, 1, h, m, tzinfo=LOCAL)  # noqa: E731
        write_checkins(connection, checkin_frame([
            dict(person_id=ids[0], venue_id=m1, checked_in_at=at(8, 5), channel="self"),
            dict(person_id=ids[1], venue_id=m1, checked_in_at=at(8, 20), channel="proxy", risk_level=1),
            dict(person_id=ids[2], venue_id=m1, checked_in_at=at(9, 40), channel="staff",
                 checked_out_at=at(10, 0)),
        ]))  # fmt: skip
        connection.execute(case_record.insert().values(
            person_id=int(ids[1]), status="confirmed", onset_date=date(2021, 8, 3),
            created_at=at(12), created_by="t",
        ))  # fmt: skip
    return {"engine": engine, "venue_id": m1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cho", ["M2", "M1"]),  # accents and case ignored: 'Chợ'
        ("CHỢ tân", ["M1"]),
        ("ben thanh", ["M2"]),
        ("M3", ["M3"]),  # by reference
        ("100%", ["M3"]),  # LIKE's wildcards are literal
        ("%", ["M3"]),  # only the name that has a percent sign
        ("_", ["M3"]),
        ("' OR 1=1 --", []),
    ],
)
def test_search_ignores_accents_and_case_and_treats_input_as_text(market, text, expected):
    with market["engine"].connect() as connection:
        found = search_venues(connection, text, None, None)
    assert list(found["venue_ref"]) == expected


def test_search_and_details_stay_inside_the_area(market):
    go_vap = frozenset(wards_by_district()["764"])
    with market["engine"].connect() as connection:
        assert list(search_venues(connection, "", go_vap, None)["venue_ref"]) == ["M3"]
        assert venue_detail(connection, market["venue_id"], go_vap, None) is None
        assert venue_detail(connection, market["venue_id"], None, None).name == "Chợ Tân Định"


def test_timeline_by_hour_and_quarter_hour(market):
    start = datetime(2021, 8, 1, 0, 0, tzinfo=LOCAL)
    end = start + timedelta(days=1)
    with market["engine"].connect() as connection:
        hourly = venue_timeline(connection, market["venue_id"], start, end, 60)
        quarters = venue_timeline(connection, market["venue_id"], start, end, 15)
    assert hourly.values.tolist() == [
        [datetime(2021, 8, 1, 1, 0, tzinfo=UTC), 2, 1, 1],  # 08:xx local; Bình is a case
        [datetime(2021, 8, 1, 2, 0, tzinfo=UTC), 1, 0, 0],
    ]
    assert quarters[["checkins", "at_risk", "case_visits"]].values.tolist() == [
        [1, 0, 0],
        [1, 1, 1],
        [1, 0, 0],
    ]
    assert list(quarters["bucket"].dt.tz_convert("Asia/Ho_Chi_Minh").dt.strftime("%H:%M")) == [
        "08:00",
        "08:15",
        "09:30",
    ]


def test_who_checked_in_is_paged_and_masked_for_roles_without_personal_data(market):
    start = datetime(2021, 8, 1, 8, 0, tzinfo=LOCAL)
    end = datetime(2021, 8, 1, 9, 0, tzinfo=LOCAL)
    with market["engine"].connect() as connection:
        epi = who_checked_in(connection, market["venue_id"], start, end, EPI, 0, 1)
        second = who_checked_in(connection, market["venue_id"], start, end, EPI, 1, 1)
        leader = who_checked_in(connection, market["venue_id"], start, end, LEADER)
    assert epi.total == 2 and not epi.masked
    assert list(epi.rows["full_name"]) == ["Nguyễn Văn An"]
    assert list(second.rows["full_name"]) == ["Trần Thị Bình"]
    assert leader.masked
    assert list(leader.rows["full_name"]) == ["N. V. A.", "T. T. B."]
    assert list(leader.rows["phone"]) == ["+84••••••001", "+84••••••002"]
