"""Tracing on both databases: hand-computed scenarios with exact expected contacts.

Times are written local (Asia/Ho_Chi_Minh, UTC+7) as the epidemiologist reads them; the database
stores UTC. Market M dwells 60 min, office O 480 min, apartment AP 720 min (DESIGN §5)."""

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import Connection, select

from db.schema import case_record, checkin, traced_contact, venue
from queries.cases import AmbiguousPerson, PersonNotFound, find_person, register_case
from queries.contact_records import record_contacts
from queries.trace import TraceResult, TraceRules, case_visits, case_window, trace
from queries.trace_contacts import Contact, Step
from queries.venue_presence import present_at_venue
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.exposure import presence, qualifying_overlap, union_seconds, widen
from rules.exposure_spec import cut
from rules.phone import PhoneError
from tests.checkin_rows import checkin_frame

SAIGON = timezone(timedelta(hours=7))
DAY = date(2021, 8, 10)
VENUES = {"M": ("market", 60), "O": ("office", 480), "AP": ("apartment", 720)}


def at(hours, minutes=0, seconds=0, day=DAY):
    """A local wall-clock time on the day."""
    return datetime(day.year, day.month, day.day, hours, minutes, seconds, tzinfo=SAIGON)


def venue_row(ref, kind, dwell):
    return dict(
        venue_ref=ref, name=f"Venue {ref}", sector="public", kind=kind, address="",
        ward_code="26734", lat=10.79, lon=106.69, dwell_minutes=dwell,
        registered_on=date(2021, 6, 1), active=True,
    )  # fmt: skip


def build(engine, visits, people=None):
    """Venues M, O, AP; people named by visits (phone +8490300000n in order of appearance,
    or as given in people: name -> phone); check-ins (name, venue, time in, time out or None).
    Returns the person ids by name."""
    names = list(dict.fromkeys([*(people or {}), *(name for name, *_ in visits)]))
    phones = {name: (people or {}).get(name, f"+8490300{i:04d}") for i, name in enumerate(names)}
    with engine.begin() as connection:
        upsert_venues(
            connection, pd.DataFrame([venue_row(r, k, d) for r, (k, d) in VENUES.items()])
        )
        venue_ids = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        ids = resolve_people(
            connection,
            pd.DataFrame({"phone": [phones[n] for n in names], "full_name": names}),
        )
        person_ids = dict(zip(names, (int(i) for i in ids), strict=True))
        rows = [
            dict(person_id=person_ids[name], venue_id=venue_ids[ref], channel="self",
                 checked_in_at=time_in, checked_out_at=time_out)
            for name, ref, time_in, time_out in visits
        ]  # fmt: skip
        if rows:
            write_checkins(connection, checkin_frame(rows))
    return person_ids


def run(engine, case_id, since=None, until=None, depth=1, rules=TraceRules(), **options):
    with engine.connect() as connection:
        return trace(
            connection, case_id, since or at(0), until or at(0, day=DAY + timedelta(days=1)),
            rules, depth, **options,
        )  # fmt: skip


def summary(result):
    """Each contact as (name, level, first exposure local, minutes, venues, path)."""
    return [
        (c.full_name, c.level, c.first_exposure.astimezone(SAIGON), c.overlap_minutes, c.venues,
         [(s.through_name, s.venue_ref, s.at.astimezone(SAIGON)) for s in c.via])
        for c in result.contacts
    ]  # fmt: skip


# The worked example of DESIGN §5, row by row.
WORKED_EXAMPLE = [
    ("A", "M", at(8), None),
    ("B", "M", at(9, 15), at(9, 45)),
    ("C", "M", at(9, 14), None),
    ("D", "M", at(7), None),
    ("H", "M", at(8, 10), at(8, 20)),
    ("C", "O", at(10, 30), at(12)),
    ("E", "O", at(12, 10), None),
    ("F", "O", at(8), at(9)),
    ("D", "O", at(6), at(7, 30)),
    ("G", "O", at(6, 30), at(7)),
]


