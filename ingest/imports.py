"""Importing venues and check-ins from CSV or JSONL files, through the one write path.

Each chunk of records is validated, then written in its own transaction: a crash or a kill
mid-import leaves whole chunks only, and the rollups (kept by write_checkins) always equal the
raw counts. Check-ins are idempotent on (source, external_id), so importing a file again, or
again after an interruption, adds only what is missing. Bad rows are rejected with their line
and reason; every valid row is kept. The format is described in docs/import-format.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Generator, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.schema import venue
from ingest.collector import PausedCollector
from ingest.parsed_records import ParsedRecords
from ingest.prepared_ahead import PreparedAhead, file_identity
from ingest.reasons import reason
from ingest.records import Chunk, raw_text
from ingest.report import (
    ErrorSink,
    ImportFileError,
    ImportInterrupted,
    ImportReport,
    RowError,
    RowOutcome,
)
from ingest.source_files import DEFAULT_MAX_BYTES, Source
from ingest.sources import RecordReader
from ingest.validate import (
    CHECKIN_COLUMNS,
    VENUE_COLUMNS,
    Validated,
    validate_checkins,
    validate_venues,
)
from queries.writes import CHECKIN_COLUMNS as WRITE_COLUMNS
from queries.writes import resolve_people, upsert_venues, venue_ids_and_wards, write_checkins
from rules.local_time import CITY_ZONE

Progress = Callable[[float, str], None]

# Rows per transaction: large enough to amortise the write path's per-chunk statements (at
# 20M check-ins, 200,000 rows: 11,772-14,241 rows/s in chunks of 50,000, 14,842-19,249 in
# chunks of 100,000), small enough that a chunk costs about 110 MB of memory at its peak
# (PostgreSQL, 400,000 rows: peak RSS 455 MB against 355 MB in chunks of 50,000).
DEFAULT_CHUNK_ROWS = 100_000
_LOOKUP_BATCH = 5_000
# A check-in file's chunks are prepared in a child process (ingest.prepared_ahead) when its
# first chunk and the rest of it are each at least this big (about 40,000 check-ins): writing
# the first chunk then takes longer than the child takes to start (0.35 s, more under a heavy
# __main__), and there is a chunk's worth of reading and validating left to take off the
# import's path.
AHEAD_MIN_BYTES = 4 * 1024 * 1024


def _quiet(_fraction: float, _message: str) -> None:
    return None


def import_checkins(
    engine: Engine,
    path_or_stream: Source | ParsedRecords,
    source: str = "import",
    error_report: Path | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    *,
    encoding: str | None = None,
    file_format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: datetime | None = None,
    zone: tzinfo = CITY_ZONE,
    high_risk_symptoms: Collection[str] = ("shortness_of_breath",),
    outcomes: list[RowOutcome] | None = None,
    error_language: str | None = None,
    prepare_ahead: bool | None = None,
) -> ImportReport:
    """Import check-ins (columns: see validate.CHECKIN_COLUMNS) from a path, a binary stream or
    records already parsed.

    Raises ImportFileError for a problem with the file as a whole (nothing is written when it
    is found at the start: header, encoding, size), and ImportInterrupted when the import
    stops part-way (earlier chunks stay committed). A caller that answers row by row passes
    an outcomes list: each record's outcome is added once its chunk is committed, by line.
    The error report is in English (the command line's) unless error_language names another.

    A file given by its path has its chunks after the first read and validated in a child
    process while the import writes (_prepared says why): prepare_ahead None leaves it to the
    file's size (AHEAD_MIN_BYTES), True asks for it whatever the size, False never. The rows,
    reasons and counts are the same either way.
    """
    source = checked_source(source)
    now = now or datetime.now(UTC)
    show = progress or _quiet
    report = ImportReport("check-ins")
    started = time.perf_counter()
    venues = _VenueCache()

    def validate(chunk: Chunk) -> Validated:
        return validate_checkins(chunk, now=now, zone=zone, high_risk_symptoms=high_risk_symptoms)

    reader = (
        path_or_stream
        if isinstance(path_or_stream, ParsedRecords)
        else RecordReader(
            path_or_stream,
            CHECKIN_COLUMNS,
            encoding=encoding,
            file_format=file_format,
            max_bytes=max_bytes,
        )
    )
    ahead: Callable[[Chunk], PreparedAhead | None] | None = None
    if (
        prepare_ahead is not False
        and isinstance(reader, RecordReader)
        and isinstance(path_or_stream, str | os.PathLike)
    ):
        path, identity = path_or_stream, file_identity(path_or_stream)

        def ahead(first: Chunk) -> PreparedAhead | None:
            read = int((reader.size or 0) * first.fraction)
            pays = read >= AHEAD_MIN_BYTES and (reader.size or 0) - read >= AHEAD_MIN_BYTES
            if not (prepare_ahead or (prepare_ahead is None and pays)):
                return None
            return PreparedAhead(
                path,
                chunk_size,
                first,
                identity,
                encoding=encoding,
                file_format=file_format,
                max_bytes=max_bytes,
                now=now,
                zone=zone,
                high_risk_symptoms=high_risk_symptoms,
            )

    with (
        PausedCollector() as collector,
        reader,
        closing(ErrorSink(report, error_report, error_language)) as sink,
        # closed when the loop ends in any way: a child preparing chunks ends with it
        closing(_prepared(reader, chunk_size, report, validate, ahead)) as prepared,
    ):
        show(0.0, "reading")
        for chunk, checked in prepared:
            clock = time.perf_counter()
            try:
                with engine.begin() as connection:
                    unknown, stored, present = _write_checkins(
                        connection, chunk, checked.rows, source, venues
                    )
            except (Exception, KeyboardInterrupt) as error:
                raise _interrupted(report, chunk, error) from error
            report.timings["write"] += time.perf_counter() - clock
            report.read += len(chunk.lines) + len(chunk.rejected)
            report.imported += len(stored)
            report.already_present += len(present)
            refused = chunk.rejected + checked.errors + unknown
            sink.add(refused)
            if outcomes is not None:
                outcomes.extend(_outcomes(stored, present, refused))
            show(chunk.fraction, f"{report.read:,} rows read, {report.imported:,} imported")
            collector.chunk_done()
    report.seconds = time.perf_counter() - started
    show(1.0, "done")
    return report


def _write_checkins(
    connection: Connection,
    chunk: Chunk,
    rows: pd.DataFrame,
    source: str,
    venues: _VenueCache,
) -> tuple[list[RowError], np.ndarray, np.ndarray]:
    """One chunk in the caller's transaction: (rows with an unknown venue, lines of the rows
    written, lines of the rows already present)."""
    # Each venue_ref once: Series.map() over the rows took 0.05 s of a 100,000-row chunk.
    codes, refs = pd.factorize(rows["venue_ref"].to_numpy(dtype=object))
    venues.look_up(connection, refs)
    ids = np.array([venues.ids.get(ref, -1) for ref in refs.tolist()], dtype=np.int64)[codes]
    unknown_mask = ids < 0
    unknown = [
        RowError(
            int(line), (reason("unknown_venue", value=ref),), raw_text(chunk.raw[int(position)])
        )
        for line, position, ref in rows.loc[
            unknown_mask, ["line", "position", "venue_ref"]
        ].itertuples(index=False, name=None)
    ]
    rows = rows.loc[~unknown_mask].reset_index(drop=True)
    if rows.empty:
        return unknown, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    frame = rows.assign(
        venue_id=ids[~unknown_mask],
        person_id=resolve_people(connection, rows[["phone", "full_name"]]),
        source=source,
    )
    skipped = write_checkins(
        connection, frame[[c for c in WRITE_COLUMNS if c in frame]], venues.wards
    )
    lines = frame["line"].to_numpy()
    written = np.ones(len(lines), dtype=bool)
    written[skipped] = False
    return unknown, lines[written], lines[~written]


def _outcomes(stored: np.ndarray, present: np.ndarray, refused: list[RowError]) -> list[RowOutcome]:
    """Every record of a chunk once, in line order."""
    outcomes = [RowOutcome(line, "stored") for line in stored.tolist()]
    outcomes += [RowOutcome(line, "already_present") for line in present.tolist()]
    outcomes += [RowOutcome(error.line, "refused", error.reason) for error in refused]
    outcomes.sort()  # by line: each record has its own
    return outcomes


class _VenueCache:
    """The id and ward of each venue_ref met so far in one import, read once."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.wards: dict[int, str] = {}

    def look_up(self, connection: Connection, refs: np.ndarray) -> None:
        """Add the venues of refs not met yet (unknown refs stay out of ids)."""
        missing = [ref for ref in refs if ref not in self.ids]
        for start in range(0, len(missing), _LOOKUP_BATCH):
            found = venue_ids_and_wards(connection, missing[start : start + _LOOKUP_BATCH])
            for ref, (venue_id, ward) in found.items():
                self.ids[ref] = venue_id
                self.wards[venue_id] = ward


