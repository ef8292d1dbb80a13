"""Migrations build the whole schema on an empty database, on both engines, and are idempotent."""

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect

from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.schema import metadata
from queries.audit import about, list_audit, record, subject_text
from queries.writes import write_checkins
from tests.checkin_rows import checkin_frame
from tests.test_write_speed_paths import activity_rows, two_venues


def test_upgrade_builds_every_table_and_index(empty_database_url):
    engine = make_engine(empty_database_url)
    assert current_revision(engine) is None

    upgrade(engine)

    assert current_revision(engine) == head_revision()
    inspector = inspect(engine)
    assert set(metadata.tables) <= set(inspector.get_table_names())
    indexes = {index["name"] for index in inspector.get_indexes("checkin")}
    assert {"ix_checkin_venue_time", "ix_checkin_person_time", "ix_checkin_risky_time"} <= indexes
    assert inspector.get_pk_constraint("ward_hour")["constrained_columns"] == [
        "ward_code",
        "hour_start",
    ]
    # Keyed by hour first, with no second index (0012): new hours append to the one index.
    assert inspector.get_pk_constraint("venue_hour")["constrained_columns"] == [
        "hour_start",
        "venue_id",
    ]
    assert not inspector.get_indexes("venue_hour")
    engine.dispose()


def test_upgrade_twice_is_a_no_op(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_downgrade_to_nothing_and_back(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert not set(metadata.tables) & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_the_trace_index_covers_time_out_and_person_on_postgresql(database_url):
    engine = make_engine(database_url)
    if engine.dialect.name != "postgresql":
        return  # INCLUDE columns are a PostgreSQL feature; SQLite reads the table row instead
    with engine.connect() as connection:
        definition = connection.exec_driver_sql(
            "select indexdef from pg_indexes where indexname = 'ix_checkin_venue_time'"
        ).scalar()
    assert definition.endswith("(venue_id, checked_in_at) INCLUDE (checked_out_at, person_id)")
    engine.dispose()


def test_the_venue_activity_backfill_gives_the_rows_the_write_path_keeps(engine):
    """Check-ins on 28 July 2021 (block 298's last day), 29 July (block 299's first), 29
    September (its last) and 30 September (block 300's first), kept by the write path; then
    the table is dropped (downgrade to 0007) and migration 0008 fills it again from venue_day."""
    venues, (an, binh) = two_venues(engine)
    local = timezone(timedelta(hours=7))
    visits = [
        ("A", an, datetime(2021, 7, 28, 23, 30, tzinfo=local)),
        ("A", an, datetime(2021, 7, 29, 0, 30, tzinfo=local)),
        ("A", binh, datetime(2021, 7, 29, 20, 0, tzinfo=local)),
        ("B", binh, datetime(2021, 9, 29, 12, 0, tzinfo=local)),
        ("A", an, datetime(2021, 9, 29, 12, 0, tzinfo=local)),
        ("A", an, datetime(2021, 9, 30, 0, 0, tzinfo=local)),
    ]
    with engine.begin() as connection:
        write_checkins(connection, checkin_frame([
            dict(person_id=who, venue_id=venues[ref], channel="self", checked_in_at=at)
            for ref, who, at in visits
        ]))  # fmt: skip
        written = activity_rows(connection)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    upgrade(engine)
    with engine.connect() as connection:
        backfilled = activity_rows(connection)
    a, b = venues["A"], venues["B"]
    assert written == [(298, a, 2**62), (299, a, 2**0 + 2**62), (299, b, 2**62), (300, a, 2**0)]
    assert backfilled == written


def test_rollup_pages_keep_room_for_updates_on_postgresql(database_url):
    """fillfactor 70 (0013): a declaration's update of its hour and day stays on the page."""
    engine = make_engine(database_url)
    if engine.dialect.name != "postgresql":
        return  # SQLite has no fillfactor
    with engine.connect() as connection:
        options = dict(
            connection.exec_driver_sql(
                "SELECT relname, reloptions FROM pg_class WHERE relname IN "
                "('venue_hour', 'ward_hour', 'venue_day', 'ward_day', 'venue_activity')"
            ).all()
        )
    engine.dispose()
    assert options == {name: ["fillfactor=70"] for name in options} and len(options) == 5


def test_audit_rows_written_before_0014_keep_their_text_and_have_no_key(engine):
    """0014 adds an audit subject's key and values beside its English text (issue 14): a row
    written before keeps its text, has no key, and is shown as it was stored."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    names = {column["name"] for column in inspect(engine).get_columns("audit_log")}
    assert not names & {"subject_key", "subject_values"}
    before = sa.table(
        "audit_log", sa.column("at"), sa.column("username"), sa.column("action"),
        sa.column("subject"),
    )  # fmt: skip
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            before.insert().values(
                at=int(now.timestamp()), username="root", action="edit",
                subject="deactivated epi.two",
            )
        )  # fmt: skip
    upgrade(engine)
    columns = {column["name"]: column for column in inspect(engine).get_columns("audit_log")}
    assert columns["subject_key"]["nullable"] and columns["subject_values"]["nullable"]
    with engine.begin() as connection:
        record(connection, "root", "edit", about("user_deactivated", username="epi.one"))
        rows = list_audit(connection, now - timedelta(hours=1), now + timedelta(hours=1))
    engine.dispose()
    shown = rows[["subject", "subject_key", "subject_values"]].values
    assert [
        (text, key if isinstance(key, str) else None, values) for text, key, values in shown
    ] == [
        ("deactivated epi.one", "user_deactivated", {"username": "epi.one"}),
        ("deactivated epi.two", None, None),
    ]
    assert [subject_text("vi", *row) for row in shown] == [
        "Khóa tài khoản epi.one",
        "deactivated epi.two",
    ]
