"""Helpers shared by the commands: argument types, UTC times in listings, database errors as
one line, and the list-* and revoke-* commands' run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from config.settings import Settings
from db.engine import make_engine
from queries.audit import Subject, record

# The audit log's user for what the commands do.
OPERATOR = "manage.py"

Listed = TypeVar("Listed")


def iso_instant(text: str) -> datetime:
    """An ISO 8601 instant with its offset (argparse type)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone offset, e.g. {text}+07:00")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def utc_minute(moment: datetime | None) -> str:
    """An instant as listings show it: '2026-12-02 04:30Z', or '' for none."""
    return moment.strftime("%Y-%m-%d %H:%M") + "Z" if moment else ""


def database_error(command: str, error: SQLAlchemyError) -> int:
    """Say what the database answered in one line on stderr; the exit status."""
    lines = str(error).strip().splitlines()
    print(f"{command}: database error: {lines[0] if lines else error}", file=sys.stderr)
    return 1


def revoked_state(revoked_at: datetime | None) -> str:
    """A listing's state column: 'active', or 'revoked' and when."""
    return f"revoked {utc_minute(revoked_at)}" if revoked_at else "active"


def print_listing(
    command: str,
    settings: Settings,
    read: Callable[[Connection], Sequence[Listed]],
    header: str,
    line: Callable[[Listed], str],
    nothing: str,
) -> int:
    """A list-* command: what read() returns, under header one line each, or nothing when there
    is none; the exit status."""
    try:
        with make_engine(settings.database_url).connect() as connection:
            rows = read(connection)
    except SQLAlchemyError as error:
        return database_error(command, error)
    if not rows:
        print(nothing)
        return 0
    print(header)
    for row in rows:
        print(line(row))
    return 0


def revoke_and_record(
    command: str,
    settings: Settings,
    revoke: Callable[[Connection, datetime], bool],
    audit: tuple[str, Subject],
    missing: str,
    done: str,
    refused: tuple[type[Exception], ...] = (),
) -> int:
    """A revoke-* command: revoke(connection, now) and, when it revoked something, the audit
    log's (action, subject) in the same transaction. On stderr with status 2: missing when
    nothing was revoked, a refused error's own words; done on stdout; the exit status."""
    try:
        with make_engine(settings.database_url).begin() as connection:
            revoked = revoke(connection, datetime.now(UTC))
            if revoked:
                record(connection, OPERATOR, *audit)
    except refused as error:
        print(f"{command}: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        return database_error(command, error)
    if not revoked:
        print(f"{command}: {missing}", file=sys.stderr)
        return 2
    print(done)
    return 0
