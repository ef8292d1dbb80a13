"""create-api-key, revoke-api-key, list-api-keys: the keys partner systems send to
POST /api/v1/checkins (docs/api.md). A key is printed once, when it is made; the database keeps
only its digest, so a lost key is revoked and replaced, never recovered."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import SQLAlchemyError

from cli._common import (
    OPERATOR,
    database_error,
    print_listing,
    revoke_and_record,
    revoked_state,
    utc_minute,
)
from config.settings import Settings
from db.engine import make_engine
from ingest.report import ImportFileError
from queries.api_keys import (
    PREFIX_LENGTH,
    ApiKeyError,
    create_api_key,
    list_api_keys,
    revoke_api_key,
)
from queries.audit import about, record


def cmd_create_api_key(args: argparse.Namespace, settings: Settings) -> int:
    try:
        with make_engine(settings.database_url).begin() as connection:
            key = create_api_key(connection, args.source, OPERATOR, note=args.note)
            record(
                connection,
                OPERATOR,
                "api_key.create",
                about("api_key_created", prefix=key[:PREFIX_LENGTH], source=args.source.strip()),
                detail=args.note,
            )
    except ImportFileError as error:
        print(f"create-api-key: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        return database_error("create-api-key", error)
    # The key alone on stdout, so that a script can take it; the words for a person on stderr.
    print(key)
    print(
        f"API key for source {args.source.strip()!r} (prefix {key[:PREFIX_LENGTH]}). It will "
        "not be shown again: give it to the partner now; only its digest is stored.",
        file=sys.stderr,
    )
    return 0


def cmd_revoke_api_key(args: argparse.Namespace, settings: Settings) -> int:
    # A whole key may be given: only its prefix is logged or printed, never the secret.
    given = args.key.strip()
    shown = given if given.isdigit() else given[:PREFIX_LENGTH]
    return revoke_and_record(
        "revoke-api-key",
        settings,
        lambda connection, now: revoke_api_key(connection, given, now),
        ("api_key.revoke", about("api_key", key=shown)),
        missing=f"no active key {shown!r} (see list-api-keys)",
        done=f"Revoked API key {shown}: it is refused from now on.",
        refused=(ApiKeyError,),
    )


def _key_line(key: Row[*tuple[Any, ...]]) -> str:
    return (
        f"{key.id:>4}  {key.prefix:12}  {key.source:20}  {utc_minute(key.created_at):17}  "
        f"{utc_minute(key.last_used_at) or 'never':17}  {revoked_state(key.revoked_at)}"
        + (f"  ({key.note})" if key.note else "")
    )


def cmd_list_api_keys(args: argparse.Namespace, settings: Settings) -> int:
    return print_listing(
        "list-api-keys",
        settings,
        list_api_keys,
        f"{'id':>4}  {'prefix':12}  {'source':20}  {'created':17}  {'last used':17}  state",
        _key_line,
        nothing="No API keys.",
    )


def register(commands: argparse._SubParsersAction) -> None:
    create = commands.add_parser(
        "create-api-key", help="make a key for a partner system; it is printed once"
    )
    create.add_argument("--source", required=True, help="the source its check-ins are stored as")
    create.add_argument("--note", default="", help="who the key is for (at most 200 characters)")
    create.set_defaults(run=cmd_create_api_key)
    revoke = commands.add_parser("revoke-api-key", help="refuse a key from now on")
    revoke.add_argument("key", metavar="KEY_PREFIX_OR_ID", help="as list-api-keys shows it")
    revoke.set_defaults(run=cmd_revoke_api_key)
    commands.add_parser(
        "list-api-keys", help="keys with their source, prefix and last use (never the key)"
    ).set_defaults(run=cmd_list_api_keys)
