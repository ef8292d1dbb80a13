"""The one write path: people by (phone, name), venues by venue_ref, check-ins with rollups."""

import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import func, select

from db.schema import checkin, person, venue, venue_hour, ward_hour
from queries.integrity import rollup_mismatches
from queries.people_writes import people_plan
from queries.writes import resolve_people, upsert_venues, write_checkins
from tests.checkin_rows import checkin_frame

SAIGON = timezone(timedelta(hours=7))


def market(ref="CHO-1", name="Chợ Tân Định", ward_code="26734", **changes):
    row = dict(
        venue_ref=ref, name=name, sector="public", kind="market", address="48 Hai Bà Trưng",
        ward_code=ward_code, lat=10.7905, lon=106.6905, dwell_minutes=60,
        registered_on=date(2021, 6, 1), active=True,
    )  # fmt: skip
    row.update(changes)
    return row


@pytest.fixture
def scene(engine):
    """Two venues in two wards and three people."""
    with engine.begin() as connection:
        upsert_venues(
            connection, pd.DataFrame([market(), market("CHO-2", "Chợ Bến Thành", "26743")])
        )
        ids = resolve_people(
            connection,
            pd.DataFrame(
                {"phone": ["+84903000001", "+84903000001", "+84903000002"],
                 "full_name": ["Nguyễn Văn An", "Nguyễn Thị Bình", "Trần Văn Cường"]}
            ),
        )  # fmt: skip
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).fetchall())
    return {"engine": engine, "people": list(ids), "venues": venues}


def test_people_are_identified_by_phone_and_name_together(scene):
    engine = scene["engine"]
    with engine.begin() as connection:
        again = resolve_people(
            connection,
            pd.DataFrame(
                {"phone": ["+84903000002", "+84903000001", "+84903000009", "+84903000009"],
                 "full_name": ["Trần Văn Cường", "Nguyễn Văn An", "Lê Thị Dung", "Lê Thị Dung"]}
            ),
        )  # fmt: skip
        count = len(connection.execute(select(person.c.id)).fetchall())
    an, binh, cuong = scene["people"]
    assert an != binh  # same phone, another name: a dependant, a person of their own
    assert list(again[:2]) == [cuong, an]
    assert again[2] == again[3]  # the batch's repeat is one new person
    assert count == 4


def test_a_venue_imported_again_is_updated_in_place_and_keeps_its_token(scene):
    engine = scene["engine"]
    with engine.connect() as connection:
        token = connection.scalar(select(venue.c.token).where(venue.c.venue_ref == "CHO-1"))
    with engine.begin() as connection:
        created, updated = upsert_venues(
            connection, pd.DataFrame([market(name="Chợ Tân Định (mới)", dwell_minutes=90)])
        )
    with engine.connect() as connection:
        row = connection.execute(select(venue).where(venue.c.venue_ref == "CHO-1")).one()
    assert (created, updated) == (0, 1)
    assert row.name == "Chợ Tân Định (mới)" and row.dwell_minutes == 90
    assert row.token == token and len(token) >= 22


def test_checkins_land_in_the_hourly_rollups_of_their_ward_and_venue(scene):
    engine, (an, binh, cuong), venues = scene["engine"], scene["people"], scene["venues"]
    rows = [
        # 08:10 and 08:50 local on 1 Aug 2021 are 01:10 and 01:50 UTC: one UTC hour.
        dict(person_id=an, venue_id=venues["CHO-1"], channel="self",
             checked_in_at=datetime(2021, 8, 1, 8, 10, tzinfo=SAIGON)),
        dict(person_id=binh, venue_id=venues["CHO-1"], channel="proxy", declared_by_person_id=an,
             checked_in_at=datetime(2021, 8, 1, 8, 50, tzinfo=SAIGON), risk_level=1),
        dict(person_id=cuong, venue_id=venues["CHO-2"], channel="staff", risk_level=2,
             checked_in_at=datetime(2021, 8, 1, 9, 5, tzinfo=SAIGON),
             checked_out_at=datetime(2021, 8, 1, 9, 35, tzinfo=SAIGON)),
    ]  # fmt: skip
    with engine.begin() as connection:
        skipped = write_checkins(connection, checkin_frame(rows))
    with engine.connect() as connection:
        wards = connection.execute(select(ward_hour).order_by(ward_hour.c.ward_code)).fetchall()
        by_venue = connection.execute(
            select(venue_hour.c.venue_id, venue_hour.c.checkins).order_by(venue_hour.c.venue_id)
        ).fetchall()
        stored = connection.execute(select(checkin).order_by(checkin.c.id)).fetchall()
        assert rollup_mismatches(connection) == []
    assert list(skipped) == []
    assert [tuple(w) for w in wards] == [
        ("26734", datetime(2021, 8, 1, 1, 0, tzinfo=UTC), 2, 1, 0),
        ("26743", datetime(2021, 8, 1, 2, 0, tzinfo=UTC), 1, 1, 1),
    ]
    assert [tuple(v) for v in by_venue] == [(venues["CHO-1"], 2), (venues["CHO-2"], 1)]
    assert stored[0].checked_in_at == datetime(2021, 8, 1, 1, 10, tzinfo=UTC)  # stored in UTC
    assert stored[1].declared_by_person_id == an
    assert stored[2].checked_out_at == datetime(2021, 8, 1, 2, 35, tzinfo=UTC)


