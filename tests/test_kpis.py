"""Daily KPIs and the district table, checked against counts computed from raw rows."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select, text

from db.schema import case_record, checkin, person, traced_contact, venue, ward
from queries.area import wards_by_district
from queries.kpis import area_table, daily_kpis, daily_series, units_by_sector
from queries.writes import resolve_people, upsert_venues, write_checkins
from tests.checkin_rows import checkin_frame

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
LOCAL = timezone(timedelta(hours=7))
DAY = date(2021, 8, 10)


def a_venue(ref, ward_code, sector="public", kind="market", registered=date(2021, 6, 1)):
    return dict(
        venue_ref=ref, name=ref, sector=sector, kind=kind, address="", ward_code=ward_code,
        lat=10.8, lon=106.7, dwell_minutes=60, registered_on=registered, active=True,
    )  # fmt: skip


@pytest.fixture
def city(engine):
    """Two markets (Quận 1 / Tân Định, Gò Vấp / first ward), a clinic registered later, people."""
    go_vap_ward = wards_by_district()["764"][0]
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([
            a_venue("Q1", "26734"), a_venue("GV", go_vap_ward),
            a_venue("CLINIC", "26734", "health", "clinic", registered=DAY + timedelta(days=1)),
        ]))  # fmt: skip
        ids = resolve_people(connection, pd.DataFrame({
            "phone": [f"+8490300000{i}" for i in range(4)],
            "full_name": ["An", "Bình", "Cường", "Dung"],
            "home_ward_code": ["26734", "26734", go_vap_ward, go_vap_ward],
        }))  # fmt: skip
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        at = lambda h, m=0, day=DAY: datetime(day.year, day.month, day.day, h, m, tzinfo=LOCAL)  # noqa: E731
        rows = [
            # 10 Aug local: 3 at Q1 (one medium, one high), 1 at GV; 00:10 is still 10 Aug locally
            dict(person_id=ids[0], venue_id=venues["Q1"], checked_in_at=at(0, 10), channel="self"),
            dict(person_id=ids[1], venue_id=venues["Q1"], checked_in_at=at(8), channel="self", risk_level=1),
            dict(person_id=ids[2], venue_id=venues["Q1"], checked_in_at=at(23, 50), channel="staff", risk_level=2),
            dict(person_id=ids[3], venue_id=venues["GV"], checked_in_at=at(12), channel="self"),
            # 9 Aug local (the day before): 2 at GV; 23:59 local on 9 Aug is 16:59 UTC on 9 Aug
            dict(person_id=ids[3], venue_id=venues["GV"], checked_in_at=at(23, 59, DAY - timedelta(days=1)), channel="self"),
            dict(person_id=ids[2], venue_id=venues["GV"], checked_in_at=at(7, 0, DAY - timedelta(days=1)), channel="self", risk_level=1),
            # 11 Aug local 00:00 belongs to the next day
            dict(person_id=ids[0], venue_id=venues["Q1"], checked_in_at=at(0, 0, DAY + timedelta(days=1)), channel="self"),
        ]  # fmt: skip
        write_checkins(connection, checkin_frame(rows))
        connection.execute(case_record.insert().values(
            person_id=int(ids[2]), status="confirmed", onset_date=DAY, test_date=DAY,
            created_at=at(15), created_by="test",
        ))  # fmt: skip
        case_id = connection.scalar(select(case_record.c.id))
        connection.execute(traced_contact.insert(), [
            dict(case_id=case_id, person_id=int(ids[0]), level=1, first_exposure_at=at(8), traced_at=at(16)),
            dict(case_id=case_id, person_id=int(ids[1]), level=1, first_exposure_at=at(8), traced_at=at(16)),
        ])  # fmt: skip
    return {"engine": engine, "go_vap_ward": go_vap_ward}


def test_the_days_figures_with_deltas(city):
    with city["engine"].connect() as connection:
        kpis = daily_kpis(connection, DAY, SAIGON, None)
    today, yesterday = kpis.today, kpis.yesterday
    assert (today.declarations, today.at_risk, today.high_risk) == (4, 2, 1)
    assert today.risk_rate == pytest.approx(0.5)
    assert (today.new_cases, today.contacts_traced, today.active_units) == (1, 2, 2)
    assert (yesterday.declarations, yesterday.at_risk, yesterday.active_units) == (2, 1, 1)
    assert kpis.week_average["declarations"] == pytest.approx(2 / 7)
    assert kpis.units_by_sector == {"health": 0, "state": 0, "public": 2}  # the clinic came later


def test_figures_are_limited_to_the_area(city):
    go_vap = frozenset(wards_by_district()["764"])
    with city["engine"].connect() as connection:
        kpis = daily_kpis(connection, DAY, SAIGON, go_vap)
        nothing = daily_kpis(connection, DAY, SAIGON, frozenset())
        later = units_by_sector(connection, DAY + timedelta(days=1), frozenset({"26734"}))
    assert (kpis.today.declarations, kpis.today.at_risk, kpis.today.new_cases) == (1, 0, 1)
    assert kpis.today.contacts_traced == 0  # both contacts live in Quận 1
    assert nothing.today.declarations == 0 and nothing.units_by_sector == {
        "health": 0,
        "state": 0,
        "public": 0,
    }
    assert later == {"health": 1, "state": 0, "public": 1}


def test_every_day_of_the_range_has_a_row(city):
    with city["engine"].connect() as connection:
        series = daily_series(
            connection, DAY - timedelta(days=2), DAY + timedelta(days=1), SAIGON, None
        )
    assert list(series["day"]) == [
        DAY - timedelta(days=2),
        DAY - timedelta(days=1),
        DAY,
        DAY + timedelta(days=1),
    ]
    assert list(series["declarations"]) == [0, 2, 4, 1]
    assert list(series["at_risk"]) == [0, 1, 2, 0]


def test_the_area_table_and_its_ward_drill_down(city):
    with city["engine"].connect() as connection:
        districts = area_table(connection, DAY, DAY, SAIGON, None)
        wards = area_table(
            connection, DAY, DAY, SAIGON, frozenset(wards_by_district()["760"]), by="ward"
        )
    assert districts[
        ["code", "name", "declarations", "at_risk", "cases", "active_units"]
    ].values.tolist() == [
        ["760", "Quận 1", 3, 2, 0, 1],
        ["764", "Quận Gò Vấp", 1, 0, 1, 1],
    ]
    assert wards[["code", "declarations"]].values.tolist() == [["26734", 3]]


def test_areas_with_as_many_declarations_are_listed_by_code(engine):
    """Four wards of Quận 1, written highest code first: the one with two declarations leads,
    the three with one follow in code order (Citus's plan returned such ties in another order
    than PostgreSQL's)."""
    codes = sorted(wards_by_district()["760"])[:4]
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([a_venue(code, code) for code in reversed(codes)]))
        (an,) = resolve_people(
            connection, pd.DataFrame({"phone": ["+84903000001"], "full_name": ["An"]})
        )
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        visits = [codes[3], codes[2], codes[1], codes[0], codes[2]]
        write_checkins(connection, checkin_frame([
            dict(person_id=an, venue_id=venues[ref], channel="self",
                 checked_in_at=datetime(2021, 8, 10, 8 + hour, tzinfo=LOCAL))
            for hour, ref in enumerate(visits)
        ]))  # fmt: skip
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Groups by hash, not by sorting: they come back in no particular order.
            connection.execute(text("SET LOCAL enable_sort = off"))
        wards = area_table(connection, DAY, DAY, SAIGON, None, by="ward")
    assert wards[["code", "declarations"]].values.tolist() == [
        [codes[2], 2], [codes[0], 1], [codes[1], 1], [codes[3], 1]
    ]  # fmt: skip