def test_the_worked_example_of_the_design_row_by_row(engine):
    ids = build(engine, WORKED_EXAMPLE)
    result = run(engine, ids["A"], depth=2)
    a_met_c = ("A", "M", at(9, 14))
    assert summary(result) == [
        ("D", 1, at(7, 45), 15, ("M",), [("A", "M", at(7, 45))]),
        ("H", 1, at(8, 10), 10, ("M",), [("A", "M", at(8, 10))]),  # met D too: stays F1
        ("C", 1, at(9, 14), 1, ("M",), [a_met_c]),
        ("B", 2, at(9, 15), 30, ("M",), [a_met_c, ("C", "M", at(9, 15))]),  # touched A only
        ("E", 2, at(12, 10), 5, ("O",), [a_met_c, ("C", "O", at(12, 10))]),
    ]  # F (at O before C came) and G (at O before D met A) are no contacts
    assert [(v.venue_ref, v.start, v.end) for v in result.visits] == [("M", at(8), at(9))]
    assert result.visits[0].start.tzinfo == UTC and result.visits[0].venue_kind == "market"
    assert [c.person_id for c in result.contacts[:3]] == [ids["D"], ids["H"], ids["C"]]
    assert result.contacts[0].phone == "+84903000003"
    assert result.contacts[0].via[0] == Step(ids["A"], "A", "+84903000000", "M", at(7, 45))


def test_depth_one_stops_at_f1(engine):
    ids = build(engine, WORKED_EXAMPLE)
    result = run(engine, ids["A"], depth=1)
    assert [(c.full_name, c.level) for c in result.contacts] == [("D", 1), ("H", 1), ("C", 1)]
    assert result.level(2) == ()


def test_rules_are_overridden_per_trace(engine):
    ids = build(engine, WORKED_EXAMPLE)
    no_buffer = run(engine, ids["A"], depth=2, rules=TraceRules(buffer_minutes=0))
    # A is at M 08:00–09:00 only: D (to 08:00) and C (from 09:14) no longer meet A.
    assert summary(no_buffer) == [("H", 1, at(8, 10), 10, ("M",), [("A", "M", at(8, 10))])]
    longer = run(engine, ids["A"], rules=replace(TraceRules(), min_overlap_minutes=12))
    assert [c.full_name for c in longer.contacts] == ["D"]  # C 1 min, H 10 min: too short


def test_without_time_out_presence_is_the_venue_dwell_and_a_time_out_ends_it(engine):
    ids = build(
        engine,
        [
            ("Case", "M", at(8), None),  # 08:00–09:00, widened 07:45–09:15
            ("Dwell", "M", at(8, 50), None),  # 08:50–09:50
            ("Late", "M", at(9, 20), None),
            ("Out", "M", at(7), at(7, 50)),
            ("Office", "O", at(8), None),  # same time, another venue
        ],
    )
    assert summary(run(engine, ids["Case"])) == [
        ("Out", 1, at(7, 45), 5, ("M",), [("Case", "M", at(7, 45))]),
        ("Dwell", 1, at(8, 50), 25, ("M",), [("Case", "M", at(8, 50))]),
    ]


def test_the_buffer_edge_one_minute_inside_counts_touching_does_not(engine):
    ids = build(
        engine,
        [
            ("Case", "M", at(8), None),  # widened 07:45–09:15
            ("In a minute", "M", at(6, 46), at(7, 46)),
            ("Touching before", "M", at(6, 45), at(7, 45)),
            ("Half a minute", "M", at(6, 45, 30), at(7, 45, 30)),
            ("Last minute", "M", at(9, 14), at(9, 16)),
            ("Touching after", "M", at(9, 15), at(9, 30)),
        ],
    )
    assert [(c.full_name, c.first_exposure, c.overlap_minutes) for c in run(engine, ids["Case"]).contacts] == [
        ("In a minute", at(7, 45), 1),
        ("Last minute", at(9, 14), 1),
    ]  # fmt: skip


