"""KBYT command line: `python manage.py COMMAND --help`.

The database is the one in the settings (KBYT_DATABASE_URL or DATABASE_URL; default: the
embedded SQLite file under data/). Commands live in cli/, one module per group.
"""

from __future__ import annotations

import argparse
import sys

from cli import Command, register_all
from config.settings import ConfigError, get_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_all(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    run: Command = args.run
    return run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
