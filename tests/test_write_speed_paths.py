"""The write path's fast paths keep its contract on both engines: text survives COPY's CSV
exactly, import keys are claimed once whatever path finds them, rollups equal raw counts, and
an unknown venue fails the batch as a foreign key would."""

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from db.arrays import pg_array
from db.schema import (
    checkin,
    checkin_key,
    person,
    venue_activity,
    venue_day,
    venue_hour,
    ward_day,
    ward_hour,
)
from queries.checkin_rows import CheckinRow, write_checkin_rows
from queries.integrity import rollup_mismatches
from queries.writes import resolve_people, write_checkins
from tests.checkin_rows import checkin_frame
from tests.venue_rows import add_venues, market_row

AT = datetime(2021, 8, 2, 1, 0, tzinfo=UTC)
AWKWARD = [
    "",
    "plain",
    'a "quoted" word',
    "comma, and; semicolon",
    "back\\slash \\N",
    "tab\tand\nnewline\r",
    "{braces},NULL",
    "Nguyễn Thị Ánh — ổn",
    "NULL",
]


def two_venues(engine):
    with engine.begin() as connection:
        venues = add_venues(
            connection, market_row("A", "A", "26734"), market_row("B", "B", "26743")
        )
        people = resolve_people(
            connection,
            pd.DataFrame({"phone": ["+84903000001", "+84903000002"], "full_name": ["An", "Bình"]}),
        )
    return venues, [int(p) for p in people]


def test_text_columns_come_back_exactly_as_written_and_empty_is_not_null(engine):
    venues, (an, _) = two_venues(engine)
    rows = [
        dict(person_id=an, venue_id=venues["A"], channel="import", checked_in_at=AT,
             symptoms=text, exposures=text[:100], risk_reasons=text, source=f"src {text}"[:40],
             external_id=text or None)
        for text in AWKWARD
    ]  # fmt: skip
    with engine.begin() as connection:
        skipped = write_checkins(connection, checkin_frame(rows))
    with engine.connect() as connection:
        stored = connection.execute(
            select(
                checkin.c.symptoms, checkin.c.risk_reasons, checkin.c.source, checkin.c.external_id
            ).order_by(checkin.c.id)
        ).all()
        keys = set(connection.execute(select(checkin_key.c.source, checkin_key.c.external_id)))
    assert list(skipped) == []
    assert [s.symptoms for s in stored] == AWKWARD
    assert [s.risk_reasons for s in stored] == AWKWARD
    assert [s.external_id for s in stored] == [None, *AWKWARD[1:]]
    assert keys == {(f"src {t}"[:40], t) for t in AWKWARD[1:]}


def test_a_pg_array_literal_escapes_what_postgresql_would_misread():
    assert pg_array([]) == "{}"
    assert pg_array([1, 22, -3]) == "{1,22,-3}"
    assert pg_array(['a"b', "c\\d", "e,f"]) == '{"a\\"b","c\\\\d","e,f"}'


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.int64, np.uint32])
@pytest.mark.parametrize("size", [3, 1_999, 2_000, 50_001])
def test_a_numpy_integer_array_s_literal_is_what_str_and_join_write(dtype, size):
    values = np.random.default_rng(size).integers(0, np.iinfo(dtype).max, size, dtype=dtype)
    if np.issubdtype(dtype, np.signedinteger):
        values[::3] = -values[::3]
    assert pg_array(values) == "{" + ",".join(str(v) for v in values.tolist()) + "}"


def test_a_numpy_integer_array_s_literal_is_read_back_by_postgresql_as_the_same_numbers(
    postgresql_engine,
):
    values = np.array([-(2**63), -1, 0, 7, 2**63 - 1] * 1_000, dtype=np.int64)
    with postgresql_engine.connect() as connection:
        read = connection.exec_driver_sql(
            "SELECT %(v)s::bigint[]", {"v": pg_array(values)}
        ).scalar()
    assert read == values.tolist()


def test_keys_found_stored_by_an_earlier_batch_are_skipped_with_their_positions(engine):
    venues, (an, binh) = two_venues(engine)

    def rows(ids):
        return checkin_frame([
            dict(person_id=an if i % 2 else binh, venue_id=venues["A" if i % 3 else "B"],
                 channel="import", checked_in_at=AT + timedelta(minutes=i), source="moh",
                 external_id=f"M-{i}", risk_level=i % 3)
            for i in ids
        ])  # fmt: skip

    with engine.begin() as connection:
        assert list(write_checkins(connection, rows(range(0, 100, 2)))) == []
    batch = rows(range(100)).set_axis(range(1000, 1100))  # any index: positions are 0-based
    batch = pd.concat([batch, batch.iloc[[1, 3]]])  # and repeats within the batch
    with engine.begin() as connection:
        skipped = write_checkins(connection, batch)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(checkin))
        keys = connection.scalar(select(func.count()).select_from(checkin_key))
        assert rollup_mismatches(connection) == []
        high = connection.scalar(select(func.sum(venue_hour.c.high_risk)))
    assert list(skipped) == [*range(0, 100, 2), 100, 101]
    assert count == keys == 100
    assert high == sum(1 for i in range(100) if i % 3 == 2)


