"""Why an import refuses a record, in both languages. Each reason is a code and the values its
sentence names; its English sentence is what the partner API, the command line and its error
report have always said (a public contract, word for word), and the administration page says
the same reason in Vietnamese, with diacritics, or in English."""

import csv
import io
import json
import re
import string
from datetime import UTC, datetime

import pytest

from config.settings import SECTORS
from i18n.labels import LABELS
from ingest import normalise as n
from ingest.imports import import_checkins, import_venues
from ingest.parsed_records import ParsedRecords
from ingest.reasons import Invalid, Reason
from ingest.sources import RecordReader
from ingest.validate import CHECKIN_COLUMNS, VENUE_COLUMNS, validate_checkins, validate_venues
from rules.phone import PhoneError, normalize_phone
from tests.conftest import REPO

NOW = datetime(2021, 8, 20, 12, 0, tzinfo=UTC)
CHECKINS = "external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms"


def refused(call) -> Reason:
    with pytest.raises(Invalid) as caught:
        call()
    return caught.value.reason


# One value each: (the check, its code, English as the API says it, Vietnamese as the page does)
VALUES = [
    (lambda: n.normalise_phone(""), "missing", "missing phone", "Thiếu số điện thoại"),
    (lambda: n.normalise_name("Tr\udce1n"), "not_utf8",
     "full_name is not valid UTF-8 text", "Họ tên không phải văn bản UTF-8 hợp lệ"),
    (lambda: n.normalise_name("An\u200bBình"), "invisible_character",
     "full_name contains the invisible character U+200B", "Họ tên chứa ký tự ẩn U+200B"),
    (lambda: n.normalise_name("A" * 121), "too_long",
     "full_name is longer than 120 characters (121)", "Họ tên dài quá 120 ký tự (121 ký tự)"),
    (lambda: n.normalise_key("A\x07", "external_id", 80), "unprintable_value",
     "external_id 'A\\x07' contains invisible or undecodable characters",
     "Mã bản ghi 'A\\x07' chứa ký tự ẩn hoặc không giải mã được"),
    (lambda: n.normalise_phone("09031\udcff3456"), "unprintable",
     "phone contains invisible or undecodable characters",
     "Số điện thoại chứa ký tự ẩn hoặc không giải mã được"),
    (lambda: n.normalise_name("12345"), "no_letters",
     "full_name '12345' has no letters", "Họ tên không có chữ cái nào: '12345'"),
    (lambda: n.normalise_phone("--"), "phone_empty",
     "bad phone: no phone number", "Số điện thoại không hợp lệ (không có chữ số nào)"),
    (lambda: n.normalise_phone("0903abc456"), "phone_not_digits",
     "bad phone: a phone number has only digits: '0903abc456'",
     "Số điện thoại không hợp lệ (chỉ được gồm chữ số): '0903abc456'"),
    (lambda: n.normalise_phone("0281234567"), "phone_landline_length",
     "bad phone: a landline has 10 digits after +84 (11 with the 0): '0281234567'",
     "Số điện thoại không hợp lệ (số cố định có 10 chữ số sau +84, 11 chữ số nếu bắt đầu bằng "
     "0): '0281234567'"),
    (lambda: n.normalise_phone("090312345"), "phone_mobile_length",
     "bad phone: a mobile number has 9 digits after +84 (10 with the 0): '090312345'",
     "Số điện thoại không hợp lệ (số di động có 9 chữ số sau +84, 10 chữ số nếu bắt đầu bằng "
     "0): '090312345'"),
    (lambda: n.normalise_phone("01231234567"), "phone_old_mobile",
     "bad phone: an old 11-digit mobile number (renumbered in 2018): '01231234567'",
     "Số điện thoại không hợp lệ (số di động 11 số cũ, đã chuyển sang 10 số từ năm 2018): "
     "'01231234567'"),
    (lambda: n.normalise_phone("0403123456"), "phone_bad_start",
     "bad phone: no Vietnamese number starts with +84 4: '0403123456'",
     "Số điện thoại không hợp lệ (không có số Việt Nam nào bắt đầu bằng +84 4): '0403123456'"),
    (lambda: n.normalise_phone("+1 555 123 4567"), "phone_foreign",
     "bad phone: not a Vietnamese phone number (country code +84): '+1 555 123 4567'",
     "Số điện thoại không phải số Việt Nam (mã quốc gia +84): '+1 555 123 4567'"),
    (lambda: n.normalise_phone("0044 20 7946 0000"), "phone_foreign_0084",
     "bad phone: not a Vietnamese phone number (country code 0084): '0044 20 7946 0000'",
     "Số điện thoại không phải số Việt Nam (mã quốc gia 0084): '0044 20 7946 0000'"),
    (lambda: n.normalise_phone("123"), "phone_not_vietnamese",
     "bad phone: not a Vietnamese phone number: '123'",
     "Số điện thoại không phải số Việt Nam: '123'"),
    (lambda: n.normalise_ward("99999"), "unknown_ward",
     "unknown ward_code '99999' (not one of Ho Chi Minh City's 273 wards)",
     "Mã phường không tồn tại: 99999"),
    (lambda: n.parse_coordinate("abc", "lat"), "not_a_number",
     "lat 'abc' is not a number", "Vĩ độ không phải là số: 'abc'"),
    (lambda: n.check_inside_hcmc(21.03, 105.85), "outside_hcmc",
     "coordinates 21.03, 105.85 are outside Ho Chi Minh City (lat 10.35–11.18, lon "
     "106.34–107.03)",
     "Tọa độ 21.03, 105.85 nằm ngoài TP.HCM (vĩ độ 10.35–11.18, kinh độ 106.34–107.03)"),
    (lambda: n.parse_instant("01/08/2021 08:10", "checked_in_at"), "not_a_time",
     "checked_in_at '01/08/2021 08:10' is not an ISO 8601 time (e.g. 2021-08-01T08:10:00+07:00)",
     "Giờ vào không hợp lệ: '01/08/2021 08:10' (cần ngày giờ dạng ISO 8601, ví dụ "
     "2021-08-01T08:10:00+07:00)"),
    (lambda: n.parse_instant("2021-08-01", "checked_out_at"), "no_time_of_day",
     "checked_out_at '2021-08-01' has no time of day",
     "Giờ ra chỉ có ngày, thiếu giờ: '2021-08-01'"),
    (lambda: n.check_instant_bounds(int(NOW.timestamp()) + 3600, "checked_in_at", NOW),
     "in_the_future", "checked_in_at 2021-08-20T20:00:00+07:00 is in the future",
     "Giờ vào là thời điểm trong tương lai: 2021-08-20T20:00:00+07:00"),
    (lambda: n.check_instant_bounds(1577808000, "checked_in_at", NOW), "too_early",
     "checked_in_at 2019-12-31T23:00:00+07:00 is before 2020-01-01",
     "Giờ vào trước ngày 2020-01-01: 2019-12-31T23:00:00+07:00"),
    (lambda: n.normalise_symptoms("ho; sốt"), "unknown_symptom",
     "unknown symptom 'ho', 'sốt'; expected some of fever, cough, sore_throat, "
     "shortness_of_breath, loss_of_taste_smell, fatigue",
     "Triệu chứng không hợp lệ: 'ho', 'sốt'; chỉ nhận: fever, cough, sore_throat, "
     "shortness_of_breath, loss_of_taste_smell, fatigue"),
    (lambda: n.normalise_exposures("market"), "unknown_exposure",
     "unknown exposure 'market'; expected some of case_contact, lockdown_area, travel_abroad",
     "Yếu tố dịch tễ không hợp lệ: 'market'; chỉ nhận: case_contact, lockdown_area, "
     "travel_abroad"),
    (lambda: n.normalise_channel("sms"), "unknown_channel",
     "unknown channel 'sms'; expected self, proxy, staff, advance or empty",
     "Hình thức khai báo không hợp lệ: 'sms'; chỉ nhận self, proxy, staff, advance hoặc để "
     "trống"),
    (lambda: n.normalise_choice("mall", SECTORS, "sector"), "unknown_choice",
     "unknown sector 'mall'; expected one of health, government, enterprise, public",
     "Khối không hợp lệ: 'mall'; phải là một trong: health, government, enterprise, public"),
    (lambda: n.parse_minutes("1h", "default_dwell_minutes"), "not_minutes",
     "default_dwell_minutes '1h' is not a whole number of minutes",
     "Thời gian lưu lại mặc định không phải số phút nguyên: '1h'"),
    (lambda: n.parse_minutes("2000", "default_dwell_minutes"), "minutes_out_of_range",
     "default_dwell_minutes 2000 is outside 1–1440 minutes",
     "Thời gian lưu lại mặc định 2000 nằm ngoài khoảng 1–1440 phút"),
    (lambda: n.parse_capacity("80 người"), "not_a_whole_number",
     "capacity '80 người' is not a whole number", "Sức chứa không phải số nguyên: '80 người'"),
    (lambda: n.parse_capacity("0"), "out_of_range",
     "capacity 0 is outside 1–1,000,000", "Sức chứa 0 nằm ngoài khoảng 1–1.000.000"),
]  # fmt: skip


