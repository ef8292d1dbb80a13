"""Normalisation of imported values (ingest/normalise.py) and the spreadsheet cell rule."""

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ingest import normalise as n
from rules.cells import neutralise, restore

NOW = datetime(2021, 8, 20, 12, 0, tzinfo=UTC)


def nfd(text):
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        (nfd("Nguyễn Văn An"), "Nguyễn Văn An"),  # decomposed (macOS, cp1258) -> composed
        ("  Nguyễn   Văn\tAn \n", "Nguyễn Văn An"),
        ("Nguyễn\u00a0Văn An", "Nguyễn Văn An"),  # no-break space
        ('=HYPERLINK("http://x","Bình")', '=HYPERLINK("http://x","Bình")'),  # as given
        ("O'Brien", "O'Brien"),
        ("A" * 120, "A" * 120),
    ],
)
def test_names_are_nfc_trimmed_with_single_spaces(raw, expected):
    result = n.normalise_name(raw)
    assert result == expected and unicodedata.is_normalized("NFC", result)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "missing full_name"),
        ("   ", "missing full_name"),
        ("12345", "full_name '12345' has no letters"),
        ("A" * 121, "full_name is longer than 120 characters (121)"),
        ("An\u200bBình", "full_name contains the invisible character U+200B"),
        ("An\x07", "full_name contains the invisible character U+0007"),
        ("Tr\udce1n", "full_name is not valid UTF-8 text"),  # a byte kept by surrogateescape
    ],
)
def test_bad_names_say_why(raw, message):
    with pytest.raises(n.Invalid) as caught:
        n.normalise_name(raw)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("+84903123456", "+84903123456"),
        ("0903.123.456", "+84903123456"),
        ("0084 903 123 456", "+84903123456"),
    ],
)
def test_phones_use_the_phone_rule(raw, expected):
    assert n.normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "missing phone"),
        ("123", "bad phone: not a Vietnamese phone number: '123'"),
        ("09031\udcff3456", "phone contains invisible or undecodable characters"),
    ],
)
def test_bad_phones(raw, message):
    with pytest.raises(n.Invalid) as caught:
        n.normalise_phone(raw)
    assert str(caught.value) == message


def test_ward_codes_are_the_273_reference_wards():
    assert len(n.ward_codes()) == 273
    assert n.normalise_ward(" 26734 ") == "26734"  # Phường Tân Định, Quận 1
    with pytest.raises(n.Invalid, match=r"unknown ward_code '00001' \(not one of Ho Chi Minh"):
        n.normalise_ward("00001")  # Hà Nội's Phúc Xá: a real ward, not in this city
    with pytest.raises(n.Invalid, match="missing ward_code"):
        n.normalise_ward("")


@pytest.mark.parametrize(
    "lat, lon, inside",
    [
        (10.7769, 106.7009, True),  # Bến Thành
        (10.41, 106.95, True),  # Cần Giờ
        (11.16, 106.46, True),  # Củ Chi
        (21.0285, 105.8542, False),  # Hà Nội
        (10.0, 106.7, False),
        (0.0, 0.0, False),
    ],
)
def test_coordinates_must_be_inside_the_city(lat, lon, inside):
    if inside:
        n.check_inside_hcmc(lat, lon)
    else:
        with pytest.raises(n.Invalid, match=f"coordinates {lat}, {lon} are outside Ho Chi Minh"):
            n.check_inside_hcmc(lat, lon)


@pytest.mark.parametrize("raw", ["abc", "nan", "inf", ""])
def test_coordinates_must_be_numbers(raw):
    with pytest.raises(n.Invalid, match="lat"):
        n.parse_coordinate(raw, "lat")


SAIGON_0810 = int(datetime(2021, 8, 1, 1, 10, tzinfo=UTC).timestamp())  # 08:10 local


