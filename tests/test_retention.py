"""Retention removes exactly what is past the period and keeps the rollups."""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import func, select

from db.engine import make_engine
from db.schema import case_record, checkin, person, venue_activity, ward_hour
from queries.retention import purge
from queries.setup import init_db
from queries.writes import resolve_people, write_checkins
from tests.checkin_rows import checkin_frame
from tests.command_line import manage
from tests.venue_rows import add_venues, market_row

NOW = datetime(2021, 9, 1, 12, 0, tzinfo=UTC)


def city(engine):
    with engine.begin() as connection:
        venue_id = add_venues(connection, market_row("M1", "Chợ", "26734"))["M1"]
        ids = [int(i) for i in resolve_people(connection, pd.DataFrame({
            "phone": [f"+8490300000{i}" for i in range(5)],
            "full_name": ["Old only", "Old and new", "Declarer of old", "Old case", "New only"],
        }))]  # fmt: skip
        old = NOW - timedelta(days=28, seconds=1)
        edge = NOW - timedelta(days=28)  # exactly at the cutoff: kept
        write_checkins(connection, checkin_frame([
            dict(person_id=ids[0], venue_id=venue_id, checked_in_at=old, channel="self"),
            dict(person_id=ids[1], venue_id=venue_id, checked_in_at=old, channel="proxy", declared_by_person_id=ids[2]),
            dict(person_id=ids[1], venue_id=venue_id, checked_in_at=edge, channel="self"),
            dict(person_id=ids[3], venue_id=venue_id, checked_in_at=old, channel="self"),
            dict(person_id=ids[4], venue_id=venue_id, checked_in_at=NOW - timedelta(days=1), channel="self"),
        ]))  # fmt: skip
        connection.execute(case_record.insert().values(
            person_id=ids[3], status="confirmed", onset_date=date(2021, 8, 1), created_at=old, created_by="t",
        ))  # fmt: skip
    return ids


def test_purge_deletes_old_checkins_and_forgotten_people_but_keeps_rollups(engine):
    ids = city(engine)
    with engine.connect() as connection:
        rolled_before = connection.scalar(select(func.sum(ward_hour.c.checkins)))
        active_before = connection.execute(select(venue_activity)).all()
    with engine.begin() as connection:
        report = purge(connection, NOW, 28)
    with engine.connect() as connection:
        left = sorted(
            connection.execute(select(checkin.c.person_id, checkin.c.checked_in_at)).all()
        )
        people = set(connection.scalars(select(person.c.full_name)))
        rolled_after = connection.scalar(select(func.sum(ward_hour.c.checkins)))
        active_after = connection.execute(select(venue_activity)).all()
    assert (report.checkins, report.people) == (3, 2)
    assert [p for p, _ in left] == [ids[1], ids[4]]
    assert people == {"Old and new", "Old case", "New only"}  # the case keeps its person
    assert rolled_before == rolled_after == 5
    # The venue's days (4 and 31 August 2021: bits 6 and 33 of block 299) outlive the rows.
    assert [tuple(r) for r in active_before] == [(299, 1, 2**6 + 2**33)]
    assert [tuple(r) for r in active_after] == [tuple(r) for r in active_before]


def test_the_purge_command_dry_run_changes_nothing(empty_database_url):
    engine = make_engine(empty_database_url)
    init_db(engine)
    city(engine)
    dry = manage("purge", "--dry-run", "--now", NOW.isoformat(), database_url=empty_database_url)
    with engine.connect() as connection:
        after_dry = connection.scalar(select(func.count()).select_from(checkin))
    real = manage("purge", "--now", NOW.isoformat(), database_url=empty_database_url)
    with engine.connect() as connection:
        after = connection.scalar(select(func.count()).select_from(checkin))
    engine.dispose()
    assert dry.returncode == 0 and dry.stdout.startswith("Would delete 3 check-ins")
    assert after_dry == 5
    assert real.returncode == 0 and real.stdout.startswith("Deleted 3 check-ins")
    assert "2 people no longer referred to" in real.stdout
    assert after == 2
