"""create-user, list-users, deactivate-user. There is no default password anywhere."""

from __future__ import annotations

import argparse
import getpass
import sys

from config.settings import Settings
from db.engine import make_engine
from queries.users import create_user, list_users, set_active
from queries.venues import venue_id_for_ref
from rules.access import ROLES, AccessError


def _read_password(no_password: bool) -> str | None:
    if no_password:
        return None
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise AccessError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        password = _read_password(args.sso_only)
        with engine.begin() as connection:
            venue_id = None
            if args.venue:
                venue_id = venue_id_for_ref(connection, args.venue)
                if venue_id is None:
                    raise AccessError(f"unknown venue_ref {args.venue!r}")
            create_user(
                connection,
                args.username,
                password,
                args.role,
                district_code=args.district,
                ward_code=args.ward,
                venue_id=venue_id,
            )
    except AccessError as error:
        print(f"create-user: {error}", file=sys.stderr)
        return 2
    print(f"Created {args.role} {args.username.strip().lower()}.")
    return 0


def cmd_list_users(args: argparse.Namespace, settings: Settings) -> int:
    with make_engine(settings.database_url).connect() as connection:
        users = list_users(connection)
    for user in users:
        area = user["ward_code"] or user["district_code"] or "city"
        state = "active" if user["active"] else "deactivated"
        print(f"{user['username']:30} {user['role']:17} {area:8} {state}")
    return 0


def cmd_deactivate_user(args: argparse.Namespace, settings: Settings) -> int:
    with make_engine(settings.database_url).begin() as connection:
        if not set_active(connection, args.username.strip().lower(), False):
            print(f"deactivate-user: no user {args.username!r}", file=sys.stderr)
            return 2
    print(f"Deactivated {args.username}.")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    create = commands.add_parser(
        "create-user",
        help="add an account; the password is prompted for, or read from stdin",
    )
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--district", help="3-digit district code (district officers)")
    create.add_argument("--ward", help="5-digit ward code (ward officers)")
    create.add_argument("--venue", help="venue_ref of the venue (venue staff)")
    create.add_argument(
        "--sso-only", action="store_true", help="no local password: signs in through the city SSO"
    )
    create.set_defaults(run=cmd_create_user)
    commands.add_parser("list-users", help="accounts, roles and areas").set_defaults(
        run=cmd_list_users
    )
    deactivate = commands.add_parser("deactivate-user", help="stop an account signing in")
    deactivate.add_argument("username")
    deactivate.set_defaults(run=cmd_deactivate_user)
