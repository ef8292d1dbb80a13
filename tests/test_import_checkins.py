"""Importing check-ins on both databases: good rows kept, bad rows reported with line and
reason, idempotent, chunk by chunk, rollups equal to raw counts."""

import codecs
import csv
import gc
import io
import json
import unicodedata
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

import ingest.imports
from db.schema import checkin, person, venue, ward_hour
from ingest.imports import import_checkins, import_venues
from ingest.parsed_records import ParsedRecords
from ingest.report import ImportFileError, ImportInterrupted
from ingest.validate import CHECKIN_COLUMNS
from queries.integrity import rollup_mismatches
from tests.checkin_rows import stored_checkins

NOW = datetime(2021, 8, 20, 12, 0, tzinfo=UTC)
HEADER = (
    "external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms,exposures"
)
VENUES = """venue_ref,name,sector,kind,ward_code,address,lat,lon
CHO-1,Chợ Tân Định,public,market,26734,48 Hai Bà Trưng,10.7905,106.6905
CHO-2,Chợ Bến Thành,public,market,26743,Lê Lợi,10.7725,106.6980
"""


@pytest.fixture
def db(engine):
    """The engine with two markets in Quận 1."""
    report = import_venues(engine, io.BytesIO(VENUES.encode()))
    assert report.created == 2 and report.rejected == 0
    return engine


def load(engine, text, **options):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return import_checkins(engine, io.BytesIO(data), now=NOW, **options)


def stored(engine):
    return stored_checkins(
        engine, checkin.c.external_id, venue.c.venue_ref, person.c.phone, person.c.full_name,
        checkin.c.checked_in_at, checkin.c.checked_out_at, checkin.c.channel, checkin.c.symptoms,
        checkin.c.exposures, checkin.c.risk_level, checkin.c.risk_reasons, checkin.c.source,
    )  # fmt: skip


def count(engine, table):
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def utc(hour, minute=0, day=1):
    """A local (UTC+7) time on the given August 2021 day, as the stored UTC datetime."""
    return datetime(2021, 8, day, hour - 7, minute, tzinfo=UTC)


# line -> (record, reason); None is a good row. Line 1 is the header.
ROWS = [
    ("A-01,CHO-1,0903 123 456,Nguyễn Văn An,2021-08-01T08:10:00+07:00,,self,,", None),
    ("A-02,CHO-1,123,Nguyễn Văn An,2021-08-01T08:10:00+07:00,,,,",
     "bad phone: not a Vietnamese phone number: '123'"),
    ("A-03,CHO-9,0903123456,Nguyễn Văn An,2021-08-01T08:10:00+07:00,,,,",
     "unknown venue_ref 'CHO-9'"),
    ("A-04,CHO-1,0903123456,Nguyễn Văn An,2021-08-21T08:10:00+07:00,,,,",
     "checked_in_at 2021-08-21T08:10:00+07:00 is in the future"),
    ("A-05,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00,2021-08-01T08:00:00,,,",
     "checked_out_at is before checked_in_at"),
    ("A-06,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00,,,ho,",
     "unknown symptom 'ho'; expected some of fever, cough, sore_throat, shortness_of_breath, "
     "loss_of_taste_smell, fatigue"),
    ("A-07,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00,,",
     "wrong column count: 7 fields, expected 9"),
    ("A-08,CHO-1,0903123456,,2021-08-01T08:10:00,,,,", "missing full_name"),
    ("A-09,CHO-1,0903123456,Nguyễn Văn An,01/08/2021 08:10,,,,",
     "checked_in_at '01/08/2021 08:10' is not an ISO 8601 time (e.g. 2021-08-01T08:10:00+07:00)"),
    ("A-10,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00,,sms,,",
     "unknown channel 'sms'; expected self, proxy, staff, advance or empty"),
    ("A-11,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00,,,,market",
     "unknown exposure 'market'; expected some of case_contact, lockdown_area, travel_abroad"),
    (",CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00,,,,", "missing external_id"),
    ("A-13,CHO-2,+84 903 123 457,Trần Thị Bình,2021-08-01 09:05,2021-08-01 09:35,staff,"
     "cough;fever,case_contact", None),
    ("A-14,CHO-1,0903123456,Nguyễn Văn An,2019-12-31T23:00:00+07:00,,,,",
     "checked_in_at 2019-12-31T23:00:00+07:00 is before 2020-01-01"),
    ("A-15,CHO-2,0084903123458,'=HYPERLINK(\"http://x\";\"Lê Văn Cường\"),"
     "2021-08-01T02:30:00Z,,,,", None),
    ("A-16,CHO-1,0903123456,12345,2021-08-01T08:10:00,,,,", "full_name '12345' has no letters"),
    ("A-17,CHO-1,,Nguyễn Văn An,2021-08-01T08:10:00,2021-08-01T07:00:00,,fever;ho,",
     "missing phone; checked_out_at is before checked_in_at; unknown symptom 'ho'; expected some "
     "of fever, cough, sore_throat, shortness_of_breath, loss_of_taste_smell, fatigue"),
    ("A-18,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T10:00:00+07:00,,,shortness_of_breath,", None),
]  # fmt: skip


