"""Phone numbers: every way people write a Vietnamese number lands on one +84 form."""

import pytest

from rules.phone import PhoneError, normalize_phone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0903123456", "+84903123456"),
        ("0903 123 456", "+84903123456"),
        ("0903.123.456", "+84903123456"),
        ("0903-123-456", "+84903123456"),
        ("(0903) 123 456", "+84903123456"),
        ("84903123456", "+84903123456"),
        ("+84903123456", "+84903123456"),
        ("+84 903 123 456", "+84903123456"),
        ("+84 (0) 903 123 456", "+84903123456"),
        ("0084903123456", "+84903123456"),
        ("0084 903 123 456", "+84903123456"),
        ("903123456", "+84903123456"),  # a spreadsheet dropped the leading zero
        ("０９０３１２３４５６", "+84903123456"),  # full-width digits
        ("＋８４９０３１２３４５６", "+84903123456"),
        (" 0903123456\t", "+84903123456"),
        ("0321234567", "+84321234567"),  # Viettel 03x
        ("0561234567", "+84561234567"),
        ("0701234567", "+84701234567"),
        ("0812345678", "+84812345678"),
        ("849031234", "+84849031234"),  # 9 digits: 084 9031234 without its 0
        ("028 3822 1234", "+842838221234"),  # Ho Chi Minh City landline
        ("+84 28 3822 1234", "+842838221234"),
        ("842838221234", "+842838221234"),
        ("2838221234", "+842838221234"),
    ],
)
def test_accepted_forms_normalise_to_plus_84(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "no phone number"),
        ("   ", "no phone number"),
        ("123", "not a Vietnamese phone number: '123'"),
        ("+1 415 555 0100", "not a Vietnamese phone number (country code +84): '+1 415 555 0100'"),
        ("0044 20 7946 0958", "(country code 0084)"),
        ("09031234", "a mobile number has 9 digits after +84 (10 with the 0): '09031234'"),
        ("090312345678", "a mobile number has 9 digits after +84"),
        ("028 3822 123", "a landline has 10 digits after +84 (11 with the 0): '028 3822 123'"),
        ("0903 12a 456", "a phone number has only digits: '0903 12a 456'"),
        ("01681234567", "an old 11-digit mobile number (renumbered in 2018): '01681234567'"),
        ("0612345678", "no Vietnamese number starts with +84 6: '0612345678'"),
        ("0412345678", "no Vietnamese number starts with +84 4"),
        ("8490312345", "not a Vietnamese phone number: '8490312345'"),
    ],
)
def test_rejected_numbers_say_why(raw, message):
    with pytest.raises(PhoneError) as caught:
        normalize_phone(raw)
    assert message in str(caught.value)


def test_a_phone_error_is_a_value_error():
    assert issubclass(PhoneError, ValueError)
