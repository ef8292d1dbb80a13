"""Check-ins partitioned by local day on PostgreSQL: made on demand by the write path, pruned by
the trace and the timeline, dropped whole by retention, and built from an existing table by
the migration. SQLite keeps one table: these tests run on PostgreSQL only."""

import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import event, func, select

from db.engine import make_engine
from db.migrate import alembic_config, upgrade
from db.partitions import (
    MAX_NEW_PER_BATCH,
    PartitionError,
    day_bounds,
    ensure_days,
    is_partitioned,
    list_partitions,
    local_day,
    partition_name,
)
from db.schema import checkin, checkin_key, follow_up, person, venue, venue_hour, ward_hour
from queries.integrity import rollup_mismatches
from queries.retention import purge
from queries.trace import TraceRules, trace
from queries.venues import venue_timeline
from queries.writes import resolve_people, upsert_venues, write_checkins
from tests.checkin_rows import checkin_frame

SAIGON = timezone(timedelta(hours=7))
FIRST = date(2021, 8, 2)
DAYS = [FIRST + timedelta(days=i) for i in range(5)]


# SQLite keeps check-ins in one table: partitions are PostgreSQL's.
pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def pg(postgresql_engine):
    return postgresql_engine


def local(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SAIGON)


def city(engine, per_day=1_500):
    """A market and an office, 300 people, per_day check-ins at the market on each of DAYS
    (spread over 06:00–20:00 local), and the case's visits on the middle day."""
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([
            dict(venue_ref=ref, name=ref, sector="public", kind=kind, address="",
                 ward_code="26734", lat=10.79, lon=106.69, dwell_minutes=dwell,
                 registered_on=date(2021, 6, 1), active=True)
            for ref, kind, dwell in (("M", "market", 60), ("O", "office", 480))
        ]))  # fmt: skip
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        people = resolve_people(
            connection,
            pd.DataFrame(
                {"phone": [f"+849030{i:05d}" for i in range(300)],
                 "full_name": [f"Người {i}" for i in range(300)]}
            ),
        )  # fmt: skip
        rows = []
        for day in DAYS:
            start = int(local(day, 6).timestamp())
            for n in range(per_day):
                rows.append(
                    dict(person_id=int(people[1 + n % 299]), venue_id=venues["M"],
                         checked_in_at=start + (n * 50_400) // per_day, channel="self")
                )  # fmt: skip
        case = int(people[0])
        rows.append(dict(person_id=case, venue_id=venues["M"],
                         checked_in_at=local(DAYS[2], 9), channel="self"))  # fmt: skip
        write_checkins(connection, checkin_frame(rows))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    return {"venues": venues, "people": people, "case": case}


def test_days_are_local_and_partitions_are_made_for_the_days_written(pg):
    assert local_day(int(local(DAYS[0], 0).timestamp())) == DAYS[0]
    assert local_day(int(local(DAYS[0], 0).timestamp()) - 1) == DAYS[0] - timedelta(days=1)
    assert day_bounds(DAYS[0]) == (
        int(local(DAYS[0], 0).timestamp()),
        int(local(DAYS[1], 0).timestamp()),
    )
    city(pg, per_day=10)
    with pg.connect() as connection:
        assert is_partitioned(connection)
        found = list_partitions(connection)
        per_partition = dict(
            connection.exec_driver_sql(
                "SELECT tableoid::regclass::text, count(*) FROM checkin GROUP BY 1"
            ).all()
        )
    assert [p.name for p in found] == [partition_name(d) for d in DAYS]
    assert [p.day for p in found] == DAYS
    assert [(p.lower, p.upper) for p in found] == [day_bounds(d) for d in DAYS]
    assert per_partition[partition_name(DAYS[2])] == 11  # the case's visit too
    assert sum(per_partition.values()) == 51


def market_and_person(engine):
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([dict(
            venue_ref="M", name="M", sector="public", kind="market", address="",
            ward_code="26734", lat=10.79, lon=106.69, dwell_minutes=60,
            registered_on=date(2021, 6, 1), active=True)]))  # fmt: skip
        ids = resolve_people(
            connection, pd.DataFrame({"phone": ["+84903000001"], "full_name": ["An"]})
        )
        return connection.scalar(select(venue.c.id)), int(ids[0])


def test_a_batch_on_too_many_new_days_is_refused_with_what_to_do(pg):
    venue_id, person_id = market_and_person(pg)
    many = [
        dict(person_id=person_id, venue_id=venue_id, channel="self",
             checked_in_at=local(FIRST, 8) + timedelta(days=i))
        for i in range(MAX_NEW_PER_BATCH + 1)
    ]  # fmt: skip
    with pytest.raises(PartitionError, match="partitions ensure --from 2021-08-02"):
        with pg.begin() as connection:
            write_checkins(connection, checkin_frame(many))
    with pg.begin() as connection:
        ensure_days(connection, FIRST, FIRST + timedelta(days=MAX_NEW_PER_BATCH))
        assert len(list_partitions(connection)) == MAX_NEW_PER_BATCH + 1