def test_visits_twice_are_summed_and_a_moment_counts_once(engine):
    ids = build(
        engine,
        [
            ("Case", "M", at(8), None),  # widened 07:45–09:15
            ("Case", "M", at(10), at(10, 30)),  # widened 09:45–10:45
            ("Twice", "M", at(8), at(8, 10)),
            ("Twice", "M", at(8, 40), at(8, 50)),
            ("Between", "M", at(9), at(10)),  # 09:00–09:15 and 09:45–10:00
            ("Overlapping", "M", at(8), at(10)),  # two check-ins covering 08:00–11:00
            ("Overlapping", "M", at(9), at(11)),
        ],
    )
    assert [(c.full_name, c.first_exposure, c.overlap_minutes) for c in run(engine, ids["Case"]).contacts] == [
        ("Overlapping", at(8), 75 + 60),  # 08:00–09:15 and 09:45–10:45, each moment once
        ("Twice", at(8), 20),
        ("Between", at(9), 30),
    ]  # fmt: skip


def test_the_case_is_never_its_own_contact_but_a_dependant_on_its_phone_is(engine):
    ids = build(
        engine,
        [
            ("Case", "M", at(8), None),
            ("Case", "M", at(8, 30), None),
            ("Friend", "M", at(8, 40), at(9)),
            ("Case", "O", at(10), at(11)),  # after meeting Friend: the case is not its F2
            ("Friend", "O", at(10), at(11)),
            ("Grandma", "M", at(8, 45), at(8, 55)),
        ],
        people={"Case": "+84903111111", "Grandma": "+84903111111"},
    )
    result = run(engine, ids["Case"], depth=2)
    assert [(c.full_name, c.level) for c in result.contacts] == [("Friend", 1), ("Grandma", 1)]
    assert result.contacts[1].phone == "+84903111111"


def test_a_contact_at_two_venues_lists_both_and_sums_the_minutes(engine):
    ids = build(
        engine,
        [
            ("Case", "M", at(8), None),  # widened 07:45–09:15
            ("Case", "O", at(10), at(11)),  # widened 09:45–11:15
            ("Both", "O", at(10, 50), at(12)),  # 25 min
            ("Both", "M", at(8, 30), at(8, 40)),  # 10 min
        ],
    )
    [both] = run(engine, ids["Case"]).contacts
    assert (both.first_exposure, both.overlap_minutes, both.venues) == (at(8, 30), 35, ("M", "O"))
    assert both.via == (Step(ids["Case"], "Case", both.via[0].through_phone, "M", at(8, 30)),)


def test_f2_counts_only_the_f1s_presence_after_it_met_the_case(engine):
    day_before = DAY - timedelta(days=1)
    ids = build(
        engine,
        [
            ("Case", "M", at(8), None),
            ("F1", "M", at(8, 30), at(8, 45)),  # first met the case at 08:30
            ("F1", "O", at(10, day=day_before), at(11, day=day_before)),
            ("Day before", "O", at(10, 30, day=day_before), at(11, day=day_before)),
            ("F1", "O", at(7), at(8, 40)),  # widened 06:45–08:55, cut to 08:30–08:55
            ("Early", "O", at(7, 30), at(8)),
            ("After", "O", at(8, 50), at(9, 30)),
        ],
    )
    result = run(engine, ids["Case"], since=at(0, day=day_before), depth=2)
    assert summary(result) == [
        ("F1", 1, at(8, 30), 15, ("M",), [("Case", "M", at(8, 30))]),
        ("After", 2, at(8, 50), 5, ("O",), [("Case", "M", at(8, 30)), ("F1", "O", at(8, 50))]),
    ]


