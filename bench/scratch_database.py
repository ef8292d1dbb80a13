"""A database of the benchmark's own, made for a run and dropped after it: on PostgreSQL one
named kbyt_bench… next to the URL's (created through the same role on the database `kbyt`), on
SQLite a file in a temporary directory; filled by `manage.py` as an operator fills one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.app_server import UNDER_LOAD, app_environment
from bench.pg_databases import drop_postgres
from db.engine import make_engine
from db.schema import venue

REPO = Path(__file__).resolve().parent.parent
ADMIN_DATABASE = "kbyt"


@dataclass
class Database:
    url: str
    engine_name: str  # "postgresql" or "sqlite"
    created: bool = False
    workdir: Path | None = None
    admin_url: str | None = None

    @property
    def name(self) -> str | None:
        return make_url(self.url).database if self.engine_name == "postgresql" else None


def prepare_database(url: str, reuse: bool) -> Database:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).resolve()
            if path.exists() and not reuse:
                raise SystemExit(f"{path} exists: pass --reuse to load it, or use sqlite://")
            return Database(f"sqlite:///{path}", "sqlite", created=not path.exists())
        workdir = Path(tempfile.mkdtemp(prefix="kbyt-bench-load-"))
        return Database(f"sqlite:///{workdir / 'bench.db'}", "sqlite", True, workdir)
    if backend != "postgresql":
        raise SystemExit(f"unsupported database {url!r} (sqlite:// or postgresql://)")
    name = parsed.database or ""
    if not name.startswith("kbyt_bench"):
        raise SystemExit(
            f"the benchmark creates and drops its database: name it kbyt_bench… ({name})"
        )
    url = parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    admin_url = make_url(url).set(database=ADMIN_DATABASE).render_as_string(hide_password=False)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if exists and not reuse:
                drop_postgres(connection, name)
            if not exists or not reuse:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return Database(url, "postgresql", created=not reuse, admin_url=admin_url)


def has_venues(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(select(func.count()).select_from(venue)))
    except Exception:  # noqa: BLE001 - no schema yet
        return False
    finally:
        engine.dispose()


def manage(url: str, *args: str) -> None:
    environment = app_environment(url, UNDER_LOAD)
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=environment, check=True)
    print(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def drop_database(database: Database) -> None:
    if database.engine_name == "sqlite":
        if database.workdir is not None:
            shutil.rmtree(database.workdir, ignore_errors=True)
        return
    admin = create_engine(database.admin_url or "", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            drop_postgres(connection, database.name or "")
    finally:
        admin.dispose()


def fresh_database(engine_name: str, postgres_url: str) -> tuple[str, Callable[[], None]]:
    """(URL, drop) of an empty database for one measure: a SQLite file in a temporary directory,
    or a PostgreSQL database kbyt_bench_<random> next to postgres_url's."""
    if engine_name == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return f"sqlite:///{path}", lambda: None
    name = f"kbyt_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            drop_postgres(connection, name)

    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False), drop
