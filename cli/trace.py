"""add-case, trace and export-fhir."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from cli._common import iso_instant, positive_int
from config.settings import Settings
from db.engine import make_engine
from queries.audit import about, record
from queries.cases import AmbiguousPerson, PersonRef, find_person, latest_case, register_case
from queries.fhir_export import case_for_export, fhir_rows
from queries.trace import TraceResult, TraceRules, case_window, trace
from queries.trace_contacts import Contact
from reports.fhir_bundle import bundle_json, fhir_bundle
from rules.exposure import lookback_window


class CommandError(Exception):
    """A problem the operator can fix; printed as one line."""


def iso_date(text: str) -> date:
    """A calendar date YYYY-MM-DD (argparse type)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


def _person(connection: Connection, args: argparse.Namespace) -> PersonRef:
    try:
        return find_person(connection, args.phone, args.name)
    except AmbiguousPerson as error:
        raise CommandError(
            f"{len(error.names)} people share the phone {error.phone}: "
            f"{', '.join(error.names)}; give --name"
        ) from None
    except (LookupError, ValueError) as error:  # unknown person, malformed phone
        raise CommandError(str(error)) from None


def _run(command: str, work: Callable[[Connection], int], settings: Settings) -> int:
    """Run work(connection) in one transaction; operator errors become one line, status 2."""
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            return work(connection)
    except CommandError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        print(f"{command}: database error: {reason}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


# --- add-case -------------------------------------------------------------------------------


def cmd_add_case(args: argparse.Namespace, settings: Settings) -> int:
    if args.onset is None and args.test_date is None:
        print("add-case: give --onset or --test-date", file=sys.stderr)
        return 2
    rules = TraceRules.from_settings(settings.trace)
    status = "confirmed" if args.confirmed else "suspected"

    def work(connection: Connection) -> int:
        who = _person(connection, args)
        try:
            case_id = register_case(
                connection, who.id, status, args.onset, args.test_date, args.isolated_at,
                created_by="cli", note=args.note,
            )  # fmt: skip
        except (ValueError, LookupError) as error:
            raise CommandError(str(error)) from None
        since, _ = lookback_window(
            args.onset, args.test_date, args.isolated_at, datetime.now(UTC),
            rules.lookback_days, settings.zone,
        )  # fmt: skip
        print(
            f"Case {case_id}: {who.full_name} ({who.phone}), {status}; "
            f"its visits count from {_local(since, settings.zone)}."
        )
        return 0

    return _run("add-case", work, settings)


# --- trace ----------------------------------------------------------------------------------


def _window(
    connection: Connection,
    args: argparse.Namespace,
    who: PersonRef,
    rules: TraceRules,
    zone: ZoneInfo,
) -> tuple[datetime, datetime, Any]:
    now = datetime.now(UTC)
    case = latest_case(connection, who.id)
    if args.since is not None:
        since, until = args.since, now
    elif case is not None:
        since, until = case_window(case, rules, now, zone)
    else:
        raise CommandError(
            f"no case recorded for {who.full_name} ({who.phone}); "
            "record one with add-case or give --since"
        )
    until = args.until or until
    if until <= since:
        raise CommandError(f"--until must be after the start of the window ({since.isoformat()})")
    return since, until, case


def _contact_json(contact: Contact, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "phone": contact.phone,
        "full_name": contact.full_name,
        "level": contact.level,
        "first_exposure": _local(contact.first_exposure, zone),
        "overlap_minutes": contact.overlap_minutes,
        "venues": list(contact.venues),
        "via": [
            {
                "through": step.through_name,
                "through_phone": step.through_phone,
                "venue_ref": step.venue_ref,
                "at": _local(step.at, zone),
            }
            for step in contact.via
        ],
    }


def trace_json(who: PersonRef, case: Any, result: TraceResult, zone: ZoneInfo) -> dict[str, Any]:
    """The --json document: the case and its window, its visits, its contacts."""
    return {
        "case": {
            "case_id": None if case is None else case.id,
            "status": None if case is None else case.status,
            "phone": who.phone,
            "full_name": who.full_name,
            "since": _local(result.since, zone),
            "until": _local(result.until, zone),
            "depth": result.depth,
        },
        "visits": [
            {
                "venue_ref": visit.venue_ref,
                "venue_name": visit.venue_name,
                "start": _local(visit.start, zone),
                "end": _local(visit.end, zone),
            }
            for visit in result.visits
        ],
        "contacts": [_contact_json(contact, zone) for contact in result.contacts],
    }


def _print_text(who: PersonRef, result: TraceResult, zone: ZoneInfo) -> None:
    def hm(instant: datetime) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    print(
        f"{who.full_name} ({who.phone}), {hm(result.since)} – {hm(result.until)}: "
        f"{len(result.visits)} visits, {len(result.level(1))} F1, {len(result.level(2))} F2"
    )
    for visit in result.visits:
        print(f"  visit {hm(visit.start)} – {hm(visit.end)}  {visit.venue_ref}  {visit.venue_name}")
    for c in result.contacts:
        path = " → ".join(f"{s.through_name} at {s.venue_ref}" for s in c.via)
        print(
            f"  F{c.level} {c.phone} {c.full_name}: from {hm(c.first_exposure)}, "
            f"{c.overlap_minutes} min at {', '.join(c.venues)} (via {path})"
        )


def cmd_trace(args: argparse.Namespace, settings: Settings) -> int:
    rules = TraceRules.from_settings(settings.trace)
    zone = settings.zone
    # Printed once the transaction (with its audit row) is committed: a reader that stops
    # early (`| head`) must not roll back the record of a trace whose contacts it was shown.
    shown: list[Callable[[], None]] = []

    def work(connection: Connection) -> int:
        who = _person(connection, args)
        since, until, case = _window(connection, args, who, rules, zone)
        result = trace(connection, who.id, since, until, rules, depth=args.depth)
        # Every trace is bound to a case and a purpose, and recorded (DESIGN §6), here too.
        record(
            connection, f"manage.py ({getpass.getuser()})", "trace",
            about("trace", person=who.id, depth=args.depth, since=f"{since:%Y-%m-%d}",
                  until=f"{until:%Y-%m-%d}"),
            case_id=getattr(case, "id", None), purpose=args.purpose or "(none given)",
            row_count=len(result.contacts),
        )  # fmt: skip
        if not args.purpose:
            print("trace: no --purpose given; the trace is recorded without one", file=sys.stderr)
        if args.json:
            document = json.dumps(trace_json(who, case, result, zone), ensure_ascii=False, indent=2)
            shown.append(lambda: print(document))
        else:
            shown.append(lambda: _print_text(who, result, zone))
        return 0

    status = _run("trace", work, settings)
    for show in shown if status == 0 else ():
        show()
    return status


# --- export-fhir ----------------------------------------------------------------------------


def cmd_export_fhir(args: argparse.Namespace, settings: Settings) -> int:
    """The case's trace as a FHIR Bundle (docs/fhir.md): the window of the case as `trace`
    takes it, recorded in the audit log as an export of the case before it is written."""
    rules = TraceRules.from_settings(settings.trace)
    zone = settings.zone
    done: list[tuple[str, str]] = []  # (document, summary), once committed

    def work(connection: Connection) -> int:
        if args.out not in (None, "-"):
            folder = os.path.dirname(os.path.abspath(args.out))
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                raise CommandError(f"cannot write {args.out}: no such folder, or not writable")
        case = case_for_export(connection, args.case)
        if case is None:
            raise CommandError(f"no case {args.case} (manage.py cases lists them)")
        since, until = case_window(case, rules, datetime.now(UTC), zone)
        since, until = args.since or since, args.until or until
        if until <= since:
            raise CommandError(
                f"--until must be after the start of the window ({since.isoformat()})"
            )
        result = trace(connection, case.person.person_id, since, until, rules, depth=args.depth)
        document = bundle_json(fhir_bundle(fhir_rows(connection, case.case_id, result), result))
        contacts = len(result.contacts)
        record(
            connection, f"manage.py ({getpass.getuser()})", "export",
            about("fhir_export", case=case.case_id, contacts=contacts),
            case_id=case.case_id, purpose=args.purpose or "(none given)", row_count=contacts,
            detail=f"depth {args.depth}, {since:%Y-%m-%d}..{until:%Y-%m-%d}",
        )  # fmt: skip
        if not args.purpose:
            print(
                "export-fhir: no --purpose given; the export is recorded without one",
                file=sys.stderr,
            )
        done.append(
            (
                document,
                f"Case {case.case_id}: {len(result.visits)} visits, "
                f"{len(result.level(1))} F1, {len(result.level(2))} F2",
            )
        )
        return 0

    status = _run("export-fhir", work, settings)
    if status != 0:
        return status
    # Written once the audit row is committed: no file of personal data without its record.
    document, summary = done[0]
    if args.out in (None, "-"):
        print(document)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8") as out:
            out.write(document + "\n")
    except OSError as error:
        print(f"export-fhir: cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"{summary}; FHIR Bundle written to {args.out}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    add = commands.add_parser("add-case", help="record a suspected or confirmed case")
    add.add_argument("--phone", required=True, help="the person's phone, any Vietnamese form")
    add.add_argument("--name", help="the person's full name, when several share the phone")
    add.add_argument("--onset", type=iso_date, help="symptom onset, YYYY-MM-DD")
    add.add_argument("--test-date", type=iso_date, help="positive test, YYYY-MM-DD")
    add.add_argument("--isolated-at", type=iso_instant, help="ISO 8601 with offset")
    add.add_argument("--confirmed", action="store_true", help="confirmed (default: suspected)")
    add.add_argument("--note", default="", help="free text")
    add.set_defaults(run=cmd_add_case)

    tracer = commands.add_parser("trace", help="a person's visits and contacts (F1, F2)")
    tracer.add_argument("--phone", required=True, help="the person's phone, any Vietnamese form")
    tracer.add_argument("--name", help="the person's full name, when several share the phone")
    tracer.add_argument(
        "--since", type=iso_instant, help="ISO 8601 with offset (default: the case's window)"
    )
    tracer.add_argument(
        "--until", type=iso_instant, help="ISO 8601 with offset (default: isolation or now)"
    )
    tracer.add_argument("--depth", type=int, choices=(1, 2), default=1, help="1: F1, 2: F1 and F2")
    tracer.add_argument("--json", action="store_true", help="print JSON")
    tracer.add_argument("--purpose", help="why this trace is run (written to the audit log)")
    tracer.set_defaults(run=cmd_trace)

    export = commands.add_parser(
        "export-fhir", help="a case and its contacts as an HL7 FHIR R4 Bundle (JSON)"
    )
    export.add_argument("--case", type=positive_int, required=True, help="the case id (see cases)")
    export.add_argument("--out", help="the file to write (default, or -: standard output)")
    export.add_argument(
        "--since", type=iso_instant, help="ISO 8601 with offset (default: the case's window)"
    )
    export.add_argument(
        "--until", type=iso_instant, help="ISO 8601 with offset (default: isolation or now)"
    )
    export.add_argument(
        "--depth", type=int, choices=(1, 2), default=2, help="1: F1, 2: F1 and F2 (default)"
    )
    export.add_argument("--purpose", help="why the case is exported (written to the audit log)")
    export.set_defaults(run=cmd_export_fhir)
