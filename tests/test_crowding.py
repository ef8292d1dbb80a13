"""Crowding now: the rule by hand (rules/crowding.py), the query on both engines around a fixed
moment (queries/crowding.py), a venue's declared capacity through the import, and the Venues
page's section in both languages."""

import io
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import select

from db.schema import venue, venue_day, venue_hour
from i18n.labels import label
from ingest.imports import import_venues
from queries.crowding import crowded_venues, past_weeks, recent_counts
from queries.writes import resolve_people, write_checkins
from rules.access import Scope
from rules.crowding import (
    ABOVE_USUAL,
    CAPACITY_HOUR,
    CAPACITY_PACE,
    PastWeek,
    Thresholds,
    Usual,
    crowding_reasons,
    seconds_in_last_hour,
    usual,
    week_figure,
)
from tests.checkin_rows import checkin_frame
from tests.conftest import opened
from tests.page_runs import open_page, point_app_at, read_in
from tests.venue_rows import add_venues, market_row

LOCAL = timezone(timedelta(hours=7))
RULE = Thresholds(factor=2.0, margin=20, spread_multiple=3.0, capacity_share=0.8, min_weeks=2)


# --- the rule ---------------------------------------------------------------------------------


def test_the_window_s_seconds_in_the_hour_it_ends_in():
    hour = int(datetime(2021, 8, 23, 9, 0, tzinfo=LOCAL).timestamp())
    assert seconds_in_last_hour(hour + 20 * 60) == 1200  # 08:20-09:20: 20 minutes of 09:00
    assert seconds_in_last_hour(hour) == 3600  # 08:00-09:00: the whole hour of 08:00
    assert seconds_in_last_hour(hour + 1) == 1


def test_a_past_week_s_figure_takes_each_hour_s_share_of_the_window():
    # 08:20-09:20 a week earlier: 40 minutes of 08:00 (12 check-ins) and 20 of 09:00 (18).
    assert week_figure(12, 18, 1200) == 12 * 40 / 60 + 18 * 20 / 60 == 14.0
    assert week_figure(12, 18, 3600) == 18.0


def test_the_usual_is_the_median_of_open_weeks_and_its_spread_their_deviation():
    weeks = [PastWeek(12, 18, True), PastWeek(9, 15, True), PastWeek(15, 9, True),
             PastWeek(0, 0, False)]  # fmt: skip
    # Figures 14, 11, 13 (the closed week is left out): median 13, deviations 1, 2, 0.
    assert usual(weeks, 1200, min_weeks=2) == Usual(level=13.0, spread=1.0, weeks=3)
    assert usual(weeks, 1200, min_weeks=4) is None  # three open weeks are not enough
    assert usual([], 1200, min_weeks=1) is None


@pytest.mark.parametrize(
    ("last_15", "last_60", "level", "capacity", "expected"),
    [
        # usual 13: needs 26 (2 x 13) and 33 (13 + 20); 33 is enough, 32 is not
        (5, 33, Usual(13, 1, 3), None, (ABOVE_USUAL,)),
        (5, 32, Usual(13, 1, 3), None, ()),
        # usual 30: 50 is 20 more but not twice as many
        (5, 50, Usual(30, 0, 3), None, ()),
        (5, 60, Usual(30, 0, 3), None, (ABOVE_USUAL,)),
        # usual 2: 6 is three times as many but only 4 more
        (2, 6, Usual(2, 0, 3), None, ()),
        # usual 0 (open, but empty at this hour): the margin alone decides
        (5, 20, Usual(0, 0, 2), None, (ABOVE_USUAL,)),
        # a swinging venue (spread 10): 30 more than usual 20 is within 3 x 10
        (5, 49, Usual(20, 10, 4), None, ()),
        (5, 50, Usual(20, 10, 4), None, (ABOVE_USUAL,)),
        # no usual: only the capacity can make it crowded
        (5, 500, None, None, ()),
        # capacity 100 at 80 %: 80 in the hour; 20 in a quarter (80 an hour at that pace)
        (19, 80, None, 100, (CAPACITY_HOUR,)),
        (20, 79, None, 100, (CAPACITY_PACE,)),
        (19, 79, None, 100, ()),
        (30, 90, Usual(10, 0, 3), 100, (ABOVE_USUAL, CAPACITY_HOUR, CAPACITY_PACE)),
    ],
)
def test_crowding_reasons(last_15, last_60, level, capacity, expected):
    assert crowding_reasons(last_15, last_60, level, capacity, RULE) == expected