def test_the_lookback_window_counts_a_visit_at_its_start_not_one_second_before(engine):
    window_start = datetime(2021, 7, 31, 0, 0, tzinfo=SAIGON)  # 14 days before 14 Aug
    isolated = datetime(2021, 8, 14, 10, 0, tzinfo=SAIGON)
    second = timedelta(seconds=1)
    ids = build(
        engine,
        [
            ("Case", "M", window_start - second, None),  # ignored
            ("Near the ignored visit", "M", window_start + timedelta(minutes=5), None),
            ("Case", "O", window_start, at(1, day=date(2021, 7, 31))),  # counted
            ("At the start", "O", window_start, at(0, 30, day=date(2021, 7, 31))),
            ("Case", "M", isolated - second, None),  # counted
            ("Case", "O", isolated, None),  # isolated: ignored
            ("Before isolation", "M", at(10, day=date(2021, 8, 14)), at(10, 10, day=date(2021, 8, 14))),
            ("After isolation", "O", at(11, day=date(2021, 8, 14)), None),
        ],
    )  # fmt: skip
    with engine.begin() as connection:
        case_id = register_case(
            connection, ids["Case"], "confirmed", date(2021, 8, 15), date(2021, 8, 14), isolated,
            created_by="test",
        )  # fmt: skip
        row = connection.execute(select(case_record).where(case_record.c.id == case_id)).one()
        since, until = case_window(row, TraceRules(), now=datetime(2021, 8, 20, tzinfo=UTC))
        visits = case_visits(connection, ids["Case"], since, until)
    assert (since, until) == (window_start, isolated)
    assert [(v.venue_ref, v.start) for v in visits] == [
        ("O", window_start),
        ("M", isolated - second),
    ]
    result = run(engine, ids["Case"], since=since, until=until)
    assert [(c.full_name, c.first_exposure) for c in result.contacts] == [
        ("At the start", window_start),
        ("Before isolation", at(10, day=date(2021, 8, 14))),
    ]


def test_times_across_local_midnight_are_stored_utc_and_read_back_as_instants(engine):
    next_day = DAY + timedelta(days=1)
    ids = build(
        engine,
        [
            ("Case", "M", at(23, 30), at(0, 30, day=next_day)),  # 16:30–17:30 UTC
            ("After midnight", "M", at(0, 10, day=next_day), None),
        ],
    )
    result = run(engine, ids["Case"])  # the local day DAY: the visit started at 23:30
    [contact] = result.contacts
    assert contact.first_exposure == datetime(2021, 8, 10, 17, 10, tzinfo=UTC)
    assert contact.first_exposure.tzinfo == UTC
    assert contact.overlap_minutes == 35  # 00:10–00:45 local
    assert result.visits[0].start == datetime(2021, 8, 10, 16, 30, tzinfo=UTC)


def test_presence_is_capped_at_the_maximum(engine):
    day_before = DAY - timedelta(days=1)
    ids = build(
        engine,
        [
            ("Case", "AP", at(8), at(9)),  # widened 07:45–09:15
            ("Thirty hours", "AP", at(6, day=day_before), at(12)),  # capped at 06:00
            ("Capped at eight", "AP", at(8, day=day_before), at(12)),  # capped at 08:00
        ],
    )
    assert summary(run(engine, ids["Case"])) == [
        ("Capped at eight", 1, at(7, 45), 15, ("AP",), [("Case", "AP", at(7, 45))]),
    ]
    shorter = run(engine, ids["Case"], rules=TraceRules(max_presence_hours=12))
    assert shorter.contacts == ()


def test_progress_is_reported_up_to_the_end(engine):
    ids = build(engine, WORKED_EXAMPLE)
    seen = []
    run(engine, ids["A"], depth=2, progress=lambda fraction, message: seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen) and len(seen) >= 4


def test_who_was_at_a_venue_with_their_presence(engine):
    ids = build(engine, WORKED_EXAMPLE)
    with engine.connect() as connection:
        market = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == "M"))
        during = present_at_venue(connection, market, at(8), at(9))
        widened = present_at_venue(connection, market, at(7, 45), at(9, 15))
    assert [(p.full_name, p.start, p.end) for p in during] == [
        ("A", at(8), at(9)),
        ("H", at(8, 10), at(8, 20)),
    ]  # D until 08:00 only touches
    assert [p.full_name for p in widened] == ["D", "A", "H", "C"]  # B from 09:15 touches
    assert during[1].person_id == ids["H"] and during[1].phone == "+84903000004"


