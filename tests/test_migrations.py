"""Migrations build the whole schema on an empty database, on both engines, and are idempotent."""

from alembic import command
from sqlalchemy import inspect

from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.schema import metadata


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