@pytest.mark.parametrize("check, code, english, vietnamese", VALUES, ids=[row[1] for row in VALUES])
def test_a_bad_value_has_a_code_an_english_and_a_vietnamese_sentence(
    check, code, english, vietnamese
):
    why = refused(check)
    assert (why.code, why.english, why.text("en"), why.text("vi")) == (
        code,
        english,
        english,
        vietnamese,
    )
    assert str(Invalid(why.code, **why.values)) == english


def records(text: str, columns, file_format: str = "csv"):
    """The rejected records of a file read and checked (no database): [(line, RowError)]."""
    found = []
    with RecordReader(io.StringIO(text), columns, file_format=file_format) as reader:
        for chunk in reader.chunks(1_000):
            checked = (
                validate_checkins(chunk, now=NOW)
                if columns is CHECKIN_COLUMNS
                else validate_venues(chunk)
            )
            found += chunk.rejected + checked.errors
    return sorted(found, key=lambda error: error.line)


def test_a_file_s_rejected_rows_in_english_and_in_vietnamese(monkeypatch):
    monkeypatch.setattr("ingest.sources.MAX_LINE_CHARS", 200)
    text = (
        f"{CHECKINS}\n"
        "A-1,CHO-1,,12345,2021-08-01T08:10:00,2021-08-01T08:00:00,,\n"  # three reasons
        "A-2,CHO-1\n"
        f"A-3,CHO-1,0903123456,{'A' * 300},2021-08-01T08:00:00,,,\n"
        f'A-4,CHO-1,0903123456,"{"B" * 300}\nB",2021-08-01T08:00:00,,,\n'  # lines 5-6
        "A-5,CHO-1,0903123456,An,2021-08-01T10:00:00,,,\n"
        'A-6,CHO-1,0903123456,"An,2021-08-01T09:30:00,,,\n'  # a quote left open: lines 8-9
        "A-7,CHO-1,0903123456,An,2021-08-01T10:00:00,,,\n"
    )
    errors = records(text, CHECKIN_COLUMNS)
    assert [(e.line, [r.code for r in e.reasons], e.reason, e.reason_in("vi")) for e in errors] == [
        (2, ["missing", "no_letters", "checked_out_before_in"],
         "missing phone; full_name '12345' has no letters; checked_out_at is before "
         "checked_in_at",
         "Thiếu số điện thoại; Họ tên không có chữ cái nào: '12345'; Giờ ra trước giờ vào"),
        (3, ["column_count"], "wrong column count: 2 fields, expected 8",
         "Sai số cột: có 2 cột, cần 8"),
        (4, ["line_too_long"], "line longer than 200 characters", "Dòng dài quá 200 ký tự"),
        (5, ["line_too_long_spanning"],
         "line longer than 200 characters (the record spans lines 5–6: a quote left open?)",
         "Dòng dài quá 200 ký tự (bản ghi kéo dài từ dòng 5 đến dòng 6: có dấu ngoặc kép chưa "
         "đóng?)"),
        (8, ["column_count_spanning"],
         "wrong column count: 4 fields, expected 8 (the record spans lines 8–9: a quote left "
         "open?)",
         "Sai số cột: có 4 cột, cần 8 (bản ghi kéo dài từ dòng 8 đến dòng 9: có dấu ngoặc kép "
         "chưa đóng?)"),
    ]  # fmt: skip