# --- the query --------------------------------------------------------------------------------

# Monday 23 August 2021, 09:20 in Ho Chi Minh City: the last 60 minutes are 08:20-09:20.
NOW = datetime(2021, 8, 23, 9, 20, tzinfo=LOCAL)
WEEK = timedelta(days=7)


def at(minutes_before_now: int) -> datetime:
    return NOW - timedelta(minutes=minutes_before_now)


@pytest.fixture
def city(engine):
    """A: 40 check-ins in the window (10 in the last quarter) against a usual of 13.
    B: capacity 50, 10 check-ins in the last quarter, no past weeks.
    C: 25 check-ins, usual 30. E: 30 check-ins, one open past week only.
    G: in Gò Vấp, like A. Outside the window: one at 08:19 and one at 09:20 at A."""
    with engine.begin() as connection:
        ids = add_venues(
            connection,
            market_row("A", "Chợ An Đông"),
            market_row("B", "Siêu thị Bình Tây", "26743", capacity=50),
            market_row("C", "Chợ Cũ"),
            market_row("E", "Chợ Mới"),
            market_row("G", "Chợ Gò Vấp", "26872"),  # Phường 15, Gò Vấp
        )
        people = resolve_people(connection, pd.DataFrame({
            "phone": [f"+8490300{i:04d}" for i in range(200)],
            "full_name": [f"Người {i}" for i in range(200)],
        }))  # fmt: skip
        visits = []

        def arrive(ref, minutes_before_now, count=1):
            for _ in range(count):
                visits.append(dict(
                    person_id=int(people[len(visits) % 200]), venue_id=ids[ref],
                    checked_in_at=at(minutes_before_now), channel="self",
                ))  # fmt: skip

        arrive("A", 60, 10)  # 08:20, the window's first second
        arrive("A", 30, 20)
        arrive("A", 15, 10)  # 09:05, the last quarter's first second
        arrive("A", 61)  # 08:19: before the window
        arrive("A", 0)  # 09:20: now, after it
        arrive("B", 45, 2)
        arrive("B", 10, 10)
        arrive("C", 30, 25)
        arrive("E", 30, 30)
        arrive("G", 30, 40)
        write_checkins(connection, checkin_frame(visits))

        # Past weeks, as the rollups keep them: (hour 08:00, hour 09:00) per week back.
        past = {
            "A": {1: (12, 18), 2: (9, 15), 3: (15, 9)},  # week 4: closed that day
            "C": {1: (30, 30), 2: (30, 30), 3: (30, 30)},
            "E": {2: (8, 8)},
            "G": {1: (12, 18), 2: (9, 15), 3: (15, 9)},
        }
        eight = NOW.replace(minute=0) - timedelta(hours=1)
        for ref, weeks in past.items():
            for back, (before, of_end) in weeks.items():
                hour = eight - back * WEEK
                connection.execute(venue_hour.insert(), [
                    dict(venue_id=ids[ref], hour_start=hour, checkins=before, at_risk=0,
                         high_risk=0),
                    dict(venue_id=ids[ref], hour_start=hour + timedelta(hours=1),
                         checkins=of_end, at_risk=0, high_risk=0),
                ])  # fmt: skip
                connection.execute(venue_day.insert().values(
                    day_start=hour.replace(hour=0), venue_id=ids[ref],
                    checkins=before + of_end, at_risk=0, high_risk=0, first_hour_start=hour,
                ))  # fmt: skip
    return ids


