"""add-wall-screen, revoke-wall-screen, list-wall-screens: the command centre's unattended
screens. A screen's device link is printed once, when it is made; opened on the screen, it
signs the screen in for a long while (sessions.wall_screen_days) as the command-centre role
over its district or the city: aggregates only, no personal data. Revoking ends it at once."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

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
from queries.audit import about, record
from queries.sessions import (
    WallScreenError,
    add_wall_screen,
    list_wall_screens,
    revoke_wall_screen,
    wall_screen_link,
)


def cmd_add_wall_screen(args: argparse.Namespace, settings: Settings) -> int:
    try:
        with make_engine(settings.database_url).begin() as connection:
            secret = add_wall_screen(
                connection, args.name, args.district, OPERATOR, datetime.now(UTC)
            )
            record(
                connection, OPERATOR, "wall_screen.add",
                about("wall_screen", name=args.name.strip()), detail=args.district or "city",
            )  # fmt: skip
    except WallScreenError as error:
        print(f"add-wall-screen: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        return database_error("add-wall-screen", error)
    # The link alone on stdout, so that a script can take it; the words for a person on stderr.
    print(wall_screen_link(settings.public_base_url, secret))
    print(
        f"Open this link once on the screen {args.name.strip()!r}; it will not be shown again "
        "(only its digest is stored). Revoke it with revoke-wall-screen.",
        file=sys.stderr,
    )
    return 0


def cmd_revoke_wall_screen(args: argparse.Namespace, settings: Settings) -> int:
    name = args.name.strip()
    return revoke_and_record(
        "revoke-wall-screen",
        settings,
        lambda connection, now: revoke_wall_screen(connection, name, now),
        ("wall_screen.revoke", about("wall_screen", name=args.name)),
        missing=f"no active screen {args.name!r}",
        done=f"Revoked wall screen {name}: it is signed out at its next refresh.",
    )


def _screen_line(screen: dict[str, Any]) -> str:
    return (
        f"{screen['name']:30}  {screen['district_code'] or 'city':5}  "
        f"{utc_minute(screen['created_at']):17}  "
        f"{utc_minute(screen['last_seen_at']) or 'never':17}  {revoked_state(screen['revoked_at'])}"
    )


def cmd_list_wall_screens(args: argparse.Namespace, settings: Settings) -> int:
    return print_listing(
        "list-wall-screens",
        settings,
        list_wall_screens,
        f"{'name':30}  {'area':5}  {'created':17}  {'last seen':17}  state",
        _screen_line,
        nothing="No wall screens.",
    )


def register(commands: argparse._SubParsersAction) -> None:
    add = commands.add_parser(
        "add-wall-screen", help="register a command-centre screen; its link is printed once"
    )
    add.add_argument("--name", required=True, help="e.g. 'Phòng chỉ huy — màn hình 1'")
    add.add_argument("--district", help="3-digit district code; the whole city when left out")
    add.set_defaults(run=cmd_add_wall_screen)
    revoke = commands.add_parser("revoke-wall-screen", help="sign a screen out for good")
    revoke.add_argument("name")
    revoke.set_defaults(run=cmd_revoke_wall_screen)
    commands.add_parser(
        "list-wall-screens", help="screens with their area and when they were last seen"
    ).set_defaults(run=cmd_list_wall_screens)