def test_a_count_in_a_reason_is_grouped_as_each_language_groups_it():
    text = f'{CHECKINS}\nA-1,CHO-1,0903123456,"{"C" * 70_000}",2021-08-01T08:00:00,,,\n'
    [error] = records(text, CHECKIN_COLUMNS)
    assert (error.reason, error.reason_in("vi")) == (
        "line longer than 65,536 characters",
        "Dòng dài quá 65.536 ký tự",
    )


def test_unreadable_csv_keeps_python_s_words_inside_the_sentence():
    previous = csv.field_size_limit(50)
    try:
        [error] = records(f'{CHECKINS}\nA-1,B,C,"{"D" * 80}",E,,,\n', CHECKIN_COLUMNS)
    finally:
        csv.field_size_limit(previous)
    assert (error.reason, error.reason_in("vi")) == (
        "unreadable CSV (field larger than field limit (50))",
        "Không đọc được dòng CSV (field larger than field limit (50))",
    )


JSONL = "\n".join(
    [
        "not json",
        '["a list"]',
        '{"external_id": "J-3", "venue_ref": "CHO-1", "full_name": "An", '
        '"checked_in_at": "2021-08-01T08:00:00"}',
        '{"external_id": "J-4", "venue_ref": "CHO-1", "phone": "0903123456", "full_name": "An", '
        '"checked_in_at": "2021-08-01T08:00:00", "note": "x", "zz": 1}',
        '{"external_id": "J-5", "venue_ref": "CHO-1", "phone": "0903123456", "full_name": true, '
        '"checked_in_at": "2021-08-01T08:00:00"}',
        '{"external_id": "J-6", "venue_ref": "CHO-1", "phone": "0903123456", '
        '"full_name": {"a": 1}, "checked_in_at": "2021-08-01T08:00:00"}',
    ]
)