def test_good_rows_are_kept_and_each_bad_row_is_reported_with_its_line_and_reason(db, tmp_path):
    errors_file = tmp_path / "errors.csv"
    text = "\n".join([HEADER] + [record for record, _ in ROWS]) + "\n"
    report = load(db, text, error_report=errors_file)

    expected_errors = [(line, reason) for line, (_, reason) in enumerate(ROWS, start=2) if reason]
    assert [(e.line, e.reason) for e in report.errors] == expected_errors
    assert (report.read, report.imported, report.already_present, report.rejected) == (18, 4, 0, 14)
    assert stored(db) == [
        ("A-01", "CHO-1", "+84903123456", "Nguyễn Văn An", utc(8, 10), None, "self", "", "",
         0, "", "import"),
        ("A-13", "CHO-2", "+84903123457", "Trần Thị Bình", utc(9, 5), utc(9, 35), "staff",
         "fever;cough", "case_contact", 2, "exposure:case_contact;symptom:fever;symptom:cough",
         "import"),
        # the apostrophe of a neutralised cell goes; the name is kept exactly as given
        ("A-15", "CHO-2", "+84903123458", '=HYPERLINK("http://x";"Lê Văn Cường")', utc(9, 30),
         None, "import", "", "", 0, "", "import"),
        ("A-18", "CHO-1", "+84903123456", "Nguyễn Văn An", utc(10), None, "import",
         "shortness_of_breath", "", 2, "symptom:shortness_of_breath", "import"),
    ]  # fmt: skip
    with open(errors_file, encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["line", "reason", "raw"]
    assert [(int(line), reason) for line, reason, _ in written[1:]] == expected_errors
    assert written[1][2] == ROWS[1][0]  # the record as read
    assert report.summary() == (
        f"18 check-ins read: 4 imported, 0 already imported, 14 rejected "
        f"(line and reason of each in {errors_file})."
    )


def test_importing_the_same_file_twice_adds_nothing(db):
    text = "\n".join([HEADER] + [record for record, _ in ROWS]) + "\n"
    first = load(db, text)
    rows, people, rolled = stored(db), count(db, person), count(db, ward_hour)
    second = load(db, text)
    assert (first.imported, first.already_present) == (4, 0)
    assert (second.read, second.imported, second.already_present, second.rejected) == (
        18, 0, 4, 14,
    )  # fmt: skip
    assert stored(db) == rows and count(db, person) == people and count(db, ward_hour) == rolled
    with db.connect() as connection:
        assert rollup_mismatches(connection) == []


def test_a_repeat_within_the_file_counts_as_already_imported(db):
    record = "B-1,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00,,,,"
    report = load(db, f"{HEADER}\n{record}\n{record}\n", chunk_size=1)
    same_chunk = load(db, f"{HEADER}\n{record.replace('B-1', 'B-2')}\n" * 1 + record.replace(
        "B-1", "B-2") + "\n")  # fmt: skip
    assert (report.imported, report.already_present, report.rejected) == (1, 1, 0)
    assert (same_chunk.imported, same_chunk.already_present) == (1, 1)


def test_decomposed_names_are_stored_composed_and_are_one_person(db):
    composed = "Nguyễn Thị Ánh Tuyết"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    text = (
        f"{HEADER}\n"
        f"C-1,CHO-1,0903123456,{decomposed},2021-08-01T08:00:00,,,,\n"
        f"C-2,CHO-1,0903123456,{composed},2021-08-01T09:00:00,,,,\n"
        f"C-3,CHO-1,0903123456,  {decomposed.replace(' ', '   ')} ,2021-08-01T10:00:00,,,,\n"
    )
    report = load(db, text)
    with db.connect() as connection:
        names = connection.scalars(select(person.c.full_name)).all()
    assert report.imported == 3
    assert names == [composed]


def test_phones_in_every_accepted_form_are_one_person(db):
    forms = ["0903123456", "+84903123456", "84903123456", "0084903123456", "0903.123.456",
             "+84 903-123-456", "(+84) 903 123 456", "903123456"]  # fmt: skip
    text = (
        HEADER
        + "\n"
        + "".join(
            f"P-{i},CHO-1,{phone},Nguyễn Văn An,2021-08-01T08:{i:02d}:00,,,,\n"
            for i, phone in enumerate(forms)
        )
    )
    report = load(db, text, chunk_size=3)  # across chunks too
    with db.connect() as connection:
        people = connection.execute(select(person.c.phone, person.c.full_name)).fetchall()
        per_person = connection.scalars(
            select(func.count(func.distinct(checkin.c.person_id)))
        ).one()
    assert report.imported == len(forms)
    assert [tuple(p) for p in people] == [("+84903123456", "Nguyễn Văn An")]
    assert per_person == 1


def test_rollups_equal_raw_counts_after_imports_in_many_chunks(db):
    text = (
        HEADER
        + "\n"
        + "".join(
            f"R-{i},CHO-{1 + i % 2},09031234{i % 7:02d},Người {i % 5} Thử,"
            f"2021-08-0{1 + i % 3}T{6 + i % 12:02d}:{i % 60:02d}:00,,,"
            f"{'fever' if i % 4 == 0 else ''},{'case_contact' if i % 6 == 0 else ''}\n"
            for i in range(60)
        )
    )
    report = load(db, text, chunk_size=7)
    with db.connect() as connection:
        assert rollup_mismatches(connection) == []
        rolled = connection.execute(
            select(func.sum(ward_hour.c.checkins), func.sum(ward_hour.c.at_risk),
                   func.sum(ward_hour.c.high_risk))
        ).one()  # fmt: skip
    assert report.imported == 60
    # fever in 15 rows, case contact in 10, both in 5 (every 12th): 20 at risk, 5 high
    assert tuple(rolled) == (60, 20, 5)


def test_a_failure_mid_import_keeps_whole_chunks_only_and_a_second_run_resumes(db, monkeypatch):
    text = (
        HEADER
        + "\n"
        + "".join(
            f"F-{i},CHO-1,0903123{i:03d},Người Thử {i},2021-08-01T08:{i:02d}:00,,,fever,\n"
            for i in range(5)
        )
    )
    real = ingest.imports.write_checkins
    calls = []

    def failing_on_the_second_chunk(connection, frame, wards):
        calls.append(len(frame))
        if len(calls) == 2:
            # Written, then the failure: the transaction must undo it.
            real(connection, frame, wards)
            raise RuntimeError("disk full")
        return real(connection, frame, wards)

    monkeypatch.setattr(ingest.imports, "write_checkins", failing_on_the_second_chunk)
    with pytest.raises(ImportInterrupted) as stopped:
        load(db, text, chunk_size=2)
    assert str(stopped.value) == (
        "import stopped at the chunk starting on line 4 (RuntimeError: disk full): the 2 rows "
        "before it are committed, nothing from that chunk on; importing the same file again "
        "resumes safely"
    )
    assert [row[0] for row in stored(db)] == ["F-0", "F-1"]
    assert count(db, person) == 2  # chunk 2's new people went with its transaction
    with db.connect() as connection:
        assert rollup_mismatches(connection) == []
        assert connection.scalar(select(func.sum(ward_hour.c.checkins))) == 2

    monkeypatch.setattr(ingest.imports, "write_checkins", real)
    again = load(db, text, chunk_size=2)
    assert (again.imported, again.already_present) == (3, 2)
    assert [row[0] for row in stored(db)] == ["F-0", "F-1", "F-2", "F-3", "F-4"]


def test_the_garbage_collector_is_paused_while_chunks_are_written_and_back_after(db):
    text = (
        HEADER
        + "\n"
        + "".join(
            f"G-{i},CHO-1,0903123{i:03d},Người Thử {i},2021-08-01T08:{i:02d}:00,,,,\n"
            for i in range(5)
        )
    )
    seen = []
    load(db, text, chunk_size=2, progress=lambda _fraction, _text: seen.append(gc.isenabled()))
    # paused from "reading" through the three chunks; back on for "done"
    assert seen == [False, False, False, False, True]


def test_the_garbage_collector_is_back_after_an_import_that_fails(db, monkeypatch):
    def failing(connection, frame, wards):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest.imports, "write_checkins", failing)
    with pytest.raises(ImportInterrupted):
        load(db, HEADER + "\nG-1,CHO-1,0903123001,Người Thử,2021-08-01T08:00:00,,,,\n")
    assert gc.isenabled()


