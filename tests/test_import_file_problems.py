"""A file that cannot be imported at all (size, encoding, format, header) is refused with one
sentence: in English as the command line has always said it, and in Vietnamese on the
administration page. Each problem is a code with its values; every code is met here."""

import io
import string

import pytest

from i18n.labels import LABELS
from ingest.imports import checked_source
from ingest.report import ImportFileError
from ingest.sources import RecordReader
from ingest.validate import CHECKIN_COLUMNS, VENUE_COLUMNS


class Unsized(io.RawIOBase):
    """A stream whose size is not known before it is read (an upload as it arrives)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.name = "x.csv"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


class Named(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def refused(data, name: str = "x.csv", columns=CHECKIN_COLUMNS, **options):
    stream = Named(data, name) if isinstance(data, bytes) else data
    with pytest.raises(ImportFileError) as caught:
        reader = RecordReader(stream, columns, **options)
        for _ in reader.chunks(10):
            pass
    return caught.value


CHECKINS = b"external_id,venue_ref,phone,full_name,checked_in_at\n"

# (what the file is, the code, English as the command line says it, Vietnamese)
FILES = [
    (lambda: refused(b"a" * 2000, max_bytes=1000), "too_large",
     "x.csv has 2,000 bytes, more than the limit of 1,000; split the file",
     "X.csv có 2.000 byte, vượt giới hạn 1.000 byte; hãy chia nhỏ tệp"),
    (lambda: refused(b"  \n"), "empty", "x.csv is empty", "Tệp x.csv không có nội dung"),
    (lambda: refused(b"PK\x03\x04rest"), "workbook",
     "x.csv is a spreadsheet workbook, not a text file: save it as "
     "'CSV UTF-8 (comma delimited)'",
     "X.csv là sổ bảng tính, không phải tệp văn bản: hãy lưu dưới dạng "
     "'CSV UTF-8 (comma delimited)'"),
    (lambda: refused(CHECKINS, encoding="klingon"), "unknown_encoding",
     "unknown encoding 'klingon'", "Bảng mã không rõ: 'klingon'"),
    (lambda: refused(b"a,b\x00c\n"), "binary",
     "x.csv is a binary file, not CSV or JSONL text",
     "X.csv là tệp nhị phân, không phải văn bản CSV hay JSONL"),
    (lambda: refused(b"Tr\xe2n,1\n"), "not_utf8",
     "x.csv is not UTF-8 (byte 0xE2 at offset 2): save it as 'CSV UTF-8', or name its "
     "encoding (cp1258 for Windows Vietnamese, latin-1, …)",
     "X.csv không phải UTF-8 (byte 0xE2 ở vị trí 2): hãy lưu dưới dạng 'CSV UTF-8', hoặc "
     "cho biết bảng mã của tệp (cp1258 cho tiếng Việt trên Windows, latin-1, …)"),
    (lambda: refused(b"a,b\n", "x.xlsx"), "spreadsheet",
     "x.xlsx is a spreadsheet: save it as 'CSV UTF-8'",
     "X.xlsx là bảng tính: hãy lưu dưới dạng 'CSV UTF-8'"),
    (lambda: refused(b'[{"a": 1}]', "x.json"), "json_array",
     "x.json is a JSON array: give one JSON object per line (JSONL)",
     "X.json là một mảng JSON: mỗi dòng cần đúng một đối tượng JSON (JSONL)"),
    (lambda: refused(CHECKINS, file_format="xml"), "unknown_format",
     "unknown format 'xml'; expected csv or jsonl", "Định dạng không rõ 'xml'; cần csv hoặc jsonl"),
    (lambda: refused(b"external_id;venue_ref;phone\n"), "one_column_header",
     "x.csv: the header is one column 'external_id;venue_ref;phone'; columns must be "
     "separated by commas",
     "X.csv: dòng tiêu đề chỉ có một cột 'external_id;venue_ref;phone'; các cột phải cách "
     "nhau bằng dấu phẩy"),
    (lambda: refused(b"phone,phone,full_name\n"), "repeated_columns",
     "x.csv: column(s) phone repeated", "X.csv: cột phone bị lặp lại"),
    (lambda: refused(b"external_id,venue_ref,phone,full_name\n"), "header_missing_optional",
     "x.csv: missing column(s) checked_in_at. The header must have "
     "external_id,venue_ref,phone,full_name,checked_in_at and may have "
     "checked_out_at,channel,symptoms,exposures",
     "X.csv: thiếu cột checked_in_at. Dòng tiêu đề phải có "
     "external_id,venue_ref,phone,full_name,checked_in_at và có thể có "
     "checked_out_at,channel,symptoms,exposures"),
    (lambda: refused(CHECKINS.rstrip() + b",note\n"), "header_unknown_optional",
     "x.csv: unknown column(s) note. The header must have "
     "external_id,venue_ref,phone,full_name,checked_in_at and may have "
     "checked_out_at,channel,symptoms,exposures",
     "X.csv: cột không được nhận note. Dòng tiêu đề phải có "
     "external_id,venue_ref,phone,full_name,checked_in_at và có thể có "
     "checked_out_at,channel,symptoms,exposures"),
    (lambda: refused(b"venue_ref,name,note\n", columns=VENUE_COLUMNS),
     "header_missing_unknown_optional",
     "x.csv: missing column(s) sector, kind, ward_code, address, lat, lon; unknown column(s) "
     "note. The header must have venue_ref,name,sector,kind,ward_code,address,lat,lon and may "
     "have default_dwell_minutes,capacity",
     "X.csv: thiếu cột sector, kind, ward_code, address, lat, lon; cột không được nhận note. "
     "Dòng tiêu đề phải có venue_ref,name,sector,kind,ward_code,address,lat,lon và có thể có "
     "default_dwell_minutes,capacity"),
    (lambda: refused(b",,\n"), "no_header", "x.csv has no header line",
     "X.csv không có dòng tiêu đề"),
    (lambda: _raised(lambda: RecordReader("/nonexistent/x.csv", CHECKIN_COLUMNS)), "cannot_read",
     "cannot read /nonexistent/x.csv: No such file or directory",
     "Không đọc được /nonexistent/x.csv: No such file or directory"),
    (lambda: refused(Unsized(CHECKINS + b"A,B,C,D,E\n" * 400_000), max_bytes=1_000_000),
     "larger_than_limit",
     "x.csv is larger than the limit of 1,000,000 bytes; the chunks read before it were "
     "imported; split the file (importing again skips them)",
     "X.csv vượt quá giới hạn 1.000.000 byte; các phần đã đọc trước đó đã được nhập; hãy "
     "chia nhỏ tệp (nhập lại sẽ bỏ qua những dòng đã có)"),
    (lambda: _raised(lambda: checked_source(" ")), "bad_source",
     "source must be 1–40 printable characters, got ' '",
     "Hệ thống nguồn phải có từ 1 đến 40 ký tự in được, nhận được ' '"),
]  # fmt: skip


def _raised(call) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(("make", "code", "english", "vietnamese"), FILES)
def test_a_file_refused_whole_says_why_in_english_and_in_vietnamese(
    make, code, english, vietnamese
):
    problem = make()
    assert problem.code == code
    assert str(problem) == english == problem.text("en")
    assert problem.text("vi")[:1].upper() + problem.text("vi")[1:] == vietnamese


def test_every_file_problem_has_both_sentences_naming_the_same_values():
    codes = {
        key.removeprefix("import.file."): texts
        for key, texts in LABELS.items()
        if key.startswith("import.file.")
    }
    met = {code for _, code, _, _ in FILES}
    # The three header cases without optional columns are said the same way; no file kind
    # lacks optional columns today, so they are checked by their sentences alone.
    assert set(codes) - met == {
        "header_missing", "header_unknown", "header_missing_unknown", "unreadable_header",
    }  # fmt: skip
    for code, (vietnamese, english) in codes.items():
        names = {n for _, n, _, _ in string.Formatter().parse(english) if n}
        assert names == {n for _, n, _, _ in string.Formatter().parse(vietnamese) if n}, code
        assert vietnamese != english, code