def test_recent_counts_read_the_window_of_candidates_from_the_rollup(engine, city):
    with engine.connect() as connection:
        found = recent_counts(connection, NOW, None, floor=20)
    # B has a capacity, so it is read though its two hours hold 12; C, E, G hold 25 or more.
    assert [(r.venue_ref, r.last_15, r.last_60, r.capacity) for r in found] == [
        ("A", 10, 40, None), ("G", 0, 40, None), ("E", 0, 30, None), ("C", 0, 25, None),
        ("B", 10, 12, 50),
    ]  # fmt: skip
    # A's two hours hold 42 (08:19 and 09:20 besides the window's 40): a floor above that
    # leaves only the venue with a capacity.
    with engine.connect() as connection:
        assert [r.venue_ref for r in recent_counts(connection, NOW, None, floor=43)] == ["B"]
        assert [r.venue_ref for r in recent_counts(connection, NOW, None, floor=42)] == [
            "A", "B",
        ]  # fmt: skip


def test_past_weeks_come_from_the_rollups_and_a_closed_day_is_not_open(engine, city):
    with engine.connect() as connection:
        weeks = past_weeks(connection, [city["A"], city["E"]], NOW, 4)
    assert weeks[city["A"]] == [
        PastWeek(12, 18, True), PastWeek(9, 15, True), PastWeek(15, 9, True),
        PastWeek(0, 0, False),
    ]  # fmt: skip
    assert weeks[city["E"]] == [
        PastWeek(0, 0, False), PastWeek(8, 8, True), PastWeek(0, 0, False), PastWeek(0, 0, False),
    ]  # fmt: skip


def test_crowded_venues_at_a_fixed_moment(engine, city):
    with engine.connect() as connection:
        crowded = crowded_venues(connection, NOW, None, RULE, weeks=4)
    shown = crowded[["venue_ref", "name", "ward", "last_15", "last_60", "usual", "capacity",
                     "reasons"]].astype(object)  # fmt: skip
    assert shown.where(shown.notna(), None).values.tolist() == [
        ["A", "Chợ An Đông", "Phường Tân Định", 10, 40, 13.0, None, (ABOVE_USUAL,)],
        ["G", "Chợ Gò Vấp", "Phường 15", 0, 40, 13.0, None, (ABOVE_USUAL,)],
        ["B", "Siêu thị Bình Tây", "Phường Bến Thành", 10, 12, None, 50, (CAPACITY_PACE,)],
    ]  # fmt: skip
    # C is below twice its usual, E has one open week (no usual) and no capacity.


def test_crowded_venues_stay_inside_the_area(engine, city):
    with engine.connect() as connection:
        crowded = crowded_venues(connection, NOW, frozenset({"26734"}), RULE, weeks=4)
    assert crowded["venue_ref"].tolist() == ["A"]


def test_a_naive_moment_is_refused(engine):
    with engine.connect() as connection, pytest.raises(ValueError, match="naive"):
        crowded_venues(connection, datetime(2021, 8, 23, 9, 20), None, RULE, weeks=4)


# --- a declared capacity through the import ---------------------------------------------------

HEADER = "venue_ref,name,sector,kind,ward_code,address,lat,lon,capacity"


def test_venues_import_with_and_without_a_capacity_and_a_bad_one_is_refused(engine):
    text = (
        f"{HEADER}\n"
        "CHO-1,Chợ Tân Định,public,market,26734,,10.7905,106.6905,800\n"
        "CHO-2,Chợ Bến Thành,public,market,26743,,10.7725,106.698,\n"
        "CHO-3,Chợ Cũ,public,market,26743,,10.7725,106.698,many\n"
        "CHO-4,Chợ Mới,public,market,26743,,10.7725,106.698,0\n"
    )
    report = import_venues(
        engine, io.BytesIO(text.encode()), today=datetime(2021, 7, 1, tzinfo=UTC)
    )
    assert [(e.line, e.reason) for e in report.errors] == [
        (4, "capacity 'many' is not a whole number"),
        (5, "capacity 0 is outside 1–1,000,000"),
    ]
    assert [(e.line, e.reason_in("vi")) for e in report.errors] == [
        (4, "Sức chứa không phải số nguyên: 'many'"),
        (5, "Sức chứa 0 nằm ngoài khoảng 1–1.000.000"),
    ]
    with engine.connect() as connection:
        stored = connection.execute(
            select(venue.c.venue_ref, venue.c.capacity).order_by(venue.c.venue_ref)
        ).all()
    assert [tuple(row) for row in stored] == [("CHO-1", 800), ("CHO-2", None)]
    # A file without the column imports as before: no capacity declared.
    old = "venue_ref,name,sector,kind,ward_code,address,lat,lon\nCHO-5,Chợ,public,market,26734,,10.79,106.69\n"
    assert import_venues(engine, io.BytesIO(old.encode())).created == 1