def import_venues(
    engine: Engine,
    path_or_stream: Source,
    error_report: Path | None = None,
    progress: Progress | None = None,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    *,
    dwell_minutes: dict[str, int] | None = None,
    encoding: str | None = None,
    file_format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: datetime | None = None,
    error_language: str | None = None,
) -> ImportReport:
    """Create or update venues by venue_ref (columns: see validate.VENUE_COLUMNS).

    A known venue keeps its QR token, registration date and active flag; a new one is
    registered today (local date). A venue_ref repeated in the file is rejected after its
    first occurrence. Errors as for import_checkins.
    """
    show = progress or _quiet
    registered_on = (today or datetime.now(UTC)).astimezone(CITY_ZONE).date()
    report = ImportReport("venues")
    started = time.perf_counter()
    first_line: dict[str, int] = {}
    with (
        RecordReader(
            path_or_stream,
            VENUE_COLUMNS,
            encoding=encoding,
            file_format=file_format,
            max_bytes=max_bytes,
        ) as reader,
        closing(ErrorSink(report, error_report, error_language)) as sink,
    ):
        show(0.0, "reading")

        def validate(chunk: Chunk) -> Validated:
            return validate_venues(chunk, dwell_minutes=dwell_minutes)

        for chunk, checked in _prepared(reader, chunk_size, report, validate):
            rows, repeated = _first_occurrences(chunk, checked.rows, first_line)
            clock = time.perf_counter()
            try:
                with engine.begin() as connection:
                    created, updated = _write_venues(connection, rows, registered_on)
            except (Exception, KeyboardInterrupt) as error:
                raise _interrupted(report, chunk, error) from error
            report.timings["write"] += time.perf_counter() - clock
            report.read += len(chunk.lines) + len(chunk.rejected)
            report.created += created
            report.updated += updated
            report.imported += created + updated
            sink.add(chunk.rejected + checked.errors + repeated)
            show(chunk.fraction, f"{report.read:,} venues read")
    report.seconds = time.perf_counter() - started
    show(1.0, "done")
    return report


