"""settings-table: README's settings table, from the settings declaration."""

from __future__ import annotations

import argparse

from config.settings import Settings
from config.settings_table import readme_block


def cmd_settings_table(args: argparse.Namespace, settings: Settings) -> int:
    print(readme_block())
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    table = commands.add_parser(
        "settings-table", help="print README's settings table (from config/settings.py)"
    )
    table.set_defaults(run=cmd_settings_table)