def test_importing_the_same_rows_twice_adds_nothing(scene):
    engine, (an, binh, _), venues = scene["engine"], scene["people"], scene["venues"]
    at = datetime(2021, 8, 2, 7, 0, tzinfo=UTC)
    rows = [
        dict(person_id=an, venue_id=venues["CHO-1"], channel="import", checked_in_at=at,
             source="moh", external_id="A-1"),
        dict(person_id=binh, venue_id=venues["CHO-1"], channel="import", checked_in_at=at,
             source="moh", external_id="A-2"),
        dict(person_id=binh, venue_id=venues["CHO-1"], channel="import", checked_in_at=at,
             source="moh", external_id="A-2"),  # repeated within the batch
        dict(person_id=an, venue_id=venues["CHO-1"], channel="import", checked_in_at=at,
             source="city", external_id="A-1"),  # same id, another source system
    ]  # fmt: skip
    with engine.begin() as connection:
        first = write_checkins(connection, checkin_frame(rows))
    with engine.begin() as connection:
        second = write_checkins(connection, checkin_frame(rows))
    with engine.connect() as connection:
        count = len(connection.execute(select(checkin.c.id)).fetchall())
        rolled = connection.scalar(select(ward_hour.c.checkins))
    assert list(first) == [2]
    assert list(second) == [0, 1, 2, 3]
    assert count == 3 and rolled == 3


def test_a_failed_batch_leaves_nothing_behind(scene):
    engine, (an, _, _), venues = scene["engine"], scene["people"], scene["venues"]
    at = datetime(2021, 8, 2, 7, 0, tzinfo=UTC)
    rows = [
        dict(person_id=an, venue_id=venues["CHO-1"], channel="self", checked_in_at=at),
        dict(person_id=an, venue_id=venues["CHO-1"], channel="teleport", checked_in_at=at),
    ]
    with pytest.raises(Exception, match="ck_checkin_channel|CHECK constraint"):
        with engine.begin() as connection:
            write_checkins(connection, checkin_frame(rows))
    with engine.connect() as connection:
        assert connection.execute(select(checkin.c.id)).fetchall() == []
        assert connection.execute(select(ward_hour.c.checkins)).fetchall() == []


def test_wards_the_caller_read_are_used_and_the_others_still_looked_up(scene):
    engine, (an, _, _), venues = scene["engine"], scene["people"], scene["venues"]
    at = datetime(2021, 8, 2, 7, 0, tzinfo=UTC)
    rows = [
        dict(person_id=an, venue_id=venues["CHO-1"], channel="self", checked_in_at=at),
        dict(person_id=an, venue_id=venues["CHO-2"], channel="self", checked_in_at=at),
    ]
    with engine.begin() as connection:
        # The import read CHO-1's ward with its id; CHO-2's is not given.
        write_checkins(connection, checkin_frame(rows), {venues["CHO-1"]: "26734"})
    with engine.connect() as connection:
        wards = connection.execute(
            select(ward_hour.c.ward_code, ward_hour.c.checkins).order_by(ward_hour.c.ward_code)
        ).fetchall()
    assert [tuple(w) for w in wards] == [("26734", 1), ("26743", 1)]


