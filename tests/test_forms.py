"""Form validation (declarations, venues): every problem comes back as its field's message key."""

from datetime import date

import pytest

from ingest.forms import validate_declarant, validate_venue

TODAY = date(2021, 8, 1)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (dict(full_name="Nguyễn An", phone="0903123456"), {}),
        (dict(full_name="", phone="0903123456"), {"full_name": "form.error.full_name"}),
        (dict(full_name="1234", phone="0903123456"), {"full_name": "form.error.full_name"}),
        (dict(full_name="Nguyễn An", phone="123"), {"phone": "form.error.phone"}),
        (
            dict(full_name="Nguyễn An", phone="0903123456", id_number="12ab"),
            {"id_number": "form.error.id_number"},
        ),
        (
            dict(full_name="Nguyễn An", phone="0903123456", birth_year=1850),
            {"birth_year": "form.error.birth_year"},
        ),
        (
            dict(full_name="Nguyễn An", phone="0903123456", birth_year=2022),
            {"birth_year": "form.error.birth_year"},
        ),
        (
            dict(full_name="Nguyễn An", phone="0903123456", home_ward_code="99999"),
            {"home_ward_code": "form.error.ward"},
        ),
        (
            dict(full_name="Nguyễn An", phone="0903123456", symptoms=("sneezing",)),
            {"answers": "form.error.answers"},
        ),
        (
            dict(full_name="", phone=""),
            {"full_name": "form.error.full_name", "phone": "form.error.phone"},
        ),
    ],
)
def test_each_declaration_problem_names_its_field(fields, errors):
    declarant, found = validate_declarant(**fields, today=TODAY)
    assert found == errors
    assert (declarant is None) == bool(errors)


def test_a_declarant_is_stored_in_one_form():
    declarant, _ = validate_declarant(
        "  Nguye\u0302\u0303n  Văn   An ", "+84 903.123.456", "0792 0101 2345", 1980, "26734",
        ("cough", "fever"), ("case_contact",), today=TODAY,
    )  # fmt: skip
    assert declarant.full_name == "Nguyễn Văn An"  # NFC, spaces tidied
    assert declarant.phone == "+84903123456"
    assert declarant.id_number == "079201012345"
    assert declarant.symptoms == ("fever", "cough")  # the list's order
    assert declarant.exposures == ("case_contact",)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(name="X"), "name"),
        (dict(sector="army"), "sector"),
        (dict(kind="boat"), "kind"),
        (dict(ward_code="00000"), "ward_code"),
        (dict(lat=21.03, lon=105.85), "coordinates"),  # Hà Nội
        (dict(dwell_minutes=0), "dwell_minutes"),
    ],
)
def test_each_venue_problem_names_its_field(change, field):
    fields = dict(
        name="Chợ Tân Định", sector="public", kind="market", ward_code="26734", address="48 Hai Bà Trưng",
        lat=10.79, lon=106.69, dwell_minutes=60,
    )  # fmt: skip
    clean, errors = validate_venue(**{**fields, **change})
    assert clean is None and list(errors) == [field]