def test_jsonl_records_refused_in_english_and_in_vietnamese():
    errors = records(JSONL, CHECKIN_COLUMNS, "jsonl")
    assert [(e.line, e.reason, e.reason_in("vi")) for e in errors] == [
        (1, "not valid JSON (Expecting value: line 1 column 1 (char 0))",
         "Không phải JSON hợp lệ (Expecting value: line 1 column 1 (char 0))"),
        (2, "not a JSON object", "Không phải một đối tượng JSON"),
        (3, "missing column phone", "Thiếu cột phone"),
        (4, "unknown field(s) note, zz", "Có trường không được phép: note, zz"),
        (5, "field full_name is true/false; expected text or a number",
         "Trường full_name là true/false; cần văn bản hoặc số"),
        (6, "field full_name must be text or a number",
         "Trường full_name phải là văn bản hoặc số"),
    ]  # fmt: skip


def test_a_partner_s_parsed_records_have_the_same_reasons_as_the_file():
    objects = [json.loads(line) for line in JSONL.splitlines()[2:]]
    found = []
    for chunk in ParsedRecords(objects, CHECKIN_COLUMNS).chunks(100):
        found += chunk.rejected + validate_checkins(chunk, now=NOW).errors
    assert [e.reason for e in sorted(found, key=lambda e: e.line)] == [
        e.reason for e in records(JSONL, CHECKIN_COLUMNS, "jsonl")[2:]
    ]


VENUES = "venue_ref,name,sector,kind,ward_code,address,lat,lon\n"


def test_unknown_and_repeated_venue_refs_in_both_languages(engine, tmp_path):
    venues = import_venues(
        engine,
        io.BytesIO(
            (
                VENUES + "CHO-1,Chợ Tân Định,public,market,26734,48 Hai Bà Trưng,10.7905,106.6905\n"
                "CHO-1,Chợ Tân Định,public,market,26734,48 Hai Bà Trưng,10.7905,106.6905\n"
            ).encode()
        ),
    )
    checkins = import_checkins(
        engine,
        io.BytesIO(f"{CHECKINS}\nA-1,CHO-9,0903123456,An,2021-08-01T08:00:00,,,\n".encode()),
        now=NOW,
    )
    assert [(e.reason, e.reason_in("vi")) for e in venues.errors + checkins.errors] == [
        ("venue_ref 'CHO-1' repeated (first at line 2)",
         "Mã địa điểm CHO-1 bị lặp lại (lần đầu ở dòng 2)"),
        ("unknown venue_ref 'CHO-9'", "Mã địa điểm không tồn tại: CHO-9"),
    ]  # fmt: skip


def test_the_command_line_s_error_report_stays_english_and_the_page_s_is_in_its_language(
    engine, tmp_path
):
    bad = f"{CHECKINS}\nA-1,CHO-9,,An,2021-08-01T08:00:00,,,\n".encode()
    for language, name in ((None, "cli.csv"), ("vi", "vi.csv"), ("en", "en.csv")):
        import_checkins(
            engine, io.BytesIO(bad), error_report=tmp_path / name, now=NOW, error_language=language
        )
    raw = '"A-1,CHO-9,,An,2021-08-01T08:00:00,,,"'  # quoted: the record has commas
    assert (tmp_path / "cli.csv").read_text(encoding="utf-8").splitlines() == [
        "line,reason,raw",
        f"2,missing phone,{raw}",
    ]
    assert (tmp_path / "vi.csv").read_text(encoding="utf-8").splitlines() == [
        "Dòng,Lý do,Nội dung dòng",
        f"2,Thiếu số điện thoại,{raw}",
    ]
    assert (tmp_path / "en.csv").read_text(encoding="utf-8").splitlines() == [
        "Line,Reason,Row as read",
        f"2,missing phone,{raw}",
    ]