def test_a_row_on_a_day_without_partition_written_around_the_write_path_fails(pg):
    with pytest.raises(Exception, match='no partition of relation "checkin"'):
        with pg.begin() as connection:
            connection.execute(
                checkin.insert().values(
                    person_id=1, venue_id=1, checked_in_at=local(FIRST, 8), channel="self"
                )
            )


def _explained(engine, statement, parameters):
    """Relations read (at least once) by the statement, from EXPLAIN ANALYZE."""
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, COSTS OFF, FORMAT JSON) " + statement, parameters
        ).scalar()
    read: set[str] = set()

    def walk(node):
        if node.get("Relation Name", "").startswith("checkin") and node.get("Actual Loops", 0):
            read.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return read


def _captured(engine, run, marker):
    """The statements containing marker that run() executed, with their parameters."""
    seen = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if marker in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert seen, f"no statement with {marker!r} ran"
    return seen


def test_a_trace_probe_reads_only_the_days_its_exposure_can_reach(pg):
    scene = city(pg)
    since, until = local(DAYS[2], 0), local(DAYS[3], 0)

    def run():
        with pg.connect() as connection:
            result = trace(connection, scene["case"], since, until, TraceRules(), depth=1)
        assert len(result.contacts) > 10

    probe = _captured(pg, run, "read_from")[0]
    read = _explained(pg, *probe)
    # The visit is on the middle day at 09:00: check-ins from a day before (the presence
    # cap) can overlap it, nothing after its end can.
    assert partition_name(DAYS[2]) in read
    assert read <= {partition_name(DAYS[1]), partition_name(DAYS[2])}
    visits = _captured(pg, run, "ORDER BY checkin.checked_in_at")[0]
    assert _explained(pg, *visits) == {partition_name(DAYS[2])}


def test_a_timeline_reads_only_the_partition_of_its_day(pg):
    scene = city(pg)

    def run():
        with pg.connect() as connection:
            frame = venue_timeline(
                connection, scene["venues"]["M"], local(DAYS[3], 0), local(DAYS[4], 0), 15
            )
        assert frame["checkins"].sum() == 1_500

    statements = _captured(pg, run, "FROM checkin")
    read = [_explained(pg, statement, parameters) for statement, parameters in statements]
    assert read[0] == {partition_name(DAYS[3])}  # the counts
    assert all(r <= {partition_name(DAYS[3])} for r in read)


def test_retention_drops_whole_days_and_deletes_the_rest_of_a_partial_one(pg):
    scene = city(pg, per_day=20)
    with pg.begin() as connection:
        keyed = checkin_frame([
            dict(person_id=int(scene["people"][5]), venue_id=scene["venues"]["O"],
                 checked_in_at=local(day, 7), channel="import", source="moh",
                 external_id=f"K-{day}")
            for day in DAYS
        ])  # fmt: skip
        write_checkins(connection, keyed)
        first_checkin = connection.scalar(
            select(checkin.c.id).where(checkin.c.checked_in_at < local(DAYS[0], 12))
        )
        connection.execute(
            follow_up.insert().values(
                person_id=int(scene["people"][1]), checkin_id=first_checkin, status="new",
                at=local(DAYS[0], 12), by="t",
            )
        )  # fmt: skip
        rolled = connection.scalar(select(func.sum(ward_hour.c.checkins)))
    cutoff = local(DAYS[2], 12)  # days 1 and 2 whole, day 3 until noon
    with pg.connect() as connection:
        total = connection.scalar(select(func.count()).select_from(checkin))
        older = connection.scalar(select(func.count()).where(checkin.c.checked_in_at < cutoff))
    with pg.begin() as connection:
        report = purge(connection, cutoff + timedelta(days=28), 28)
    with pg.connect() as connection:
        names = [p.name for p in list_partitions(connection)]
        left = connection.execute(select(func.min(checkin.c.checked_in_at), func.count())).one()
        keys = connection.scalars(select(checkin_key.c.external_id).order_by("external_id"))
        link = connection.scalar(select(follow_up.c.checkin_id))
        rolled_after = connection.scalar(select(func.sum(ward_hour.c.checkins)))
    assert names == [partition_name(d) for d in DAYS[2:]]
    assert report.partitions_dropped == 2
    assert older == 2 * 21 + 9 + 1 + 1  # days 1, 2; day 3: 9 before noon, the case, K-…
    assert report.checkins == older
    assert left[0] >= cutoff.astimezone(UTC)
    assert left[1] == total - older
    assert list(keys) == [f"K-{d}" for d in DAYS[3:]]
    assert link is None  # the follow-up stays, its purged check-in is no longer named
    assert rolled_after == rolled


