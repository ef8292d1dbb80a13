"""KBYT command line: `python manage.py COMMAND --help`.

The database is the one in the settings (KBYT_DATABASE_URL or DATABASE_URL; default: the
embedded SQLite file under data/). Commands live in cli/, one module per group.
"""

from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy.exc import OperationalError

from cli import Command, register_all
from config.settings import ConfigError, get_settings
from db.engine import check_before_first_engine
from db.problems import describe_connection_error, unusable_database

# Commands that make the database (and a SQLite file's folders) when it is not there yet; every
# other command needs a database with the schema and says so instead of creating an empty one.
CREATING_COMMANDS = frozenset({"init-db", "seed-demo"})


class UnusableDatabase(Exception):
    """The database cannot serve the command; the message is the one line to print."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_all(commands)
    return parser


def _quiet_broken_pipe() -> None:
    """The reader of our output went away (`manage.py trace … | head`): end quietly. Python
    would print a BrokenPipeError when it flushes stdout at exit; point stdout at /dev/null."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2

    def usable(database_url: str) -> None:
        problem = unusable_database(database_url, may_create=args.command in CREATING_COMMANDS)
        if problem:
            raise UnusableDatabase(problem)

    # Checked when the command first opens the database, so that its own argument checks
    # come first and a command that needs no database (settings-table) never opens one.
    check_before_first_engine(usable)
    run: Command = args.run
    try:
        status = run(args, settings)
        sys.stdout.flush()
        return status
    except UnusableDatabase as problem:
        print(f"{args.command}: {problem}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _quiet_broken_pipe()
        return 1
    except OperationalError as error:  # the database went away while the command ran
        line = describe_connection_error(settings.database_url, error)
        if line is None:
            raise
        print(f"{args.command}: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
