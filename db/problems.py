"""A database that cannot be used, said in one line an operator can act on: where the app tried
(host, port, database), what the server answered, and the likely fix. The command line and the
app's start-up page show this line instead of SQLAlchemy's traceback."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from config.settings import normalise_database_url

START_POSTGRES = "scripts/ensure-postgres starts one"

# (pattern in the driver's message, reason with its fix); {user} and {database} from the URL.
_POSTGRES_REASONS: tuple[tuple[str, str], ...] = (
    (r"Connection refused", f"connection refused — is the server running? {START_POSTGRES}"),
    (
        r"password authentication failed|no password supplied",
        "password authentication failed for user {user} — check the password in "
        "KBYT_DATABASE_URL (scripts/ensure-postgres makes the role kbyt with password kbyt)",
    ),
    (
        r'database ".*" does not exist',
        "database {database} does not exist — create it (createdb -h HOST -p PORT -U {user} "
        "{database}; scripts/ensure-postgres makes kbyt), then run manage.py init-db",
    ),
    (
        r'role ".*" does not exist',
        "role {user} does not exist — scripts/ensure-postgres makes the role kbyt (password "
        "kbyt), or set the user in KBYT_DATABASE_URL",
    ),
    (
        r"could not translate host name|Name or service not known",
        "unknown host name — check the host in KBYT_DATABASE_URL",
    ),
    (
        r"timeout expired|timed out|No route to host|Network is unreachable",
        "no answer (host down, or a firewall) — check the host and port in KBYT_DATABASE_URL",
    ),
)


def where(url: URL) -> str:
    """'PostgreSQL at 127.0.0.1:5432 (database kbyt)' or 'SQLite database /path/kbyt.db'."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database or ':memory:'}"
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432} (database {url.database})"


def describe_connection_error(database_url: str, error: BaseException) -> str | None:
    """One line for an error met while connecting; None when the error is not about reaching
    the database (a query's own error, a constraint)."""
    if not isinstance(error, OperationalError):
        return None
    url = make_url(normalise_database_url(database_url))
    message = str(error.orig if isinstance(error, DBAPIError) else error).strip()
    first = message.splitlines()[0] if message else type(error).__name__
    if url.get_backend_name() == "sqlite":
        if "unable to open database file" not in message:
            return None
        folder = Path(url.database or ".").parent
        return (
            f"cannot open the {where(url)}: {first} — does the folder {folder} exist and may "
            "this account write to it?"
        )
    if error.statement is not None:  # the connection was made: a statement failed
        return None
    values = {"user": url.username or "(none)", "database": url.database}
    for pattern, reason in _POSTGRES_REASONS:
        if re.search(pattern, message):
            return f"cannot connect to {where(url)}: {reason.format(**values)}"
    detail = re.sub(r"^connection to server at .*? failed: ", "", first).strip()
    return f"cannot connect to {where(url)}: {detail}"


def unusable_database(database_url: str, *, may_create: bool) -> str | None:
    """Why a command cannot use the database, in one line, or None when it can.

    A SQLite file that does not exist is created (with its folders) only by a command that
    may_create (init-db, seed-demo); any other refuses rather than leaving an empty file
    behind. A database that answers but has no schema asks for init-db."""
    from db.engine import make_engine
    from db.migrate import current_revision

    url = make_url(normalise_database_url(database_url))
    if url.get_backend_name() == "sqlite" and not may_create:
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            if not Path(database).is_file():
                return (
                    f"no {where(url)}: run manage.py init-db to create it (this command "
                    "creates nothing)"
                )
    engine = make_engine(database_url)
    try:
        revision = current_revision(engine)
    except OperationalError as error:
        return describe_connection_error(database_url, error) or (
            f"cannot use the {where(url)}: {str(error.orig).splitlines()[0]}"
        )
    finally:
        engine.dispose()
    if revision is None and not may_create:
        return f"the {where(url)} has no KBYT schema: run manage.py init-db first"
    return None