def test_a_bad_row_does_not_hold_back_the_good_rows_of_its_chunk(db):
    text = (
        f"{HEADER}\n"
        "G-1,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:00:00,,,,\n"
        "G-2,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:00:00,,,teleport,\n"
        "G-3,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:30:00,,,,\n"
    )
    report = load(db, text, chunk_size=10)
    assert [row[0] for row in stored(db)] == ["G-1", "G-3"]
    assert [e.line for e in report.errors] == [3]


@pytest.mark.parametrize(
    "header, message",
    [
        ("external_id,venue_ref,phone,checked_in_at",
         "missing column(s) full_name. The header must have external_id,venue_ref,phone,"
         "full_name,checked_in_at and may have checked_out_at,channel,symptoms,exposures"),
        ("external_id,venue_ref,phone,full_name,checked_in_at,checked_out",
         "unknown column(s) checked_out."),
        ("external_id,venue_ref,phone,full_name,checked_in_at,phone", "column(s) phone repeated"),
        ("external_id;venue_ref;phone;full_name;checked_in_at",
         "the header is one column 'external_id;venue_ref;phone;full_name;checked_in_at'; "
         "columns must be separated by commas"),
    ],
)  # fmt: skip
def test_a_bad_header_stops_the_import_before_anything_is_written(db, header, message):
    with pytest.raises(ImportFileError) as stopped:
        load(db, f"{header}\nH-1,CHO-1,0903123456,An,2021-08-01T08:00:00,x\n")
    assert message in str(stopped.value)
    assert count(db, checkin) == 0 and count(db, person) == 0