def test_cases_are_registered_and_contacts_recorded_keeping_lowest_level_and_earliest(engine):
    ids = build(engine, WORKED_EXAMPLE)
    with engine.begin() as connection:
        case_id = register_case(
            connection, ids["A"], "suspected", date(2021, 8, 12), None, None, "epi-1", "fever"
        )
        result = trace(connection, ids["A"], at(0), at(0, day=DAY + timedelta(days=1)), depth=2)
        assert record_contacts(connection, case_id, result, now=at(20)) == 5
        # A later trace that found C only as F2, later, and E as F1: lowest level, earliest kept.
        c = result.contacts[2]
        e = result.contacts[4]
        later = TraceResult(
            result.person_id, result.since, result.until, 2, result.rules, result.visits,
            (replace(c, level=2, first_exposure=at(11)), replace(e, level=1, first_exposure=at(13))),
        )  # fmt: skip
        assert record_contacts(connection, case_id, later, now=at(21)) == 2
        stored = connection.execute(
            select(traced_contact.c.person_id, traced_contact.c.level,
                   traced_contact.c.first_exposure_at, traced_contact.c.traced_at)
            .order_by(traced_contact.c.person_id)
        ).all()  # fmt: skip
        case = connection.execute(select(case_record)).one()
    assert [(pid, level, first) for pid, level, first, _ in stored] == [
        (ids["B"], 2, at(9, 15)),
        (ids["C"], 1, at(9, 14)),
        (ids["D"], 1, at(7, 45)),
        (ids["H"], 1, at(8, 10)),
        (ids["E"], 1, at(12, 10)),
    ]
    assert {pid: traced for pid, _, _, traced in stored}[ids["C"]] == at(21)
    assert (case.person_id, case.status, case.onset_date, case.created_by, case.note) == (
        ids["A"], "suspected", date(2021, 8, 12), "epi-1", "fever",
    )  # fmt: skip


def test_a_case_needs_a_known_person_a_status_and_a_date(engine):
    ids = build(engine, WORKED_EXAMPLE)
    with engine.begin() as connection:
        with pytest.raises(ValueError, match="onset date or a test date"):
            register_case(connection, ids["A"], "confirmed", None, None, None, "t")
        with pytest.raises(ValueError, match="status must be one of"):
            register_case(connection, ids["A"], "maybe", DAY, None, None, "t")
        with pytest.raises(LookupError, match="no person with id"):
            register_case(connection, 999_999, "confirmed", DAY, None, None, "t")


def test_people_are_found_by_any_phone_form_and_a_shared_phone_needs_a_name(engine):
    build(
        engine,
        [],
        people={"Nguyễn Văn An": "+84903123456", "Nguyễn Thị Bình": "+84903123456",
                "Trần Văn Cường": "+84909000001"},
    )  # fmt: skip
    with engine.connect() as connection:
        cuong = find_person(connection, "0909 000 001")
        an = find_person(connection, "84903123456", "  nguyễn văn  AN ")
        with pytest.raises(AmbiguousPerson) as shared:
            find_person(connection, "+84 903 123 456")
        with pytest.raises(PersonNotFound, match=r"no person with phone \+84909999999"):
            find_person(connection, "0909999999")
        with pytest.raises(PersonNotFound, match="known: Nguyễn Thị Bình, Nguyễn Văn An"):
            find_person(connection, "0903123456", "Lê Văn Dũng")
        with pytest.raises(PhoneError):
            find_person(connection, "hello")
    assert (cuong.phone, cuong.full_name) == ("+84909000001", "Trần Văn Cường")
    assert an.full_name == "Nguyễn Văn An"
    assert shared.value.names == ("Nguyễn Thị Bình", "Nguyễn Văn An")
    assert "2 people share the phone +84903123456: Nguyễn Thị Bình, Nguyễn Văn An" in str(
        shared.value
    )


def test_rules_are_validated_and_built_from_settings():
    from config.settings import TraceRules as TraceSettings

    assert TraceRules.from_settings(TraceSettings(buffer_minutes=20)) == TraceRules(20, 1, 14, 24)
    with pytest.raises(ValueError, match="max_presence_hours must be an integer 1..24"):
        TraceRules(max_presence_hours=25)
    with pytest.raises(ValueError, match="min_overlap_minutes"):
        TraceRules(min_overlap_minutes=0)


