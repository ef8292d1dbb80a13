"""import-venues, import-checkins, export-checkins: files in the format of docs/import-format.md.

Exit status: 0 when the file was processed (rejected rows are counted and listed, not fatal),
1 when an import stopped part-way (what was committed stays; running it again resumes), 2 for
a problem with the file or the arguments. Progress goes to stderr, the summary to stdout.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from cli._common import iso_instant, positive_int
from config.settings import Settings
from db.engine import make_engine
from geo.admin_units import hcmc_districts
from ingest.exports import ExportError, export_checkins
from ingest.imports import DEFAULT_CHUNK_ROWS, import_checkins, import_venues
from ingest.progress import progress_bar
from ingest.report import ImportFileError, ImportInterrupted, ImportReport
from ingest.source_files import DEFAULT_MAX_BYTES
from queries.audit import about, record

SHOWN_ERRORS = 10  # rejected rows printed when no --errors file is asked for


def cmd_import_venues(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)

    def run() -> ImportReport:
        return import_venues(
            engine,
            args.file,
            error_report=args.errors,
            progress=progress_bar("venues"),
            dwell_minutes=settings.dwell_minutes,
            encoding=args.encoding,
            max_bytes=args.max_bytes,
        )

    return _run_import("import-venues", run)


def cmd_import_checkins(args: argparse.Namespace, settings: Settings) -> int:
    engine = make_engine(settings.database_url)

    def run() -> ImportReport:
        report = import_checkins(
            engine,
            args.file,
            source=args.source,
            error_report=args.errors,
            progress=progress_bar("check-ins"),
            chunk_size=args.chunk_size,
            encoding=args.encoding,
            max_bytes=args.max_bytes,
            zone=settings.zone,
            high_risk_symptoms=settings.risk.high_risk_symptoms,
        )
        with engine.begin() as connection:
            record(
                connection,
                _operator(),
                "import",
                about("import_checkins_file", file=args.file.name, source=args.source),
                row_count=report.imported,
                detail=report.summary(),
            )
        return report

    return _run_import("import-checkins", run)


def _run_import(command: str, run: Callable[[], ImportReport]) -> int:
    try:
        report = run()
    except ImportFileError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return 2
    except ImportInterrupted as error:
        print(f"{command}: {error}", file=sys.stderr)
        print(error.report.summary())
        return 1
    except KeyboardInterrupt:
        print(f"{command}: interrupted; importing the file again resumes safely", file=sys.stderr)
        return 130
    except SQLAlchemyError as error:
        print(f"{command}: database error: {_first_line(error)}", file=sys.stderr)
        return 1
    print(report.summary())
    if report.rejected and report.error_report is None:
        for row in report.errors[:SHOWN_ERRORS]:
            print(f"  line {row.line}: {row.reason}", file=sys.stderr)
        if report.rejected > SHOWN_ERRORS:
            print(
                f"  … and {report.rejected - SHOWN_ERRORS:,} more: use --errors FILE for all",
                file=sys.stderr,
            )
    return 0


def cmd_export_checkins(args: argparse.Namespace, settings: Settings) -> int:
    if args.district not in {d.code for d in hcmc_districts()}:
        print(
            f"export-checkins: unknown district {args.district!r}; "
            "give a district code such as 760 (Quận 1)",
            file=sys.stderr,
        )
        return 2
    engine = make_engine(settings.database_url)
    to_stdout = str(args.out) == "-"
    # Written beside the target and renamed at the end: a failed export leaves no half file.
    partial: Path | None = None if to_stdout else args.out.with_name(args.out.name + ".part")
    try:
        with engine.connect() as connection:
            if partial is None:
                rows = _export(connection, args, settings, sys.stdout)
            else:
                with open(partial, "w", encoding="utf-8", newline="") as out:
                    rows = _export(connection, args, settings, out)
                os.replace(partial, args.out)
        with engine.begin() as connection:
            record(
                connection,
                _operator(),
                "export",
                about("export_district", district=args.district),
                row_count=rows,
                detail=f"{args.since.isoformat()} to {args.until.isoformat()} -> {args.out}",
            )
    except (ExportError, OSError, SQLAlchemyError, KeyboardInterrupt) as error:
        if partial is not None and partial.exists():
            partial.unlink()
        if isinstance(error, KeyboardInterrupt):
            print("export-checkins: interrupted; no file written", file=sys.stderr)
            return 130
        if isinstance(error, SQLAlchemyError):
            print(f"export-checkins: database error: {_first_line(error)}", file=sys.stderr)
            return 1
        print(f"export-checkins: {error}", file=sys.stderr)
        return 2
    if not to_stdout:
        print(f"{rows:,} check-ins of district {args.district} written to {args.out}.")
    return 0


def _export(
    connection: Connection, args: argparse.Namespace, settings: Settings, out: TextIO
) -> int:
    return export_checkins(
        connection,
        args.district,
        args.since,
        args.until,
        out,
        zone=settings.zone,
        progress=progress_bar("export"),
    )


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else error.__class__.__name__


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a container
        return "cli"


def register(commands: argparse._SubParsersAction) -> None:
    venues = commands.add_parser(
        "import-venues", help="create or update venues from a CSV or JSONL file"
    )
    venues.add_argument("file", type=Path, help="CSV or JSONL (docs/import-format.md)")
    _file_options(venues)
    venues.set_defaults(run=cmd_import_venues)

    checkins = commands.add_parser(
        "import-checkins", help="import check-ins from a CSV or JSONL file (idempotent)"
    )
    checkins.add_argument("file", type=Path, help="CSV or JSONL (docs/import-format.md)")
    checkins.add_argument(
        "--source", default="import", help="the system the file comes from (default: import)"
    )
    checkins.add_argument(
        "--chunk-size",
        type=positive_int,
        default=DEFAULT_CHUNK_ROWS,
        help=f"rows per transaction (default {DEFAULT_CHUNK_ROWS:,})",
    )
    _file_options(checkins)
    checkins.set_defaults(run=cmd_import_checkins)

    export = commands.add_parser(
        "export-checkins", help="a district's check-ins as CSV in the import format"
    )
    export.add_argument("--district", required=True, help="district code, e.g. 760")
    export.add_argument("--since", type=iso_instant, required=True, help="ISO 8601 with offset")
    export.add_argument("--until", type=iso_instant, required=True, help="ISO 8601, exclusive")
    export.add_argument("--out", type=Path, required=True, help="CSV file, or - for stdout")
    export.set_defaults(run=cmd_export_checkins)


def _file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--errors", type=Path, help="write every rejected row (line,reason,raw) to this CSV"
    )
    parser.add_argument(
        "--encoding", help="the file's encoding when not UTF-8 (e.g. cp1258, latin-1)"
    )
    parser.add_argument(
        "--max-bytes",
        type=positive_int,
        default=DEFAULT_MAX_BYTES,
        help=f"refuse larger files (default {DEFAULT_MAX_BYTES:,})",
    )