def _first_occurrences(
    chunk: Chunk, rows: pd.DataFrame, first_line: dict[str, int]
) -> tuple[pd.DataFrame, list[RowError]]:
    """Rows whose venue_ref appears for the first time in the file; the others as errors."""
    keep = np.ones(len(rows), dtype=bool)
    repeated: list[RowError] = []
    for index, (line, position, ref) in enumerate(
        rows[["line", "position", "venue_ref"]].itertuples(index=False, name=None)
    ):
        if ref in first_line:
            keep[index] = False
            repeated.append(
                RowError(
                    int(line),
                    (reason("repeated_venue", value=ref, first_line=first_line[ref]),),
                    raw_text(chunk.raw[int(position)]),
                )
            )
        else:
            first_line[ref] = int(line)
    return rows.loc[keep].reset_index(drop=True), repeated


def _write_venues(
    connection: Connection, rows: pd.DataFrame, registered_on: date
) -> tuple[int, int]:
    if rows.empty:
        return 0, 0
    refs = rows["venue_ref"].tolist()
    kept: dict[str, tuple] = {}
    for start in range(0, len(refs), _LOOKUP_BATCH):
        batch = refs[start : start + _LOOKUP_BATCH]
        for ref, registered, active in connection.execute(
            select(venue.c.venue_ref, venue.c.registered_on, venue.c.active).where(
                venue.c.venue_ref.in_(batch)
            )
        ):
            kept[ref] = (registered, active)
    frame = rows.assign(
        registered_on=[kept.get(ref, (registered_on, True))[0] for ref in refs],
        active=[bool(kept.get(ref, (registered_on, True))[1]) for ref in refs],
    )
    return upsert_venues(connection, frame)


# --- shared --------------------------------------------------------------------------------