def test_a_checkin_at_a_venue_that_does_not_exist_fails_its_batch(scene):
    engine, (an, _, _), venues = scene["engine"], scene["people"], scene["venues"]
    at = datetime(2021, 8, 2, 7, 0, tzinfo=UTC)
    rows = [
        dict(person_id=an, venue_id=venues["CHO-1"], channel="self", checked_in_at=at),
        dict(person_id=an, venue_id=999_999, channel="self", checked_in_at=at),
    ]
    with pytest.raises(ValueError, match=r"check-ins at 1 unknown venue id\(s\): 999999"):
        with engine.begin() as connection:
            write_checkins(connection, checkin_frame(rows), {venues["CHO-1"]: "26734"})
    with engine.connect() as connection:
        assert connection.execute(select(checkin.c.id)).fetchall() == []


def test_naive_times_are_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="naive datetime"):
        checkin_frame([dict(person_id=1, venue_id=1, checked_in_at=datetime(2021, 8, 1, 8, 0))])


@pytest.mark.postgresql_only
def test_at_city_size_people_are_looked_up_by_index_with_the_same_answer(postgresql_engine):
    """When a chunk's people are few against the person table (as person's statistics say),
    the look-up probes the (phone, full_name) index instead of a hash join over everyone."""
    people = pd.DataFrame(
        {"phone": [f"+849030{n:05d}" for n in range(3000)],
         "full_name": [f"Người {n}" for n in range(3000)]}
    )  # fmt: skip
    with postgresql_engine.begin() as connection:
        first = resolve_people(connection, people)
    with postgresql_engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE person")
        connection.commit()
    chunk = pd.concat(
        [people.iloc[[5, 7]], pd.DataFrame({"phone": ["+84903999999"], "full_name": ["Người mới"]})]
    )
    setting = "SELECT current_setting('enable_hashjoin')"
    with postgresql_engine.begin() as connection:
        with people_plan(connection, staged=3):  # 3 x 22 < 3,000 people
            inside = connection.exec_driver_sql(setting).scalar()
        with people_plan(connection, staged=1_000):  # 22,000 > 3,000: read them all
            large = connection.exec_driver_sql(setting).scalar()
        again = resolve_people(connection, chunk)
        after = connection.exec_driver_sql(setting).scalar()
    assert (inside, large, after) == ("off", "on", "on")
    assert list(again[:2]) == [first[5], first[7]]
    assert again[2] not in set(first)


def resolve_at_once(engine, batches: list[pd.DataFrame]) -> tuple[list[list[int]], list[str]]:
    """resolve_people of each batch in its own transaction and thread, started together: the
    ids each got, and the first line of each failure."""
    results: dict[int, list[int]] = {}
    failures: list[str] = []
    started = threading.Barrier(len(batches))

    def resolve(n: int) -> None:
        started.wait(timeout=30)
        try:
            with engine.begin() as connection:
                results[n] = list(resolve_people(connection, batches[n]))
        except Exception as error:  # noqa: BLE001 - every failure is the finding
            failures.append(str(error).splitlines()[0])

    threads = [threading.Thread(target=resolve, args=(n,)) for n in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results.get(n, []) for n in range(len(batches))], failures


def people_count(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(person))


def test_two_imports_creating_the_same_new_people_at_once_both_succeed(engine):
    """The second waits for the first's new people and uses them, on both engines."""
    people = pd.DataFrame(
        {"phone": [f"+849030{n:05d}" for n in range(200)],
         "full_name": [f"Người {n}" for n in range(200)]}
    )  # fmt: skip
    (first, second), failures = resolve_at_once(engine, [people, people])
    assert failures == []
    assert first == second
    assert people_count(engine) == 200


def test_two_imports_creating_the_same_new_people_in_opposite_orders_both_succeed(engine):
    """Each meets the other's new people in the same (key) order, so one waits for the other
    instead of the two deadlocking (20,000 people deadlocked on PostgreSQL when each inserted
    in its own order); ids still follow each batch's first appearance."""
    forward = pd.DataFrame(
        {"phone": [f"+849031{n:05d}" for n in range(20_000)],
         "full_name": [f"Người {n}" for n in range(20_000)]}
    )  # fmt: skip
    backward = forward.iloc[::-1].reset_index(drop=True)
    (first, second), failures = resolve_at_once(engine, [forward, backward])
    assert failures == []
    assert second == first[::-1]
    # Whichever committed first numbered them in its own order.
    assert first in (sorted(first), sorted(first, reverse=True))
    assert people_count(engine) == 20_000