def test_every_phone_reason_is_bad_phone_and_the_phone_rule_s_own_words():
    """The phone rule says why in English for its other callers; an import's English reason
    is those words after 'bad phone: ', for every way the rule finds a phone wrong."""
    rule_codes = set(re.findall(r'PhoneError\(\s*f?"[^"]*",\s*"([a-z0-9_]+)"', PHONE_RULE))
    phones = [check for check, code, _, _ in VALUES if code.startswith("phone_")]
    assert {refused(check).code.removeprefix("phone_") for check in phones} == rule_codes
    for check in phones:
        why = refused(check)
        with pytest.raises(PhoneError) as caught:
            normalize_phone(why.values.get("value", "--"))
        assert why.english == f"bad phone: {caught.value}"


# --- the catalogue: every code has both sentences, naming exactly the values it is given ----

PHONE_RULE = (REPO / "rules" / "phone.py").read_text(encoding="utf-8")
LITERAL_CODE = re.compile(r'\b(?:Invalid|reason)\(\s*"([a-z0-9_]+)"')


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def catalogue() -> dict[str, tuple[str, str]]:
    return {
        key.removeprefix("import.reason."): texts
        for key, texts in LABELS.items()
        if key.startswith("import.reason.")
    }


def reasons_given(engine) -> list[Reason]:
    """A reason of every kind, each from the code that gives it."""
    given = [refused(check) for check, *_ in VALUES]
    text = (
        f"{CHECKINS}\nA-1,CHO-1,0903123456,An,2021-08-01T08:10:00,2021-08-01T08:00:00,,\n"
        "A-2,CHO-1\n"
        f"A-3,CHO-1,0903123456,{'A' * 70_000},2021-08-01T08:00:00,,,\n"
        f'A-4,CHO-1,0903123456,"{"B" * 70_000}\nB",2021-08-01T08:00:00,,,\n'
        'A-6,CHO-1,0903123456,"An,2021-08-01T09:30:00,,,\n'
        "A-7,CHO-1,0903123456,An,2021-08-01T10:00:00,,,\n"
    )
    errors = records(text, CHECKIN_COLUMNS) + records(JSONL, CHECKIN_COLUMNS, "jsonl")
    previous = csv.field_size_limit(50)
    try:
        errors += records(f'{CHECKINS}\nA-1,B,C,"{"D" * 80}",E,,,\n', CHECKIN_COLUMNS)
    finally:
        csv.field_size_limit(previous)
    venues = VENUES + "V-1,Chợ,public,market,26734,a,10.79,106.69\n" * 2
    errors += import_venues(engine, io.BytesIO(venues.encode())).errors
    unknown = f"{CHECKINS}\nA-1,CHO-9,0903123456,An,2021-08-01T08:00:00,,,\n"
    errors += import_checkins(engine, io.BytesIO(unknown.encode()), now=NOW).errors
    return given + [why for error in errors for why in error.reasons]


def test_every_reason_has_both_sentences_naming_exactly_the_values_it_is_given(engine):
    given = reasons_given(engine)
    sentences = catalogue()
    # Every code the importer gives has its two sentences, and none is left over.
    assert sorted({why.code for why in given}) == sorted(sentences)
    scanned = set()
    for path in (REPO / "ingest").glob("*.py"):
        scanned |= set(LITERAL_CODE.findall(path.read_text(encoding="utf-8")))
    assert scanned - {why.code for why in given} == set(), "a code no test gives"
    for why in given:
        vietnamese, english = sentences[why.code]
        assert vietnamese.strip() and english.strip(), why.code
        assert placeholders(vietnamese) == placeholders(english) == set(why.values), why
        assert why.text("vi") != why.english, why.code  # said in Vietnamese, not left English
    for column in set(CHECKIN_COLUMNS.all) | set(VENUE_COLUMNS.all):
        vietnamese, english = LABELS[f"import.field.{column}"]
        assert english == column and vietnamese != column