# --- the Venues page --------------------------------------------------------------------------


@pytest.fixture
def crowded_now(database_url):
    """A venue with a capacity of 40 and 9 check-ins 5 minutes ago (the real now: the pages
    ask about the current moment): 4 x 9 = 36 reach 80 % of 40 at the last quarter's pace."""
    from ui import crowding as crowding_ui

    crowding_ui.crowded.clear()
    now = datetime.now(UTC)
    with opened(database_url) as engine, engine.begin() as connection:
        ids = add_venues(connection, market_row("K", "Chợ Kim Biên", capacity=40))
        people = resolve_people(connection, pd.DataFrame({
            "phone": [f"+8490311{i:04d}" for i in range(9)],
            "full_name": [f"Khách {i}" for i in range(9)],
        }))  # fmt: skip
        write_checkins(connection, checkin_frame([
            dict(person_id=int(p), venue_id=ids["K"], channel="self",
                 checked_in_at=now - timedelta(minutes=5))
            for p in people
        ]))  # fmt: skip
    return database_url


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_venues_page_shows_crowding_now_in_both_languages(monkeypatch, crowded_now, language):
    point_app_at(monkeypatch, crowded_now)
    app = open_page("venues", Scope("epi", "epidemiologist"), read_in(monkeypatch, language))
    assert label("crowding.title", language) in [h.value for h in app.subheader]
    table = next(f.value for f in app.dataframe if label("column.last_15", language) in f.value)
    assert table[label("column.name", language)].tolist() == ["Chợ Kim Biên"]
    assert table[label("column.reason", language)].tolist() == [
        label("crowding.reason.capacity_pace", language)
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_wall_names_the_crowded_venue_on_its_line(monkeypatch, crowded_now, language):
    point_app_at(monkeypatch, crowded_now)
    app = open_page(
        "wall", Scope("screen:Phòng 1", "command_centre"), read_in(monkeypatch, language)
    )
    [line] = [h.proto.body for h in app.get("html") if '<div class="wall-crowding' in h.proto.body]
    assert "Chợ Kim Biên (Phường Tân Định) 9/60′" in line
    assert label("crowding.reason.capacity_pace", language) in line
    assert len(app.metric) == 7  # the line adds no figure tile


# --- the demo city ----------------------------------------------------------------------------


def test_the_demo_city_has_a_crowded_market_at_its_end(engine):
    """Chợ Bến Thành declares a capacity of 100 and gets 85 arrivals in the last hour (25 in the
    last quarter): crowded at the end instant by both capacity tests, and the total number of
    check-ins is still the one asked for."""
    from ingest.demo_city import build_demo_city

    end = datetime(2021, 8, 23, 10, 0, tzinfo=UTC)
    summary = build_demo_city(engine, checkins=3_000, days=3, seed=11, end=end)
    with engine.connect() as connection:
        crowded = crowded_venues(connection, end, None, RULE, weeks=4)
    market = crowded[crowded["venue_ref"] == "CHO-BT"]
    assert summary.checkins == 3_000
    assert market[["name", "capacity", "reasons"]].values.tolist() == [
        ["Chợ Bến Thành", 100, (CAPACITY_HOUR, CAPACITY_PACE)]
    ]
    assert int(market["last_60"].iloc[0]) >= 85 and int(market["last_15"].iloc[0]) >= 25