def test_active_units_count_a_venue_once_over_a_range_across_63_day_blocks(engine):
    """The rollup behind a range's active units keeps 63 local days to a row: 28 July 2021
    ends one block, 29 September ends the next, 30 September opens a third. Q1-A is active on
    both sides of that boundary, Q1-B after the range, GV on 28 July and 28 September."""
    go_vap_ward = wards_by_district()["764"][0]
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([
            a_venue("Q1-A", "26734"), a_venue("Q1-B", "26734"), a_venue("GV", go_vap_ward),
        ]))  # fmt: skip
        (an,) = resolve_people(
            connection, pd.DataFrame({"phone": ["+84903000001"], "full_name": ["An"]})
        )
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        visits = [("Q1-A", 9, 29), ("Q1-A", 9, 30), ("Q1-B", 10, 1), ("GV", 7, 28), ("GV", 9, 28)]
        write_checkins(connection, checkin_frame([
            dict(person_id=an, venue_id=venues[ref], channel="self",
                 checked_in_at=datetime(2021, month, day, 12, tzinfo=LOCAL))
            for ref, month, day in visits
        ]))  # fmt: skip

    def table(first, last, zone=SAIGON):
        with engine.connect() as connection:
            frame = area_table(connection, first, last, zone, None)
        return frame[["code", "declarations", "active_units"]].values.tolist()

    boundary = (date(2021, 9, 29), date(2021, 9, 30))
    assert table(*boundary) == [["760", 2, 1]]
    assert table(date(2021, 9, 30), date(2021, 9, 30)) == [["760", 1, 1]]
    assert table(date(2021, 9, 28), date(2021, 10, 1)) == [["760", 3, 2], ["764", 1, 1]]
    # Three blocks: the whole middle one counts.
    assert table(date(2021, 7, 28), date(2021, 10, 1)) == [["760", 3, 2], ["764", 2, 1]]
    # Another zone's days are not the rollup's: counted from the hourly rollup, same answer.
    assert table(*boundary, ZoneInfo("Asia/Singapore")) == [["760", 2, 1]]


