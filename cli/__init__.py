"""Commands of `python manage.py`, one module per group. Each module defines
``register(commands)`` that adds its subparsers, each with ``set_defaults(run=function)``;
a run function takes (args, settings) and returns the exit status."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Callable

from config.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def register_all(commands: argparse._SubParsersAction) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"{__name__}.{module.name}").register(commands)
