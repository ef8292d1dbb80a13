"""Helpers shared by the commands: argument types, UTC times in listings and
database errors as one line."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError


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