def test_header_names_are_trimmed_and_any_case_and_order_and_optional_columns_may_go(db):
    text = (
        " Full_Name ,CHECKED_IN_AT,phone,venue_ref,external_id\n"
        "Nguyễn Văn An,2021-08-01T08:00:00,0903123456,CHO-1,O-1\n"
    )
    report = load(db, text)
    assert report.imported == 1
    assert stored(db)[0][:7] == ("O-1", "CHO-1", "+84903123456", "Nguyễn Văn An", utc(8), None,
                                 "import")  # fmt: skip


ONE_ROW = f"{HEADER}\nE-1,CHO-1,0903123456,Trần Thị Bình,2021-08-01T08:00:00,,,,\n"


def cp1258(text):
    """Text as Windows-1258 writes it: â, ê, ô, ơ, ư, ă, đ precomposed, tone marks combining."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            out.append((unicodedata.normalize("NFC", parts[:-1]) + parts[-1]).encode("cp1258"))
    return b"".join(out)


def test_a_file_in_another_encoding_gets_a_clear_message_and_nothing_is_written(db):
    data = cp1258(ONE_ROW)
    offset = next(i for i, byte in enumerate(data) if byte >= 0x80)
    with pytest.raises(ImportFileError) as stopped:
        load(db, data)
    assert str(stopped.value) == (
        f"the file is not UTF-8 (byte 0xE2 at offset {offset}): save it as 'CSV UTF-8', or "
        "name its encoding (cp1258 for Windows Vietnamese, latin-1, …)"
    )
    assert count(db, checkin) == 0


def test_a_named_encoding_is_decoded_and_stored_composed(db):
    # cp1258 writes tone marks as combining characters: NFC composes them again.
    data = cp1258(ONE_ROW)
    assert "Trần".encode() not in data
    report = load(db, data, encoding="cp1258")
    assert report.imported == 1
    assert stored(db)[0][3] == "Trần Thị Bình"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + ONE_ROW.encode("utf-8"),  # Excel's 'CSV UTF-8'
        ONE_ROW.encode("utf-16"),  # Excel's 'Unicode text' (with its byte-order mark)
        ONE_ROW.replace("\n", "\r\n").encode("utf-8"),  # Windows line ends
    ],
    ids=["utf-8 with BOM", "utf-16", "CRLF"],
)
def test_excel_variants_of_utf8_csv_are_read(db, data):
    report = load(db, data)
    assert (report.imported, report.rejected) == (1, 0)
    assert stored(db)[0][:4] == ("E-1", "CHO-1", "+84903123456", "Trần Thị Bình")


def test_a_bad_byte_further_down_rejects_only_its_row(db, monkeypatch):
    monkeypatch.setattr("ingest.source_files.HEAD_BYTES", 64)  # the encoding check sees the header
    text = (
        HEADER
        + "\n"
        + "".join(
            f"D-{i},CHO-1,0903123456,Người {i},2021-08-01T08:{i:02d}:00,,,,\n" for i in range(3)
        )
    )
    data = text.encode("utf-8").replace("Người 1".encode(), "Ng\xb0\xe1i 1".encode("latin-1"))
    report = import_checkins(db, io.BytesIO(data), now=NOW)
    assert [(e.line, e.reason) for e in report.errors] == [(3, "full_name is not valid UTF-8 text")]
    assert report.imported == 2


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04" + b"\x00" * 100, "the file is a spreadsheet workbook, not a text file: "
         "save it as 'CSV UTF-8 (comma delimited)'"),
        (b"\x00\x01\x02binary", "the file is a binary file, not CSV or JSONL text"),
        (b'[{"external_id": "x"}]', "the file is a JSON array: give one JSON object per line"),
    ],
)  # fmt: skip
def test_files_that_are_not_csv_or_jsonl_say_what_they_are(db, data, message):
    with pytest.raises(ImportFileError) as stopped:
        import_checkins(db, io.BytesIO(data), now=NOW)
    assert str(stopped.value).startswith(message)


def test_an_oversized_file_is_refused_before_reading(db, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(ONE_ROW * 3, encoding="utf-8")
    with pytest.raises(ImportFileError) as stopped:
        import_checkins(db, path, max_bytes=100, now=NOW)
    assert str(stopped.value) == (
        f"{path} has {path.stat().st_size:,} bytes, more than the limit of 100; split the file"
    )
    assert count(db, checkin) == 0


class Unsized(io.RawIOBase):
    """A stream whose size is not known in advance (a pipe, a socket)."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        return self._data.readinto(buffer)