def test_rows_without_a_key_are_never_skipped_and_rollups_follow_them(engine):
    venues, (an, _) = two_venues(engine)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "person_id": an,
            "venue_id": rng.choice([venues["A"], venues["B"]], 5_000),
            "checked_in_at": int(AT.timestamp()) + rng.integers(0, 3 * 86_400, 5_000),
            "channel": "self",
            "risk_level": rng.choice([0, 0, 0, 1, 2], 5_000),
        }
    )
    for _ in range(2):
        with engine.begin() as connection:
            assert list(write_checkins(connection, frame)) == []
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(checkin)) == 10_000
        assert connection.scalar(select(func.sum(ward_hour.c.checkins))) == 10_000
        assert connection.scalar(select(func.sum(ward_hour.c.at_risk))) == 2 * int(
            (frame["risk_level"] > 0).sum()
        )
        assert rollup_mismatches(connection) == []


def test_a_checkin_at_an_unknown_venue_fails_the_batch_and_writes_nothing(engine):
    venues, (an, _) = two_venues(engine)
    rows = [
        dict(person_id=an, venue_id=venues["A"], channel="self", checked_in_at=AT,
             source="moh", external_id="U-1"),
        dict(person_id=an, venue_id=999_999, channel="self", checked_in_at=AT),
    ]  # fmt: skip
    with pytest.raises(ValueError, match="unknown venue id"):
        with engine.begin() as connection:
            write_checkins(connection, checkin_frame(rows))
    with engine.connect() as connection:
        for table in (checkin, checkin_key, venue_hour, ward_hour):
            assert connection.scalar(select(func.count()).select_from(table)) == 0


def test_people_repeated_in_a_batch_resolve_to_one_id_in_first_seen_order(engine):
    frame = pd.DataFrame(
        {
            "phone": ["+84903000009", "+84903000008", "+84903000009", "+84903000008"],
            "full_name": ["Chi", "Dũng", "Chi", "Dung"],
            "birth_year": [1990, None, 1990, 1985],
        }
    )
    with engine.begin() as connection:
        ids = resolve_people(connection, frame)
        again = resolve_people(connection, frame.iloc[::-1])
        stored = connection.execute(
            select(person.c.full_name, person.c.birth_year).order_by(person.c.id)
        ).all()
    assert ids[0] == ids[2] and len(set(ids)) == 3
    assert ids[0] < ids[1] < ids[3]  # new people numbered in order of first appearance
    assert list(again) == list(ids[::-1])
    assert [tuple(r) for r in stored] == [("Chi", 1990), ("Dũng", None), ("Dung", 1985)]


def test_new_peoples_awkward_names_and_details_are_stored_exactly_and_missing_ones_as_null(
    engine,
):
    """PostgreSQL sends a batch's people as array literals: quotes, backslashes, braces and
    the word NULL in a name or ID number come back as written, and only a missing detail is
    NULL."""
    frame = pd.DataFrame(
        {
            "phone": [f"+8490300{n:04d}" for n in range(len(AWKWARD))],
            "full_name": [text or "?" for text in AWKWARD],
            "id_number": [text[:20] if n % 3 else None for n, text in enumerate(AWKWARD)],
            "birth_year": [1950 + n if n % 2 else None for n in range(len(AWKWARD))],
            "home_ward_code": ["26734" if n % 2 else None for n in range(len(AWKWARD))],
        }
    )
    with engine.begin() as connection:
        ids = resolve_people(connection, frame)
        again = resolve_people(connection, frame[["phone", "full_name"]])
        stored = connection.execute(
            select(
                person.c.full_name, person.c.id_number, person.c.birth_year,
                person.c.home_ward_code,
            ).order_by(person.c.id)
        ).all()  # fmt: skip
    assert list(again) == list(ids)
    assert [tuple(r) for r in stored] == list(
        frame[["full_name", "id_number", "birth_year", "home_ward_code"]]
        .astype(object)
        .where(frame.notna()[["full_name", "id_number", "birth_year", "home_ward_code"]], None)
        .itertuples(index=False, name=None)
    )