def test_contact_is_a_frozen_record():
    contact = Contact(1, "+84903000001", "An", 1, at(8), 5, ("M",), ())
    with pytest.raises(AttributeError):
        contact.level = 2


def reference_trace(checkins, dwell, case_id, since, until, rules):
    """F1 and F2 straight from DESIGN §5 by comparing every pair, to check the engine against:
    {(person_id, level, first exposure, overlap minutes, venue ids)}."""
    cap, minimum = rules.max_presence_hours, rules.min_overlap_minutes
    bands = [(p, v, i, presence(i, o, dwell[v], cap)) for p, v, i, o in checkins]
    at_venue = defaultdict(list)
    for p, v, _, band in bands:
        at_venue[v].append((p, band))
    first_at, level_of, covered = {}, {}, defaultdict(lambda: defaultdict(list))

    def expose(level, sources, known):
        for venue_id, exposure in sources:
            for p, band in at_venue[venue_id]:
                common = qualifying_overlap(band, exposure, minimum)
                if common is not None and p not in known:
                    first_at[p] = min(first_at.get(p, common.start), common.start)
                    level_of[p] = level
                    covered[p][venue_id].append(common)

    low, high = int(since.timestamp()), int(until.timestamp())
    case_visits = [(v, widen(band, rules.buffer_minutes)) for p, v, i, band in bands
                   if p == case_id and low <= i < high]  # fmt: skip
    expose(1, case_visits, {case_id})
    f1 = dict(first_at)
    onward = [(v, cut(widen(band, rules.buffer_minutes), f1[p])) for p, v, i, band in bands
              if p in f1 and i < high]  # fmt: skip
    expose(2, [(v, part) for v, part in onward if part is not None], {case_id, *f1})
    return {
        (p, level_of[p], first_at[p], sum(map(union_seconds, covered[p].values())) // 60,
         frozenset(covered[p]))
        for p in first_at
    }  # fmt: skip


def epoch_checkins(connection: Connection) -> list[tuple[int, int, int, int | None]]:
    """Every check-in as (person, venue, time in, time out) in epoch seconds, by time in."""
    return [
        (p, v, int(i.timestamp()), None if o is None else int(o.timestamp()))
        for p, v, i, o in connection.execute(
            select(checkin.c.person_id, checkin.c.venue_id, checkin.c.checked_in_at,
                   checkin.c.checked_out_at)
            .order_by(checkin.c.checked_in_at, checkin.c.id)
        )
    ]  # fmt: skip


def test_the_engine_agrees_with_comparing_every_pair_on_the_demo_city(demo_engine):
    rules = TraceRules()
    with demo_engine.connect() as connection:
        checkins = epoch_checkins(connection)
        dwell = dict(connection.execute(select(venue.c.id, venue.c.dwell_minutes)).all())
        refs = {v: k for v, k in connection.execute(select(venue.c.id, venue.c.venue_ref))}
        cases = connection.execute(select(case_record).order_by(case_record.c.id)).all()
        now = max(i for _, _, i, _ in checkins)
        seen = {1: 0, 2: 0}
        for case in cases[::4]:  # the market trader, a fellow trader, a factory worker, …
            since, until = case_window(case, rules, datetime.fromtimestamp(now + 1, UTC))
            result = trace(connection, case.person_id, since, until, rules, depth=2)
            ours = {
                (c.person_id, c.level, int(c.first_exposure.timestamp()), c.overlap_minutes,
                 frozenset(c.venues))
                for c in result.contacts
            }  # fmt: skip
            expected = reference_trace(checkins, dwell, case.person_id, since, until, rules)
            expected = {
                (p, lv, f, m, frozenset(refs[v] for v in vs)) for p, lv, f, m, vs in expected
            }
            assert ours == expected
            seen = {level: seen[level] + len(result.level(level)) for level in seen}
    assert seen[1] > 50 and seen[2] > 300  # the check compared real F1 and F2 lists