def test_a_stream_that_grows_past_the_limit_stops_with_whole_chunks_written(db, monkeypatch):
    monkeypatch.setattr("ingest.source_files.HEAD_BYTES", 64)
    text = (
        HEADER
        + "\n"
        + "".join(
            f"U-{i:03d},CHO-1,0903123456,Người Thử,2021-08-01T08:{i % 60:02d}:00,,,,\n"
            for i in range(3000)
        )
    )
    with pytest.raises(ImportInterrupted) as stopped:
        import_checkins(
            db, io.BufferedReader(Unsized(text.encode())), max_bytes=100_000, chunk_size=500,
            now=NOW,
        )  # fmt: skip
    assert "larger than the limit of 100,000 bytes" in str(stopped.value)
    written = count(db, checkin)
    assert written > 0 and written % 500 == 0
    with db.connect() as connection:
        assert rollup_mismatches(connection) == []


def test_quoted_line_breaks_long_lines_and_blank_lines(db, monkeypatch):
    monkeypatch.setattr("ingest.sources.MAX_LINE_CHARS", 200)
    text = (
        f"{HEADER}\n"
        'Q-1,CHO-1,0903123456,"Nguyễn\nVăn An",2021-08-01T08:00:00,,,,\n'  # lines 2-3
        "\n"
        ",,,,,,,,\n"  # a row of empty cells, as spreadsheets add them
        f"Q-2,CHO-1,0903123456,{'A' * 300},2021-08-01T08:00:00,,,,\n"  # line 6, too long
        "Q-3,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T09:00:00,,,,\n"
        'Q-4,CHO-1,0903123456,"Nguyễn Văn An,2021-08-01T09:30:00,,,,\n'  # quote left open
        "Q-5,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T10:00:00,,,,\n"
    )
    report = load(db, text)
    assert [(e.line, e.reason) for e in report.errors] == [
        (6, "line longer than 200 characters"),
        (8, "wrong column count: 4 fields, expected 9 (the record spans lines 8–9: a quote "
            "left open?)"),
    ]  # fmt: skip
    assert [(row[0], row[3]) for row in stored(db)] == [
        ("Q-1", "Nguyễn Văn An"), ("Q-3", "Nguyễn Văn An"),
    ]  # fmt: skip