def test_demo_city_area_table_equals_distinct_counts_from_raw_rows(demo_engine):
    """Declarations and active units (distinct venues with a check-in) per district, and per
    ward of one district, against the raw check-ins grouped here, for 1, 3 and 7 days."""
    today = datetime.now(UTC).astimezone(SAIGON).date()
    with demo_engine.connect() as connection:
        raw = pd.DataFrame(
            connection.execute(
                select(checkin.c.checked_in_at, checkin.c.venue_id, venue.c.ward_code,
                       ward.c.district_code)
                .select_from(checkin.join(venue, venue.c.id == checkin.c.venue_id)
                             .join(ward, ward.c.code == venue.c.ward_code))
            ).all(),
            columns=["at", "venue_id", "ward_code", "district_code"],
        )  # fmt: skip
        raw["day"] = [moment.astimezone(SAIGON).date() for moment in raw["at"]]
        busiest = raw["district_code"].mode()[0]
        for days in (1, 3, 7):
            first = today - timedelta(days=days - 1)
            in_range = raw[(raw["day"] >= first) & (raw["day"] <= today)]
            for by, key, wards in (
                ("district", "district_code", None),
                ("ward", "ward_code", frozenset(wards_by_district()[busiest])),
            ):
                rows = in_range if wards is None else in_range[in_range["ward_code"].isin(wards)]
                expected = rows.groupby(key).agg(
                    declarations=("venue_id", "size"), active_units=("venue_id", "nunique")
                )
                table = area_table(connection, first, today, SAIGON, wards, by=by)
                got = table.set_index("code")[["declarations", "active_units"]]
                assert got.sort_index().values.tolist() == expected.sort_index().values.tolist()
                assert list(got.sort_index().index) == list(expected.sort_index().index)


def test_demo_city_series_equals_counts_from_raw_rows(demo_engine):
    """The rollup-based series against a count of raw check-ins by local day, made here."""
    today = datetime.now(UTC).astimezone(SAIGON).date()
    first = today - timedelta(days=6)
    with demo_engine.connect() as connection:
        series = daily_series(connection, first, today, SAIGON, None)
        instants = connection.execute(select(checkin.c.checked_in_at, checkin.c.risk_level)).all()
        people = connection.execute(select(person.c.id)).all()
    raw = pd.DataFrame(instants, columns=["at", "risk"])
    raw["day"] = [moment.astimezone(SAIGON).date() for moment in raw["at"]]
    expected = raw.groupby("day").agg(
        declarations=("risk", "size"), at_risk=("risk", lambda r: int((r > 0).sum()))
    )
    for row in series.itertuples():
        assert row.declarations == expected["declarations"].get(row.day, 0), row.day
        assert row.at_risk == expected["at_risk"].get(row.day, 0), row.day
    assert series["declarations"].sum() == len(raw)  # the demo's 7 days are exactly the range
    assert len(people) > 0


def test_a_day_under_way_compares_with_the_same_hours_before(city):
    with city["engine"].connect() as connection:
        morning = daily_kpis(connection, DAY, SAIGON, None, before_hour=9)
    # Before 09:00 local: on 10 Aug the 00:10 and 08:00 check-ins; on 9 Aug the 07:00 one.
    assert (morning.today.declarations, morning.today.at_risk) == (2, 1)
    assert (morning.yesterday.declarations, morning.yesterday.at_risk) == (1, 1)
    assert morning.today.new_cases == 0  # the case was registered at 15:00
    # Active units too: Q1 (00:10) but not GV (12:00); the day before, GV at 07:00.
    assert (morning.today.active_units, morning.yesterday.active_units) == (1, 1)


def test_a_zone_other_than_the_daily_rollups_counts_from_the_hourly_one(city):
    """Singapore is UTC+8: its days are not the daily rollup's, so active units come from the
    hourly one. Before 09:00 on 10 Aug there (08:00 in Ho Chi Minh City): Q1's 00:10 (01:10
    there) and GV's 23:59 of 9 Aug (00:59 there); on 9 Aug, GV's 07:00 (08:00 there)."""
    with city["engine"].connect() as connection:
        morning = daily_kpis(connection, DAY, ZoneInfo("Asia/Singapore"), None, before_hour=9)
        whole = daily_series(connection, DAY, DAY, ZoneInfo("Asia/Singapore"), None)
    assert (morning.today.declarations, morning.today.active_units) == (2, 2)
    assert (morning.yesterday.declarations, morning.yesterday.active_units) == (1, 1)
    # The whole 10 Aug there: 01:10, 09:00 at Q1; 00:59, 13:00 at GV (23:50 is 11 Aug there).
    assert whole[["declarations", "active_units"]].values.tolist() == [[4, 2]]