def _prepared(
    reader: RecordReader | ParsedRecords,
    size: int,
    report: ImportReport,
    validate: Callable[[Chunk], Validated],
    ahead: Callable[[Chunk], PreparedAhead | None] | None = None,
) -> Generator[tuple[Chunk, Validated]]:
    """Chunks with their validation, timed. A file error found after some chunks were written
    becomes ImportInterrupted.

    ahead, given the first chunk, may start a child process that prepares the next chunks
    (ingest.prepared_ahead): each is read and validated there while the caller writes the one
    before, mostly waiting on the database. A process, because a thread gained nothing: tried
    three times, the write's Python and the validation's took turns at the GIL on two cores (at
    20M check-ins, 200,000 rows, alternating runs gave 14,241 and 12,943 rows/s without the
    thread, 12,984 and 13,779 with it; later 25,496-26,946 without, 25,265-25,657 with). What
    the process costs the writer instead is taking each chunk in: a 50,000-row chunk pickles
    to 9.5 MB, 0.08 s to pickle in the child, 0.08-0.09 s to take in here (pipe and unpickling),
    against 0.13-0.17 s to read it and 0.12 s to validate it here; and the child's own CPU
    (0.35 s to start, the first chunk read again) on a machine whose other core PostgreSQL is
    using. It pays at city scale: 200,000 rows into the 20M demo city (bench.import_measure,
    chunks of 100,000, quiet machine, 2 Dec 2026), five alternating pairs gave 42,147-42,848
    rows/s with the child (median 42,147; ratio to a bare COPY 2.91-3.08) and 38,184-40,178
    without (median 39,157; 3.01-3.43). (One earlier pair at 1M on a busy machine showed 39,253
    with and 46,986 without.) Timings then: "read" is the
    time spent waiting for the child's chunks (their transfer included) besides reading the
    first chunk, "validate" the first chunk's validation only; the child's own work overlaps
    the writes and is not counted, so the timings still add up to about the import's time.
    """
    if size < 1:
        raise ValueError("chunk_size must be at least 1")
    chunks = reader.chunks(size)
    while True:
        with _reading(report):
            chunk = next(chunks, None)
        if chunk is None:
            return
        clock = time.perf_counter()
        checked = validate(chunk)
        report.timings["validate"] += time.perf_counter() - clock
        child = ahead(chunk) if ahead is not None else None
        ahead = None  # decided on the first chunk
        if child is None:
            yield chunk, checked
            continue
        with child:
            yield chunk, checked
            while True:
                with _reading(report):
                    prepared = child.next()
                if prepared is None:
                    break
                yield prepared
        if not child.declined:
            return
        # The child found another file at the path: go on reading the one opened here.


@contextmanager
def _reading(report: ImportReport) -> Iterator[None]:
    """Time spent getting a chunk, counted as reading; a file error after some chunks were
    written becomes ImportInterrupted (before, it stops the import as it is)."""
    clock = time.perf_counter()
    try:
        yield
    except ImportFileError as error:
        if report.read == 0:
            raise
        raise ImportInterrupted(str(error), report) from error
    except ChildProcessError as error:  # the process preparing chunks died (killed, out of memory)
        raise ImportInterrupted(
            f"import stopped ({error}): the {report.read:,} rows before are committed; "
            "importing the same file again resumes safely",
            report,
        ) from error
    finally:
        report.timings["read"] += time.perf_counter() - clock


def _interrupted(report: ImportReport, chunk: Chunk, error: BaseException) -> ImportInterrupted:
    first = chunk.lines[0] if chunk.lines else (chunk.rejected[0].line if chunk.rejected else 0)
    cause = "interrupted" if isinstance(error, KeyboardInterrupt) else _one_line(error)
    if not report.read:
        return ImportInterrupted(f"import stopped ({cause}); nothing was written", report)
    return ImportInterrupted(
        f"import stopped at the chunk starting on line {first:,} ({cause}): the "
        f"{report.read:,} rows before it are committed, nothing from that chunk on; "
        "importing the same file again resumes safely",
        report,
    )


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{error.__class__.__name__}: {text[0] if text else ''}"[:300]


def checked_source(source: str) -> str:
    """The source as stored with each check-in (trimmed); one rule for files and API keys,
    since a key writes under its source and a file under --source."""
    text = (source or "").strip()
    if not text or len(text) > 40 or not text.isprintable():
        raise ImportFileError("bad_source", source=source)
    return text
