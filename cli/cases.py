"""cases: the recorded cases, newest first, to pick one to trace."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.exc import SQLAlchemyError

from cli._common import database_error, positive_int
from config.settings import Settings
from db.engine import make_engine
from queries.audit import record
from queries.cases import list_cases
from rules.access import mask_name, mask_phone

STATUSES = ("suspected", "confirmed", "cleared")


def cmd_cases(args: argparse.Namespace, settings: Settings) -> int:
    """Cases with their status and when they were reported (local time). Names and phones are
    masked as on the pages without the right; --unmasked shows them, needs --purpose and is
    written to the audit log, as a trace is."""
    if args.unmasked and not (args.purpose or "").strip():
        print("cases: --unmasked shows personal data: give --purpose", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            rows = list_cases(connection, status=args.status, limit=args.limit)
            if args.unmasked:
                record(
                    connection, f"manage.py ({getpass.getuser()})", "view",
                    f"case list ({args.status or 'all'})", purpose=args.purpose.strip(),
                    row_count=len(rows),
                )  # fmt: skip
    except SQLAlchemyError as error:
        return database_error("cases", error)
    finally:
        engine.dispose()
    zone = settings.zone
    print(f"{'case':>6}  {'status':<10} {'reported (' + settings.timezone + ')':<34} person")
    for row in rows:
        reported = row.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        name, phone = row.full_name, row.phone
        if not args.unmasked:
            name, phone = mask_name(name), mask_phone(phone)
        print(f"{row.case_id:>6}  {row.status:<10} {reported:<34} {name} ({phone})")
    print(f"{len(rows)} case{'s' if len(rows) != 1 else ''}.", file=sys.stderr)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    cases = commands.add_parser("cases", help="list recorded cases, newest first")
    cases.add_argument("--status", choices=STATUSES, help="only cases with this status")
    cases.add_argument(
        "--limit", type=positive_int, default=50, help="at most this many (default 50)"
    )
    cases.add_argument(
        "--unmasked",
        action="store_true",
        help="show names and phones in full (needs --purpose; written to the audit log)",
    )
    cases.add_argument("--purpose", help="why the list is read (with --unmasked)")
    cases.set_defaults(run=cmd_cases)