def test_jsonl_is_read_by_its_content_with_lists_numbers_and_nulls(db):
    records = [
        {"external_id": "J-1", "venue_ref": "CHO-1", "phone": "0903123456",
         "full_name": "Nguyễn Văn An", "checked_in_at": "2021-08-01T08:00:00+07:00",
         "checked_out_at": None, "channel": "self", "symptoms": ["cough", "fever"],
         "exposures": []},
        {"external_id": 2, "venue_ref": "CHO-2", "phone": "84903123457",
         "full_name": "Trần Thị Bình", "checked_in_at": "2021-08-01T09:00:00"},
        {"external_id": "J-3", "venue_ref": "CHO-1", "full_name": "Lê Văn Cường",
         "checked_in_at": "2021-08-01T09:00:00"},
        {"external_id": "J-4", "venue_ref": "CHO-1", "phone": "0903123456", "full_name": "An",
         "checked_in_at": "2021-08-01T09:00:00", "note": "x"},
    ]  # fmt: skip
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    text = "\n".join(lines[:2] + ["", "not json", '["a list"]'] + lines[2:]) + "\n"
    report = load(db, text)
    assert [(e.line, e.reason.split(" (")[0]) for e in report.errors] == [
        (4, "not valid JSON"),
        (5, "not a JSON object"),
        (6, "missing column phone"),
        (7, "unknown field(s) note"),
    ]
    assert [row[:4] + row[6:10] for row in stored(db)] == [
        ("2", "CHO-2", "+84903123457", "Trần Thị Bình", "import", "", "", 0),
        ("J-1", "CHO-1", "+84903123456", "Nguyễn Văn An", "self", "fever;cough", "", 1),
    ]


