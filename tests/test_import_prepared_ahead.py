"""A check-in file's chunks prepared in a child process (ingest.prepared_ahead) while the import
writes: the same rows, refusals, counts and progress as when the import reads them itself, on
both databases; file errors and failed writes stop it as they always did, leaving no process."""

import csv
import io
import json
import os

import pytest
from sqlalchemy import func, select

import ingest.imports
from db.schema import checkin, person, venue
from ingest.imports import import_checkins, import_venues
from ingest.prepared_ahead import PreparedAhead
from ingest.report import ImportInterrupted
from queries.integrity import rollup_mismatches
from tests.checkin_rows import stored_checkins
from tests.test_import_checkins import HEADER, NOW, VENUES  # the same two markets

# line -> (record, reason); None is a good row. Line 1 is the header. In chunks of 3 records
# each chunk has a refusal of another kind: the reader's, the values', the database's.
ROWS = [
    ("P-01,CHO-1,0903 123 456,Nguyễn Văn An,2021-08-01T08:10:00+07:00,,self,,", None),
    ("P-02,CHO-1,123,Nguyễn Văn An,2021-08-01T08:11:00+07:00,,,,",
     "bad phone: not a Vietnamese phone number: '123'"),
    ("P-03,CHO-2,+84903123457,Trần Thị Bình,2021-08-01 09:05,2021-08-01 09:35,staff,"
     "cough;fever,case_contact", None),
    ("P-04,CHO-9,0903123456,Nguyễn Văn An,2021-08-01T08:12:00+07:00,,,,",
     "unknown venue_ref 'CHO-9'"),
    ("P-05,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:13:00,,", "wrong column count: 7 fields, expected 9"),
    ("P-06,CHO-2,0903123458,Lê Văn Cường,2021-08-01T08:14:00+07:00,,,fever,", None),
    ("P-07,CHO-1,0903123456,Nguyễn Văn An,2021-08-21T08:10:00+07:00,,,,",
     "checked_in_at 2021-08-21T08:10:00+07:00 is in the future"),
    ("P-08,CHO-2,0903123458,Lê Văn Cường,2021-08-01T08:15:00+07:00,,,,", None),
    ("P-09,CHO-7,0903123458,Lê Văn Cường,2021-08-01T08:16:00+07:00,,,,",
     "unknown venue_ref 'CHO-7'"),
    ("P-10,CHO-1,0903123459,Phạm Thị Dung,2021-08-01T08:17:00+07:00,,,,", None),
    ("P-11,CHO-1,0903123459,,2021-08-01T08:18:00+07:00,,,,", "missing full_name"),
    ("P-12,CHO-2,0903123459,Phạm Thị Dung,2021-08-01T08:19:00+07:00,,,,", None),
    ("P-13,CHO-2,0903123459,Phạm Thị Dung,2021-08-01T08:20:00+07:00,,,,", None),
]  # fmt: skip
REFUSED = [(line, reason) for line, (_, reason) in enumerate(ROWS, start=2) if reason]
GOOD = ["P-01", "P-03", "P-06", "P-08", "P-10", "P-12", "P-13"]


def csv_text(rows=ROWS):
    return "\n".join([HEADER] + [record for record, _ in rows]) + "\n"


def jsonl_text(rows=ROWS):
    """The same records as JSON objects (the short one stays short: its fields only)."""
    names = HEADER.split(",")
    lines = []
    for record, _ in rows:
        fields = next(csv.reader([record]))
        lines.append(json.dumps(dict(zip(names, fields, strict=False)), ensure_ascii=False))
    return "\n".join(lines) + "\n"


@pytest.fixture
def db(engine):
    """The engine with two markets in Quận 1."""
    assert import_venues(engine, io.BytesIO(VENUES.encode())).created == 2
    return engine


@pytest.fixture
def children(monkeypatch):
    """The child processes the imports start, as they start them."""
    started = []

    class Recorded(PreparedAhead):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(ingest.imports, "PreparedAhead", Recorded)
    return started