def test_imports_racing_on_the_same_keys_store_each_row_once(pg):
    venue_id, person_id = market_and_person(pg)
    rows = checkin_frame([
        dict(person_id=person_id, venue_id=venue_id, channel="import", source="moh",
             external_id=f"R-{i}", checked_in_at=local(FIRST, 8, i))
        for i in range(50)
    ])  # fmt: skip
    first = pg.connect()
    transaction = first.begin()
    skipped_first = write_checkins(first, rows)
    outcome = {}

    def second():
        with pg.begin() as connection:
            outcome["skipped"] = write_checkins(connection, rows)

    racer = threading.Thread(target=second)
    racer.start()
    racer.join(timeout=1)
    assert racer.is_alive()  # waiting for the first import's keys
    transaction.commit()
    first.close()
    racer.join(timeout=30)
    with pg.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(checkin))
        assert rollup_mismatches(connection) == []
    assert list(skipped_first) == []
    assert list(outcome["skipped"]) == list(range(50))
    assert stored == 50


def test_the_migration_moves_an_existing_table_into_day_partitions(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine, "0004")
    at = [int(local(day, 6, 30).timestamp()) for day in DAYS[:3]]  # UTC: the day before
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO person (phone, full_name) VALUES ('+84903000001', 'An')"
        )
        connection.exec_driver_sql(
            "INSERT INTO checkin (person_id, venue_id, checked_in_at, channel, source, "
            "external_id) VALUES (1, 1, %(a)s, 'self', 'kbyt', NULL), "
            "(1, 1, %(b)s, 'import', 'moh', 'X-1'), (1, 1, %(c)s, 'self', 'kbyt', NULL)",
            {"a": at[0], "b": at[1], "c": at[2]},
        )
        connection.exec_driver_sql(
            "INSERT INTO follow_up (person_id, checkin_id, status, at, by) "
            "VALUES (1, 2, 'new', 0, 't')"
        )
    upgrade(engine)
    with engine.connect() as connection:
        names = [p.name for p in list_partitions(connection)]
        rows = connection.execute(
            select(checkin.c.id, checkin.c.checked_in_at).order_by(checkin.c.id)
        ).all()
        keys = connection.execute(select(checkin_key.c.source, checkin_key.c.external_id)).all()
        link = connection.scalar(select(follow_up.c.checkin_id))
        fresh = connection.exec_driver_sql("SELECT nextval('checkin_id_seq')").scalar()
    assert names == [partition_name(d) for d in DAYS[:3]]  # local days, not UTC ones
    assert [(r.id, int(r.checked_in_at.timestamp())) for r in rows] == list(
        zip([1, 2, 3], at, strict=True)
    )
    assert keys == [("moh", "X-1")]
    assert link == 2
    assert fresh == 4
    with engine.begin() as connection:  # and back
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    with engine.connect() as connection:
        kind = connection.exec_driver_sql(
            "SELECT relkind FROM pg_class WHERE relname = 'checkin'"
        ).scalar()
        count = connection.scalar(select(func.count()).select_from(checkin))
    engine.dispose()
    assert (kind, count) == ("r", 3)


def test_rollups_still_equal_raw_counts_after_writes_on_several_days(pg):
    city(pg, per_day=200)
    with pg.connect() as connection:
        assert rollup_mismatches(connection) == []
        total = connection.scalar(select(func.sum(venue_hour.c.checkins)))
        people = connection.scalar(select(func.count()).select_from(person))
    assert total == 5 * 200 + 1
    assert people == 300


def test_the_partitions_command_creates_days_ahead_and_lists_them(empty_database_url):
    from tests.test_cli import manage

    assert manage("init-db", database_url=empty_database_url).returncode == 0
    made = manage(
        "partitions", "ensure", "--from", "2021-08-02", "--to", "2021-08-04",
        database_url=empty_database_url,
    )  # fmt: skip
    again = manage(
        "partitions", "ensure", "--from", "2021-08-02", "--to", "2021-08-05",
        database_url=empty_database_url,
    )  # fmt: skip
    listed = manage("partitions", "list", database_url=empty_database_url)
    assert made.returncode == again.returncode == listed.returncode == 0, made.stdout
    if empty_database_url.startswith("sqlite"):
        assert "one table" in made.stdout and "one table" in listed.stdout
        return
    assert "3 created, 0 already there" in made.stdout
    assert "1 created, 3 already there" in again.stdout
    assert "checkin_p20210802    2021-08-02" in listed.stdout
    assert "4 daily partitions." in listed.stdout
