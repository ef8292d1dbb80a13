"""What the plain HTTP routes share: settings, the engine, keys, limits and templates, built
once per process from the validated settings (or given by a test)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import TypeVar

from anyio import CapacityLimiter, to_thread
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from config.settings import Settings, get_settings, secret_key
from db.engine import make_engine
from queries.setup import init_db
from web.guards import Csrf, Limits

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
T = TypeVar("T")
log = logging.getLogger("kbyt.web")


# Database work of the routes runs in at most this many threads, each with a connection kept
# in the pool: with more threads than pooled connections, PostgreSQL connections were opened
# and closed about twenty times a second under load.
DATABASE_THREADS = 8


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    engine: Engine
    database_threads: CapacityLimiter
    checkout_key: bytes
    csrf: Csrf
    limits: Limits
    templates: Environment


def build_context(settings: Settings, engine: Engine | None = None) -> WebContext:
    key = secret_key(settings)
    public = settings.public
    engine = engine or make_engine(
        settings.database_url, pool_size=DATABASE_THREADS, max_overflow=0, pre_ping=False
    )
    if settings.is_sqlite:
        init_db(engine)  # the embedded default migrates itself, as the dashboard does
    return WebContext(
        settings=settings,
        engine=engine,
        database_threads=CapacityLimiter(DATABASE_THREADS),
        checkout_key=key,
        csrf=Csrf(key),
        limits=Limits.from_settings(
            public.rate_per_address,
            public.rate_per_venue,
            public.api_rate_per_key,
            settings.sessions.failures_per_address,
        ),
        templates=Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            auto_reload=False,  # templates change with a deploy: no stat() of the file per page
            trim_blocks=True,
            lstrip_blocks=True,
        ),
    )


class LazyContext:
    """The process's context, built at the first request (so that importing the server does
    not touch the database) and kept."""

    def __init__(self, factory: Callable[[], WebContext] | None = None) -> None:
        self._factory = factory or (lambda: build_context(get_settings()))
        self._context: WebContext | None = None
        self._lock = Lock()

    def __call__(self) -> WebContext:
        if self._context is None:
            with self._lock:
                if self._context is None:
                    self._context = self._factory()
        return self._context


async def in_database_thread(context: WebContext, work: Callable[[], T]) -> T:
    """Run blocking database work off the event loop, in one of the context's threads, again
    once if it met a connection the database had dropped (a restart, an idle cut): the
    engine does not ping before each use, which was a round trip per declaration. The work
    is one transaction, rolled back with the connection, so running it again is safe."""
    try:
        return await to_thread.run_sync(work, limiter=context.database_threads)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("database connection was dropped; running the request again")
        return await to_thread.run_sync(work, limiter=context.database_threads)
