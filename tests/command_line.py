"""`python manage.py …` as an operator runs it: a process of its own, on the database named by
DATABASE_URL, with none of the developer's KBYT_ variables."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from sqlalchemy import ColumnElement, select, true

from db.schema import audit_log
from tests.conftest import REPO, opened


def operator_env(database_url: str | None = None, **variables: str) -> dict[str, str]:
    """This process's environment without its KBYT_ variables, then DATABASE_URL (if given) and
    the variables given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBYT_")}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env.update(variables)
    return env


def manage(
    *args: str, database_url: str, extra_env: dict[str, str] | None = None, **run: Any
) -> subprocess.CompletedProcess[str]:
    """Run manage.py with args to its end; its output is text (run: input=…, timeout=…)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO, env=operator_env(database_url, **(extra_env or {})),
        capture_output=True, text=True, **{"timeout": 300, **run},
    )  # fmt: skip


def start_manage(*args: str, database_url: str, **popen: Any) -> subprocess.Popen[str]:
    """Start manage.py with args and go on (popen: stdout=…, stderr=…); its output is text."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=REPO, env=operator_env(database_url), text=True, **popen,
    )  # fmt: skip


def audit_rows(database_url: str, *columns: ColumnElement, where: Any = true()) -> list[tuple]:
    """Columns of the audit log's rows (those where says), in the order they were written."""
    with opened(database_url) as engine, engine.connect() as connection:
        query = select(*columns).where(where).order_by(audit_log.c.id)
        return [tuple(row) for row in connection.execute(query)]