def test_the_daily_venue_rollup_counts_local_days(engine):
    venues, (an, _) = two_venues(engine)
    local = timezone(timedelta(hours=7))
    times = [
        datetime(2021, 8, 2, 0, 0, tzinfo=local),  # local midnight: that day
        datetime(2021, 8, 2, 6, 59, tzinfo=local),  # UTC's previous day, local 2 August
        datetime(2021, 8, 2, 23, 59, tzinfo=local),
        datetime(2021, 8, 1, 23, 59, tzinfo=local),  # the day before
    ]
    rows = [
        dict(person_id=an, venue_id=venues["A"], channel="self", checked_in_at=t, risk_level=r)
        for t, r in zip(times, [0, 1, 2, 0], strict=True)
    ]
    with engine.begin() as connection:
        write_checkins(connection, checkin_frame(rows[1:]))
        # Later batches bring the day's earliest hour: 06:00 becomes 00:00 local.
        write_checkins(connection, checkin_frame(rows[:1]))
        write_checkins(connection, checkin_frame(rows[:1]))
    with engine.connect() as connection:
        days = connection.execute(
            select(
                venue_day.c.day_start, venue_day.c.checkins, venue_day.c.at_risk,
                venue_day.c.high_risk, venue_day.c.first_hour_start,
            ).order_by(venue_day.c.day_start)
        ).all()  # fmt: skip
    assert [tuple(d) for d in days] == [
        (datetime(2021, 7, 31, 17, 0, tzinfo=UTC), 1, 0, 0, datetime(2021, 8, 1, 16, tzinfo=UTC)),
        (datetime(2021, 8, 1, 17, 0, tzinfo=UTC), 4, 2, 1, datetime(2021, 8, 1, 17, tzinfo=UTC)),
    ]


def test_the_daily_ward_rollup_sums_both_venues_of_a_ward_by_local_day(engine):
    venues, (an, binh) = two_venues(engine)
    local = timezone(timedelta(hours=7))
    rows = [
        dict(person_id=an, venue_id=venues["A"], channel="self", risk_level=1,
             checked_in_at=datetime(2021, 8, 2, 6, 30, tzinfo=local)),  # 1 Aug in UTC
        dict(person_id=binh, venue_id=venues["B"], channel="self", risk_level=2,
             checked_in_at=datetime(2021, 8, 2, 20, 0, tzinfo=local)),
        dict(person_id=an, venue_id=venues["B"], channel="self",
             checked_in_at=datetime(2021, 8, 3, 0, 0, tzinfo=local)),
    ]  # fmt: skip
    with engine.begin() as connection:
        write_checkins(connection, checkin_frame(rows[:1]))
        write_checkins(connection, checkin_frame(rows[1:]))
        days = connection.execute(
            select(ward_day.c.day_start, ward_day.c.ward_code, ward_day.c.checkins,
                   ward_day.c.at_risk, ward_day.c.high_risk)
            .order_by(ward_day.c.day_start, ward_day.c.ward_code)
        ).all()  # fmt: skip
        assert rollup_mismatches(connection) == []
    two_august = datetime(2021, 8, 1, 17, tzinfo=UTC)
    assert [tuple(d) for d in days] == [
        (two_august, "26734", 1, 1, 0),
        (two_august, "26743", 1, 1, 1),
        (two_august + timedelta(days=1), "26743", 1, 0, 0),
    ]


def activity_rows(connection):
    return [
        tuple(r)
        for r in connection.execute(
            select(venue_activity).order_by(venue_activity.c.block, venue_activity.c.venue_id)
        )
    ]


def test_venue_activity_sets_one_bit_per_local_day_63_days_to_a_row(engine):
    """Block 299 holds local days 18837..18899: 29 July 2021 is its bit 0, 29 September its
    bit 62, and 30 September is bit 0 of block 300."""
    venues, (an, binh) = two_venues(engine)
    local = timezone(timedelta(hours=7))
    times = [
        datetime(2021, 7, 29, 0, 0, tzinfo=local),  # local midnight, still 28 July in UTC
        datetime(2021, 9, 29, 23, 59, tzinfo=local),
        datetime(2021, 9, 30, 0, 0, tzinfo=local),
    ]
    at_a = [
        dict(person_id=an, venue_id=venues["A"], channel="self", checked_in_at=t) for t in times
    ]
    with engine.begin() as connection:
        write_checkins(connection, checkin_frame(at_a[:2]))
        # The same days again, in a later batch: a bit already set stays one bit.
        write_checkins(connection, checkin_frame(at_a))
        write_checkins(connection, checkin_frame([
            dict(person_id=binh, venue_id=venues["B"], channel="self",
                 checked_in_at=datetime(2021, 7, 29, 18, 0, tzinfo=local)),
        ]))  # fmt: skip
        rows = activity_rows(connection)
        assert rollup_mismatches(connection) == []
    assert rows == [
        (299, venues["A"], 2**0 + 2**62),
        (299, venues["B"], 2**0),
        (300, venues["A"], 2**0),
    ]


