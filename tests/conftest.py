"""Fixtures: real SQLite files and real PostgreSQL databases, both migrated and with geography.

PostgreSQL is reached through KBYT_TEST_POSTGRES_URL (default: the role that
scripts/ensure-postgres creates). Each test gets its own database, cloned from a template built
once per run, so tests never see each other's rows. Without PostgreSQL the suite fails with a
message saying how to start it; it does not silently skip half of itself.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.pg_databases import drop_postgres, end_own_sessions
from db.engine import make_engine
from queries.setup import init_db

POSTGRES_URL = os.environ.get(
    "KBYT_TEST_POSTGRES_URL", "postgresql+psycopg2://kbyt:kbyt@127.0.0.1:5432/kbyt"
)
REPO = Path(__file__).resolve().parent.parent
SHARED_BOUNDARIES = (
    Path(os.environ.get("KBYT_SHARED_GEO_DIR", REPO.parent / "shared" / "geo"))
    / "hcmc_districts.geojson"
)
ENGINES = ("sqlite", "postgresql")
RUN_ID = uuid.uuid4().hex[:8]


def _admin() -> Engine:
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def _postgres_available() -> None:
    try:
        with _admin().connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # noqa: BLE001 - any failure means the same to the developer
        pytest.exit(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({error.__class__.__name__}). "
            "Run scripts/ensure-postgres (or set KBYT_TEST_POSTGRES_URL).",
            returncode=3,
        )


def create_postgres_database(template: str | None = None) -> str:
    name = f"kbyt_test_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    with _admin().connect() as connection:
        clause = f" TEMPLATE {template}" if template else ""
        for attempt in range(10):
            if template:  # a template must have no other sessions
                end_own_sessions(connection, template)
            try:
                connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
                break
            except OperationalError:  # "being accessed by other users": a moment later
                if attempt == 9:
                    raise
                time.sleep(0.5 * (attempt + 1))
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    assert name is not None, url
    with _admin().connect() as connection:
        drop_postgres(connection, name)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated database with geography per engine, to clone for each test."""
    _postgres_available()
    sqlite_path = tmp_path_factory.mktemp("template") / "template.db"
    sqlite_engine = make_engine(f"sqlite:///{sqlite_path}")
    init_db(sqlite_engine)
    sqlite_engine.dispose()  # the last connection to close folds the WAL into the file
    postgres_url = create_postgres_database()
    engine = make_engine(postgres_url)
    init_db(engine)
    engine.dispose()
    yield {"sqlite": str(sqlite_path), "postgresql": str(make_url(postgres_url).database)}
    drop_postgres_database(postgres_url)


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a brand-new, empty database of the engine named by the test's parameter."""
    kind = request.param
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'kbyt.db'}"
        return
    _postgres_available()
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(params=ENGINES)
def database_url(
    request: pytest.FixtureRequest, templates: dict[str, str], tmp_path: Path
) -> Iterator[str]:
    """A URL of a migrated database with geography, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "kbyt.db"
        shutil.copy(templates["sqlite"], path)
        yield f"sqlite:///{path}"
        return
    url = create_postgres_database(template=templates["postgresql"])
    yield url
    drop_postgres_database(url)


@contextmanager
def opened(url: str) -> Iterator[Engine]:
    """An engine on url, disposed of when the block ends."""
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    with opened(database_url) as engine:
        yield engine


@pytest.fixture
def postgresql_engine(templates: dict[str, str]) -> Iterator[Engine]:
    """A migrated PostgreSQL database with geography, for what SQLite does not have."""
    url = create_postgres_database(template=templates["postgresql"])
    with opened(url) as engine:
        yield engine
    drop_postgres_database(url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked postgresql_only (what SQLite does not have, such as partitions) get only
    the PostgreSQL empty database; postgresql_engine is their migrated one."""
    only_postgresql = metafunc.definition.get_closest_marker("postgresql_only") is not None
    engines = ["postgresql"] if only_postgresql else ENGINES
    if "empty_database_url" in metafunc.fixturenames:
        metafunc.parametrize("empty_database_url", engines, indirect=True)


DEMO_CHECKINS = 20_000
DEMO_DAYS = 7


@pytest.fixture(scope="session")
def demo_cities(templates: dict[str, str], tmp_path_factory) -> Iterator[dict]:
    """Small demo cities ending at the current hour, built on first use, one per engine, shared
    by the whole run: tests must only read them."""
    from datetime import UTC, datetime

    from ingest.demo_city import build_demo_city

    built: dict[str, str] = {}

    def get(kind: str) -> str:
        if kind in built:
            return built[kind]
        if kind == "sqlite":
            path = tmp_path_factory.mktemp("demo") / "demo.db"
            shutil.copy(templates["sqlite"], path)
            url = f"sqlite:///{path}"
        else:
            url = create_postgres_database(template=templates["postgresql"])
        engine = make_engine(url)
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        build_demo_city(engine, checkins=DEMO_CHECKINS, days=DEMO_DAYS, seed=7, end=end)
        engine.dispose()
        built[kind] = url
        return url

    yield {"get": get}
    if "postgresql" in built:
        drop_postgres_database(built["postgresql"])


@pytest.fixture(params=ENGINES)
def demo_url(request: pytest.FixtureRequest, demo_cities: dict) -> str:
    """The demo city on SQLite and on PostgreSQL."""
    return demo_cities["get"](request.param)


@pytest.fixture(scope="session")
def sqlite_demo_url(demo_cities: dict) -> str:
    """The demo city on SQLite only (browser tests: the database tests cover both engines)."""
    return demo_cities["get"]("sqlite")


@pytest.fixture
def demo_engine(demo_url: str) -> Iterator[Engine]:
    with opened(demo_url) as engine:
        yield engine


@pytest.fixture
def demo_copy_url(demo_url: str, tmp_path: Path) -> Iterator[str]:
    """A private copy of the demo city, for tests that write (audit records, follow-ups…)."""
    if demo_url.startswith("sqlite"):
        path = tmp_path / "demo-copy.db"
        source = make_url(demo_url).database
        assert source is not None, demo_url
        shutil.copy(source, path)
        yield f"sqlite:///{path}"
        return
    url = create_postgres_database(template=make_url(demo_url).database)
    yield url
    drop_postgres_database(url)
