"""Make the database usable before any page runs: migrate the embedded SQLite database and,
on the very first start, fill it with a demo city while showing progress."""

from __future__ import annotations

import fcntl
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from config.settings import Settings
from db.migrate import current_revision, head_revision
from db.problems import describe_connection_error
from ingest.demo_accounts import create_demo_accounts, print_accounts
from ingest.demo_city import build_demo_city
from queries.audit import about, record
from queries.retention import purge
from queries.setup import init_db
from queries.venues import has_venues
from ui.progress import on_bar
from ui.runtime import t


@st.cache_resource(show_spinner=False)
def _migrated(database_url: str, _engine: Engine) -> bool:
    init_db(_engine)
    return True


@st.cache_resource(show_spinner=False)
def _purged_on_start(database_url: str, _engine: Engine, retention_days: int) -> bool:
    """The retention purge, once per process, when settings.purge_on_start asks for it."""
    with _engine.begin() as connection:
        report = purge(connection, datetime.now(UTC), retention_days)
        record(
            connection, "app start", "purge", about("purge", cutoff=report.cutoff.isoformat()),
            row_count=report.checkins,
        )  # fmt: skip
    return True


@st.cache_resource(show_spinner=False)
def _seed_state(database_url: str) -> dict[str, bool]:
    return {"done": False}


def _has_venues(engine: Engine) -> bool:
    with engine.connect() as connection:
        return has_venues(connection)


def ensure_ready(settings: Settings, engine: Engine) -> None:
    """Stop the page with a readable message when the database cannot be used."""
    try:
        if not settings.is_sqlite:
            current, head = current_revision(engine), head_revision()
            if current != head:
                st.error(t("setup.schema_old", current=current or "—", head=head))
                st.stop()
        else:
            _migrated(settings.database_url, engine)
            seeded = _seed_state(settings.database_url)
            if settings.demo.seed_on_first_start and not seeded["done"]:
                if not _has_venues(engine):
                    _seed_once(settings, engine)
                seeded["done"] = True  # no need to count venues on every rerun any more
        if settings.purge_on_start:
            _purged_on_start(settings.database_url, engine, settings.retention_days)
    except OperationalError as error:
        # One line naming host, port and database and the likely fix (db/problems.py).
        line = describe_connection_error(settings.database_url, error)
        st.error(t("setup.db_error", error=line or str(error.orig).splitlines()[0]))
        st.stop()


def _seed_once(settings: Settings, engine: Engine) -> None:
    # Several sessions (or processes) may open the app at once: one builds, the rest wait.
    lock_path = Path(engine.url.database or "kbyt.db").with_suffix(".seed.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _has_venues(engine):
            return
        bar = st.progress(0.0, text=t("setup.creating"))
        summary = build_demo_city(
            engine,
            checkins=settings.demo.checkins,
            days=settings.demo.days,
            seed=settings.demo.seed,
            dwell_minutes=settings.dwell_minutes,
            progress=on_bar(bar, lambda message: f"{t('setup.creating')} {message}"),
        )
        with engine.begin() as connection:
            print_accounts(create_demo_accounts(connection))
        bar.empty()
        st.toast(
            t(
                "setup.done",
                venues=summary.venues,
                checkins=summary.checkins,
                seconds=round(summary.seconds),
            )
        )