def running(pid):
    """Whether a process of that id is there (ended but not yet waited for counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stored(engine, source):
    return stored_checkins(
        engine, checkin.c.external_id, venue.c.venue_ref, person.c.phone, person.c.full_name,
        checkin.c.checked_in_at, checkin.c.checked_out_at, checkin.c.channel, checkin.c.symptoms,
        checkin.c.exposures, checkin.c.risk_level, checkin.c.risk_reasons,
        where=checkin.c.source == source,
    )  # fmt: skip


def imported(engine, path, tmp_path, source, **options):
    """Everything an import tells: report, refusals, progress, outcomes and error file."""
    progress, outcomes = [], []
    errors_file = tmp_path / f"errors-{source}.csv"
    report = import_checkins(
        engine, path, source=source, error_report=errors_file, now=NOW,
        progress=lambda fraction, message: progress.append((fraction, message)),
        outcomes=outcomes, **options,
    )  # fmt: skip
    with open(errors_file, encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    return {
        "counts": (report.read, report.imported, report.already_present, report.rejected),
        "errors": [(e.line, e.reason, e.raw) for e in report.errors],
        "timings": sorted(report.timings),
        "progress": progress,
        "outcomes": outcomes,
        "error file": written,
        "stored": stored(engine, source),
    }


@pytest.mark.parametrize(
    ("suffix", "text", "counts", "refused", "good"),
    [
        (".csv", csv_text(), (13, 7, 0, 6), REFUSED, GOOD),
        # No header: line n is record n. A JSON object may leave out optional fields: P-05,
        # short of two in the CSV, is a good row.
        (".jsonl", jsonl_text(), (13, 8, 0, 5),
         [(line - 1, reason) for line, reason in REFUSED if line != 6], sorted([*GOOD, "P-05"])),
    ],
)  # fmt: skip
def test_a_file_in_many_chunks_gives_the_same_results_from_the_child_as_read_here(
    db, tmp_path, children, suffix, text, counts, refused, good
):
    path = tmp_path / f"checkins{suffix}"
    path.write_text(text, encoding="utf-8")

    here = imported(db, path, tmp_path, "here", chunk_size=3, prepare_ahead=False)
    assert children == []
    ahead = imported(db, path, tmp_path, "ahead", chunk_size=3, prepare_ahead=True)

    assert len(children) == 1 and not children[0].declined
    assert ahead == {**here, "stored": ahead["stored"]}
    assert ahead["stored"] == here["stored"]  # listed without their source
    assert here["counts"] == counts
    assert [(line, reason) for line, reason, _ in here["errors"]] == refused
    assert [row[0] for row in here["stored"]] == good
    assert here["errors"][1][2] == (
        json.dumps(dict(zip(HEADER.split(","), ROWS[3][0].split(","), strict=True)),
                   ensure_ascii=False)
        if suffix == ".jsonl" else ROWS[3][0]
    )  # the unknown venue's record as read, which the child sent along  # fmt: skip
    assert here["timings"] == ["read", "validate", "write"]
    assert here["progress"][-1] == (1.0, "done")
    assert not running(children[0].pid)


def many_records(count):
    return [
        f"G-{i:05d},CHO-1,0903123456,Người Thử,2021-08-01T08:{i % 60:02d}:00+07:00,,,,"
        for i in range(count)
    ]


@pytest.mark.parametrize("failure", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_stops_the_import_and_the_child_with_it(
    db, tmp_path, children, monkeypatch, failure
):
    # Chunks of 2,000 records: one sent by the child is larger than a pipe holds, so the
    # child is still there, one chunk ahead, when the second write fails.
    path = tmp_path / "checkins.csv"
    path.write_text("\n".join([HEADER, *many_records(10_000)]) + "\n", encoding="utf-8")
    real = ingest.imports.write_checkins
    alive = []

    def failing_on_the_second_chunk(connection, frame, wards):
        alive.append(running(children[0].pid))
        if len(alive) == 2:
            raise failure
        return real(connection, frame, wards)

    monkeypatch.setattr(ingest.imports, "write_checkins", failing_on_the_second_chunk)
    with pytest.raises(ImportInterrupted) as stopped:
        import_checkins(db, path, now=NOW, chunk_size=2_000, prepare_ahead=True)

    cause = "RuntimeError: disk full" if isinstance(failure, RuntimeError) else "interrupted"
    assert str(stopped.value) == (
        f"import stopped at the chunk starting on line 2,002 ({cause}): the 2,000 rows before "
        "it are committed, nothing from that chunk on; importing the same file again resumes "
        "safely"
    )
    assert len(children) == 1
    assert alive == [True, True]
    assert not running(children[0].pid)
    assert len(stored(db, "import")) == 2_000


def test_a_file_growing_past_the_limit_mid_import_stops_it_with_whole_chunks_written(
    db, tmp_path, children
):
    # 7 chunks of 2,000 records (1.3 MB): a chunk sent by the child is larger than a pipe
    # holds, so it is at most one chunk ahead and has not read the file's end when the
    # import, after its second chunk, finds the file grown.
    path = tmp_path / "checkins.csv"
    path.write_text("\n".join([HEADER, *many_records(14_000)]) + "\n", encoding="utf-8")
    size = path.stat().st_size

    def growing_after_the_second_chunk(fraction, message):
        if message.startswith("4,000 rows read"):
            with open(path, "a", encoding="utf-8") as handle:
                handle.write("G-99999,CHO-1,0903123456,Người Thử,2021-08-01T09:00:00,,,,\n" * 99)

    with pytest.raises(ImportInterrupted) as stopped:
        import_checkins(
            db, path, now=NOW, chunk_size=2_000, max_bytes=size, prepare_ahead=True,
            progress=growing_after_the_second_chunk,
        )  # fmt: skip

    assert f"{path} is larger than the limit of {size:,} bytes" in str(stopped.value)
    assert len(children) == 1 and not children[0].declined
    assert not running(children[0].pid)
    report = stopped.value.report
    with db.connect() as connection:
        written = connection.scalar(select(func.count()).select_from(checkin))
        assert rollup_mismatches(connection) == []
    assert written == report.imported == report.read
    assert written % 2_000 == 0 and 4_000 <= written < 14_000


def test_a_file_replaced_once_opened_is_read_on_here(db, tmp_path, children):
    path = tmp_path / "checkins.csv"
    path.write_text(csv_text(), encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text(csv_text(ROWS[:2]), encoding="utf-8")

    def replacing_it_before_the_first_chunk(fraction, message):
        if message == "reading":
            os.replace(other, path)  # the import has the first file open

    report = import_checkins(
        db, path, now=NOW, chunk_size=3, prepare_ahead=True,
        progress=replacing_it_before_the_first_chunk,
    )  # fmt: skip

    assert len(children) == 1 and children[0].declined
    assert (report.read, report.imported, report.rejected) == (13, 7, 6)
    assert [(e.line, e.reason) for e in report.errors] == REFUSED
    assert not running(children[0].pid)


def test_small_files_and_streams_are_read_here(db, tmp_path, children):
    path = tmp_path / "checkins.csv"
    path.write_text(csv_text(), encoding="utf-8")

    small = import_checkins(db, path, source="small", now=NOW, chunk_size=3)
    stream = import_checkins(
        db, io.BytesIO(csv_text().encode()), source="stream", now=NOW, chunk_size=3,
        prepare_ahead=True,
    )  # fmt: skip

    assert children == []
    assert small.imported == stream.imported == 7