def test_a_venue_activity_day_already_set_is_read_not_locked_by_either_write_path(
    postgresql_engine,
):
    """ON CONFLICT DO UPDATE locks a row even when its WHERE leaves it alone, and a lock is a
    write to the row's page that every later writer at the venue would queue behind. A
    batch or a declaration on a day the row already has leaves the row as it was: same row
    version (xmin), no locker (xmax 0)."""
    engine = postgresql_engine
    venues, (an, binh) = two_venues(engine)
    at = datetime(2021, 8, 2, 9, 0, tzinfo=UTC)
    first = [dict(person_id=an, venue_id=venues["A"], channel="self", checked_in_at=at)]
    with engine.begin() as connection:
        write_checkins(connection, checkin_frame(first))

    def version(connection):
        return connection.exec_driver_sql(
            "SELECT xmin::text, xmax::text FROM venue_activity WHERE venue_id = %(v)s",
            {"v": venues["A"]},
        ).one()

    with engine.connect() as connection:
        written = version(connection)
    later = at + timedelta(hours=2)
    with engine.begin() as connection:
        write_checkins(connection, checkin_frame([
            dict(person_id=binh, venue_id=venues["A"], channel="self", checked_in_at=later)
        ]))  # fmt: skip
        write_checkin_rows(
            connection, venues["A"], "26734", int(later.timestamp()), "self", "kbyt",
            [CheckinRow(person_id=an, external_id="d-1", symptoms="", exposures="",
                        risk_level=0, risk_reasons="")],
        )  # fmt: skip
        assert version(connection) == (written[0], "0")
        assert rollup_mismatches(connection) == []


def test_the_check_reports_a_venue_activity_that_differs_from_venue_day(engine):
    venues, (an, _) = two_venues(engine)
    local = timezone(timedelta(hours=7))
    with engine.begin() as connection:
        write_checkins(connection, checkin_frame([
            dict(person_id=an, venue_id=venues["A"], channel="self",
                 checked_in_at=datetime(2021, 8, 2, 9, 0, tzinfo=local)),  # bit 4 of block 299
        ]))  # fmt: skip
        assert rollup_mismatches(connection) == []
        # A day without a check-in (3 August, bit 5) set by hand:
        connection.exec_driver_sql("UPDATE venue_activity SET days = days | 32")
        added = rollup_mismatches(connection)
        # And a row left with no day at all:
        connection.exec_driver_sql("UPDATE venue_activity SET days = 0")
        emptied = rollup_mismatches(connection)
    a, block_start = str(venues["A"]), int(datetime(2021, 7, 29, tzinfo=local).timestamp())
    assert added == [
        ("venue_activity", a, int(datetime(2021, 8, 3, tzinfo=local).timestamp()), True, False)
    ]
    assert emptied == [
        ("venue_activity", a, block_start, 0, None),
        ("venue_activity", a, int(datetime(2021, 8, 2, tzinfo=local).timestamp()), False, True),
    ]


def test_the_migrations_fill_the_daily_rollups_from_the_hourly_ones(empty_database_url):
    from sqlalchemy import text

    from db.engine import make_engine
    from db.migrate import upgrade

    engine = make_engine(empty_database_url)
    upgrade(engine, "0005")
    hours = [1627837200 + 3600 * h for h in (-1, 0, 7, 23)]  # 1627837200: 2 Aug 00:00 local
    with engine.begin() as connection:
        for n, hour in enumerate(hours):
            connection.execute(
                text("INSERT INTO venue_hour VALUES (7, :h, :c, :r, 0)"),
                {"h": hour, "c": n + 1, "r": n % 2},
            )
            connection.execute(
                text("INSERT INTO ward_hour VALUES ('26734', :h, :c, :r, 1)"),
                {"h": hour, "c": n + 1, "r": n % 2},
            )
    upgrade(engine)
    with engine.connect() as connection:
        venue_days = connection.execute(text("SELECT * FROM venue_day ORDER BY day_start")).all()
        ward_days = connection.execute(text("SELECT * FROM ward_day ORDER BY day_start")).all()
    engine.dispose()
    assert [tuple(r) for r in venue_days] == [
        (1627750800, 7, 1, 0, 0, 1627833600),
        (1627837200, 7, 9, 2, 0, 1627837200),
    ]
    assert [tuple(r) for r in ward_days] == [
        (1627750800, "26734", 1, 0, 1),
        (1627837200, "26734", 9, 2, 3),
    ]