@pytest.mark.parametrize(
    "raw",
    [
        "2021-08-01T08:10:00+07:00",
        "2021-08-01T01:10:00Z",
        "2021-08-01T01:10:00+00:00",
        "2021-08-01T08:10:00",  # no offset: Asia/Ho_Chi_Minh
        "2021-08-01 08:10",
        "2021-08-01T08:10:00.000",
        " 2021-08-01T08:10:00+07:00 ",
        "20210801T081000+0700",  # ISO 8601 basic format
    ],
)
def test_iso_times_without_an_offset_are_local(raw):
    assert n.parse_instant(raw, "checked_in_at") == SAIGON_0810


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "missing checked_in_at"),
        ("01/08/2021 08:10", "checked_in_at '01/08/2021 08:10' is not an ISO 8601 time"),
        ("2021-13-01T08:00", "checked_in_at '2021-13-01T08:00' is not an ISO 8601 time"),
        ("2021-08-01", "checked_in_at '2021-08-01' has no time of day"),
    ],
)
def test_bad_times(raw, message):
    with pytest.raises(n.Invalid) as caught:
        n.parse_instant(raw, "checked_in_at")
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    "at, message",
    [
        (NOW, None),
        (NOW + timedelta(minutes=5), None),  # a phone's clock a little fast
        (NOW + timedelta(minutes=6), "checked_in_at 2021-08-20T19:06:00+07:00 is in the future"),
        (datetime(2020, 1, 1, tzinfo=timezone(timedelta(hours=7))), None),
        (datetime(2019, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=7))),
         "checked_in_at 2019-12-31T23:59:00+07:00 is before 2020-01-01"),
    ],
)  # fmt: skip
def test_times_are_neither_in_the_future_nor_before_kbyt(at, message):
    if message is None:
        n.check_instant_bounds(int(at.timestamp()), "checked_in_at", NOW)
    else:
        with pytest.raises(n.Invalid) as caught:
            n.check_instant_bounds(int(at.timestamp()), "checked_in_at", NOW)
        assert str(caught.value) == message


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("", ""),
        ("fever", "fever"),
        ("cough;fever", "fever;cough"),  # the lists' order, so equal answers store equally
        (" Fever ; COUGH ;", "fever;cough"),
        ("fever;fever", "fever"),
    ],
)
def test_symptoms_are_known_codes_in_a_canonical_order(raw, expected):
    assert n.normalise_symptoms(raw) == expected


def test_unknown_symptoms_and_exposures_are_named():
    with pytest.raises(n.Invalid) as symptom:
        n.normalise_symptoms("fever;sốt")
    with pytest.raises(n.Invalid) as exposure:
        n.normalise_exposures("market")
    assert str(symptom.value).startswith("unknown symptom 'sốt'; expected some of fever, cough")
    assert str(exposure.value) == (
        "unknown exposure 'market'; expected some of case_contact, lockdown_area, travel_abroad"
    )
    assert n.normalise_exposures("travel_abroad;case_contact") == "case_contact;travel_abroad"


@pytest.mark.parametrize(
    "raw, expected",
    [("", "import"), ("import", "import"), ("self", "self"), (" Proxy ", "proxy"),
     ("staff", "staff"), ("advance", "advance")],
)  # fmt: skip
def test_channels(raw, expected):
    assert n.normalise_channel(raw) == expected


def test_an_unknown_channel_is_refused():
    with pytest.raises(n.Invalid, match="unknown channel 'sms'; expected self, proxy, staff"):
        n.normalise_channel("sms")


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "missing external_id"),
        ("x" * 81, "external_id is longer than 80 characters (81)"),
        ("A\tB", "external_id 'A\\tB' contains invisible or undecodable characters"),
    ],
)
def test_keys(raw, message):
    assert n.normalise_key(" A-1 ", "external_id", 80) == "A-1"
    with pytest.raises(n.Invalid) as caught:
        n.normalise_key(raw, "external_id", 80)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "cell, written",
    [
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("=1+1", "'=1+1"),
        ("+84903123456", "'+84903123456"),
        ("-2", "'-2"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("'quoted", "''quoted"),  # so that the importer's one-apostrophe rule is lossless
        ("''", "'''"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_formula_cells_are_neutralised_and_restored(cell, written):
    assert neutralise(cell) == written
    assert restore(neutralise(cell)) == cell