def test_parsed_records_give_the_same_chunk_column_by_column_as_record_by_record():
    """A partner's request is split into columns with a list comprehension per column; a
    request with a row to refuse is read record by record, which gives each its reason. Both
    give the same cells: absent and null fields empty (absent ones listed as such), numbers
    as text, lists joined with ';'."""
    records = [
        {"external_id": "A-1", "venue_ref": "CHO-1", "phone": "0903123456",
         "full_name": "An", "checked_in_at": "2021-08-01T08:00:00", "symptoms": ["cough"]},
        {"external_id": 7, "venue_ref": "CHO-2", "phone": 903123457, "full_name": "Bình",
         "checked_in_at": "2021-08-01T09:00:00", "checked_out_at": None, "exposures": []},
    ]  # fmt: skip
    parsed = ParsedRecords(records, CHECKIN_COLUMNS)
    by_column = parsed._by_column(records, 10)
    assert by_column == parsed._by_record(records, 10)
    assert by_column.lines == [11, 12]
    assert by_column.values["external_id"] == ["A-1", "7"]
    assert by_column.values["phone"] == ["0903123456", "903123457"]
    assert by_column.values["symptoms"] == ["cough", ""]
    assert by_column.values["checked_out_at"] == ["", ""]
    assert by_column.absent == {
        "checked_out_at": [0], "channel": [0, 1], "symptoms": [1], "exposures": [0]
    }  # fmt: skip
    refused = [*records, {**records[0], "note": "x"}, {**records[0], "channel": True}]
    assert ParsedRecords(refused, CHECKIN_COLUMNS)._by_column(refused, 0) is None
    chunk = next(ParsedRecords(refused, CHECKIN_COLUMNS).chunks(10))
    assert [(e.line, e.reason) for e in chunk.rejected] == [
        (3, "unknown field(s) note"),
        (4, "field channel is true/false; expected text or a number"),
    ]
    assert chunk.lines == [1, 2]


class Upload(io.BytesIO):
    """What Streamlit's file_uploader hands over: bytes with a name and a size."""

    def __init__(self, data, name):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def test_an_upload_stream_reports_progress_and_takes_a_source(db):
    text = (
        HEADER
        + "\n"
        + "".join(
            f"S-{i},CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:{i:02d}:00,,,,\n"
            for i in range(10)
        )
    )
    seen = []
    report = import_checkins(
        db, Upload(text.encode(), "moh-2021-08-01.csv"), source="moh", chunk_size=4,
        progress=lambda fraction, message: seen.append((round(fraction, 2), message)), now=NOW,
    )  # fmt: skip
    assert report.imported == 10
    assert {row[11] for row in stored(db)} == {"moh"}
    assert seen[0] == (0.0, "reading") and seen[-1] == (1.0, "done")
    assert [message for _, message in seen[1:-1]] == [
        "4 rows read, 4 imported", "8 rows read, 8 imported", "10 rows read, 10 imported",
    ]  # fmt: skip
    fractions = [fraction for fraction, _ in seen]
    assert fractions == sorted(fractions)


def test_the_same_external_id_from_another_source_is_another_checkin(db):
    record = f"{HEADER}\nX-1,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:00:00,,,,\n"
    load(db, record, source="moh")
    other = load(db, record, source="city")
    assert other.imported == 1 and count(db, checkin) == 2


@pytest.mark.parametrize("source", ["", "x" * 41, "a\tb"])
def test_a_bad_source_name_is_refused(db, source):
    with pytest.raises(ImportFileError, match="source must be 1–40 printable characters"):
        load(db, ONE_ROW, source=source)
