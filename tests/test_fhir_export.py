"""A case and its traced contacts as an HL7 FHIR R4 Bundle (docs/fhir.md), on both databases.

The scenario, local times (UTC+7) on 10 August 2021, default rules (15 min buffer, 1 min
minimum overlap): case A is at the market M 08:00–09:00 and at the office O 14:00–15:00.
C is at M 08:30–09:30, so meets A (widened 07:45–09:15) from 08:30 to 09:15: F1, 45 min.
C then is at O 10:30–12:00, widened 10:15–12:15, where E is 11:00–11:45: E is F2 through C,
45 min. A's time at O (from 13:45 widened) meets nobody."""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from config.settings import get_settings
from db.schema import audit_log, person, venue
from queries.cases import register_case
from queries.fhir_export import case_for_export, fhir_rows
from queries.trace import TraceRules, case_window, trace
from queries.writes import upsert_venues, write_checkins
from reports.fhir_bundle import (
    CONTACT_EXPOSURE,
    CONTACT_LEVEL,
    TRACE_WINDOW,
    bundle_json,
    fhir_bundle,
    resource_id,
)
from rules.access import Scope
from tests.checkin_rows import checkin_frame
from tests.command_line import audit_rows, manage
from tests.conftest import opened
from tests.page_runs import open_page, point_app_at

SAIGON = timezone(timedelta(hours=7))
PURPOSE = "Ca số 1: gửi danh sách tiếp xúc cho CDC"


def at(hours, minutes=0):
    return datetime(2021, 8, 10, hours, minutes, tzinfo=SAIGON)


def build(engine):
    """Venues M and O, people A (with ID number and birth year), C, E, their check-ins, and a
    confirmed case of A: onset 9 August, tested 11 August, isolated 11 August 17:00 local.
    Returns (case id, person ids by name)."""
    venues = [
        ("M", "Chợ Tân Định", "market", "48 Hai Bà Trưng", "26734", 10.7905, 106.6905, 60),
        ("O", "Văn phòng Bến Nghé", "office", "2 Lê Duẩn", "26740", 10.7820, 106.7010, 480),
    ]
    people = [
        ("A", "+84903000001", "079085001234", 1985),
        ("C", "+84903000002", None, None),
        ("E", "+84903000003", None, 1990),
    ]
    visits = [
        ("A", "M", at(8), at(9)),
        ("C", "M", at(8, 30), at(9, 30)),
        ("C", "O", at(10, 30), at(12)),
        ("E", "O", at(11), at(11, 45)),
        ("A", "O", at(14), at(15)),
    ]
    with engine.begin() as connection:
        upsert_venues(
            connection,
            pd.DataFrame(
                [
                    dict(venue_ref=ref, name=name, sector="public", kind=kind, address=address,
                         ward_code=ward, lat=lat, lon=lon, dwell_minutes=dwell,
                         registered_on=date(2021, 6, 1), active=True)
                    for ref, name, kind, address, ward, lat, lon, dwell in venues
                ]
            ),
        )  # fmt: skip
        venue_ids = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        ids = {}
        for name, phone, number, year in people:
            ids[name] = connection.execute(
                person.insert().values(
                    phone=phone, full_name=name, id_number=number, birth_year=year
                )
            ).inserted_primary_key[0]
        write_checkins(
            connection,
            checkin_frame(
                [
                    dict(person_id=ids[name], venue_id=venue_ids[ref], channel="self",
                         checked_in_at=time_in, checked_out_at=time_out)
                    for name, ref, time_in, time_out in visits
                ]
            ),
        )  # fmt: skip
        case_id = register_case(
            connection, ids["A"], "confirmed", date(2021, 8, 9), date(2021, 8, 11),
            datetime(2021, 8, 11, 17, tzinfo=SAIGON), created_by="epi",
            now=datetime(2021, 8, 11, 18, tzinfo=SAIGON),
        )  # fmt: skip
    return case_id, ids


def export(engine, case_id, depth=2):
    """The Bundle of the case's trace in its own window, as JSON text."""
    with engine.connect() as connection:
        case = case_for_export(connection, case_id)
        since, until = case_window(case, TraceRules(), datetime.now(UTC))
        result = trace(connection, case.person.person_id, since, until, depth=depth)
        return bundle_json(fhir_bundle(fhir_rows(connection, case_id, result), result))


def resources(bundle, kind):
    """The resources of this kind in the Bundle, in order."""
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == kind]


def test_the_bundle_of_a_case_parses_back_with_the_expected_resources(engine):
    case_id, ids = build(engine)
    text = export(engine, case_id)
    bundle = Bundle.model_validate_json(text)
    assert bundle.type == "collection"
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == [
        "Patient", "Condition", "Location", "Location", "Encounter", "Encounter",
        "Patient", "Patient", "List",
    ]  # fmt: skip
    # Every entry's full URL is urn:uuid: its resource's id.
    assert all(e.fullUrl == f"urn:uuid:{e.resource.id}" for e in bundle.entry)

    case_patient, c_patient, e_patient = resources(bundle, "Patient")
    assert case_patient.id == resource_id("Patient", ids["A"])
    assert case_patient.name[0].text == "A"
    assert [(t.system, t.value) for t in case_patient.telecom] == [("phone", "+84903000001")]
    assert [i.value for i in case_patient.identifier] == [str(ids["A"]), "079085001234"]
    assert case_patient.identifier[1].type.coding[0].code == "NI"
    assert case_patient.birthDate == "1985"
    # Contacts carry what the trace has: their name and phone (and KBYT's id), no more.
    assert (c_patient.name[0].text, c_patient.telecom[0].value) == ("C", "+84903000002")
    assert [i.value for i in e_patient.identifier] == [str(ids["E"])]
    assert e_patient.birthDate is None  # E's birth year is known, but the trace has none

    (condition,) = resources(bundle, "Condition")
    assert condition.subject.reference == f"urn:uuid:{case_patient.id}"
    assert condition.code.coding[0].code == "840539006"  # COVID-19, SNOMED CT
    assert condition.clinicalStatus.coding[0].code == "active"
    assert condition.verificationStatus.coding[0].code == "confirmed"
    assert str(condition.onsetDateTime) == "2021-08-09"
    assert json.loads(text)["entry"][1]["resource"]["recordedDate"] == "2021-08-11T11:00:00Z"

    market, office = resources(bundle, "Location")
    assert (market.name, market.identifier[0].value) == ("Chợ Tân Định", "M")
    assert (market.position.latitude, market.position.longitude) == (
        Decimal("10.7905"),
        Decimal("106.6905"),
    )
    assert market.address.line == ["48 Hai Bà Trưng"]
    assert (market.address.district, market.address.country) == ("Quận 1", "VN")
    assert market.address.extension[0].valueCoding.code == "26734"
    assert market.address.extension[0].valueCoding.display == "Phường Tân Định"
    assert office.address.extension[0].valueCoding.display == "Phường Bến Nghé"


def test_visits_are_encounters_with_their_period_in_utc(engine):
    case_id, _ = build(engine)
    document = json.loads(export(engine, case_id))
    encounters = [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Encounter"]  # fmt: skip
    locations = {
        e["resource"]["identifier"][0]["value"]: e["fullUrl"]
        for e in document["entry"]
        if e["resource"]["resourceType"] == "Location"
    }
    patient_url = document["entry"][0]["fullUrl"]
    assert [
        (e["period"], e["location"][0]["location"]["reference"], e["subject"]["reference"])
        for e in encounters
    ] == [
        ({"start": "2021-08-10T01:00:00Z", "end": "2021-08-10T02:00:00Z"}, locations["M"],
         patient_url),
        ({"start": "2021-08-10T07:00:00Z", "end": "2021-08-10T08:00:00Z"}, locations["O"],
         patient_url),
    ]  # fmt: skip
    assert {e["status"] for e in encounters} == {"finished"}


def test_the_list_of_contacts_carries_their_level_and_exposure(engine):
    case_id, ids = build(engine)
    bundle = Bundle.model_validate_json(export(engine, case_id))
    (contacts,) = resources(bundle, "List")
    assert contacts.subject.reference == f"urn:uuid:{resource_id('Patient', ids['A'])}"
    window = next(x.valuePeriod for x in contacts.extension if x.url == TRACE_WINDOW)
    # Since local midnight 14 days before onset, until isolation.
    assert (window.start, window.end) == (
        datetime(2021, 7, 25, 17, tzinfo=UTC),
        datetime(2021, 8, 11, 10, tzinfo=UTC),
    )

    def entry(e):
        (exposure,) = [x for x in e.extension if x.url == CONTACT_EXPOSURE]
        parts = {x.url: x for x in exposure.extension}
        return (
            e.item.reference,
            [(c.system, c.code) for c in e.flag.coding],
            parts["venue"].valueReference.reference,
            (parts["period"].valuePeriod.start, parts["period"].valuePeriod.end),
            parts["overlapMinutes"].valueInteger,
            parts["through"].valueReference.reference,
        )

    def url(kind, key):
        return f"urn:uuid:{resource_id(kind, key)}"

    assert [entry(e) for e in contacts.entry] == [
        (url("Patient", ids["C"]), [(CONTACT_LEVEL, "F1")], url("Location", "M"),
         (datetime(2021, 8, 10, 1, 30, tzinfo=UTC), datetime(2021, 8, 10, 2, 15, tzinfo=UTC)),
         45, url("Patient", ids["A"])),
        (url("Patient", ids["E"]), [(CONTACT_LEVEL, "F2")], url("Location", "O"),
         (datetime(2021, 8, 10, 4, tzinfo=UTC), datetime(2021, 8, 10, 4, 45, tzinfo=UTC)),
         45, url("Patient", ids["C"])),
    ]  # fmt: skip


def test_an_f1_export_has_no_f2_and_a_case_without_contacts_an_empty_list(engine):
    case_id, ids = build(engine)
    f1 = Bundle.model_validate_json(export(engine, case_id, depth=1))
    assert [e.flag.coding[0].code for e in resources(f1, "List")[0].entry] == ["F1"]
    assert len(resources(f1, "Patient")) == 2
    with engine.begin() as connection:  # Z checked in nowhere
        z = connection.execute(
            person.insert().values(phone="+84903000009", full_name="Z")
        ).inserted_primary_key[0]
        alone = register_case(connection, z, "suspected", date(2021, 8, 10), None, None,
                              created_by="epi")  # fmt: skip
    bundle = Bundle.model_validate_json(export(engine, alone))
    (contacts,) = resources(bundle, "List")
    assert contacts.entry is None and contacts.emptyReason.coding[0].code == "nilknown"
    (condition,) = resources(bundle, "Condition")
    assert condition.verificationStatus.coding[0].code == "provisional"
    assert [r.get_resource_type() for r in (e.resource for e in bundle.entry)] == [
        "Patient", "Condition", "List"
    ]  # fmt: skip


def test_two_exports_of_the_same_trace_are_the_same_bytes(engine):
    case_id, _ = build(engine)
    first, second = export(engine, case_id), export(engine, case_id)
    assert first == second
    assert json.loads(first)["id"] == json.loads(second)["id"]


def test_the_command_writes_the_bundle_and_records_the_export(database_url, tmp_path):
    with opened(database_url) as engine:
        case_id, _ = build(engine)
    out = tmp_path / "case.json"
    done = manage(
        "export-fhir", "--case", str(case_id), "--out", str(out), "--purpose", PURPOSE,
        database_url=database_url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Case {case_id}: 2 visits, 1 F1, 1 F2; FHIR Bundle written to {out}\n"
    bundle = Bundle.model_validate_json(out.read_text(encoding="utf-8"))
    assert len(bundle.entry) == 9
    operator = audit_rows(
        database_url, audit_log.c.action, audit_log.c.subject, audit_log.c.case_id,
        audit_log.c.purpose, audit_log.c.row_count, audit_log.c.detail,
    )  # fmt: skip
    assert operator == [
        ("export", f"FHIR bundle of case {case_id} with 2 contacts", case_id, PURPOSE, 2,
         "depth 2, 2021-07-25..2021-08-11"),
    ]  # fmt: skip
    user = audit_rows(database_url, audit_log.c.username)[0][0]
    assert user.startswith("manage.py (")
    # The case isolated, its window is fixed: a second export is the same file.
    again = tmp_path / "again.json"
    manage("export-fhir", "--case", str(case_id), "--out", str(again), database_url=database_url)
    assert again.read_bytes() == out.read_bytes()


def test_the_command_refuses_an_unknown_case_and_an_unwritable_file_and_records_nothing(
    database_url, tmp_path
):
    with opened(database_url) as engine:
        case_id, _ = build(engine)
    unknown = manage("export-fhir", "--case", "99", database_url=database_url)
    nowhere = manage(
        "export-fhir", "--case", str(case_id), "--out", str(tmp_path / "no" / "x.json"),
        database_url=database_url,
    )  # fmt: skip
    assert (unknown.returncode, unknown.stderr) == (
        2, "export-fhir: no case 99 (manage.py cases lists them)\n"
    )  # fmt: skip
    assert nowhere.returncode == 2
    assert nowhere.stderr.startswith(f"export-fhir: cannot write {tmp_path / 'no' / 'x.json'}")
    assert audit_rows(database_url, audit_log.c.action) == []


# --- the trace panel ------------------------------------------------------------------------


def download_buttons(app):
    return {b.label: b for b in app.get("download_button")}


@pytest.fixture
def trace_page(monkeypatch, database_url):
    point_app_at(monkeypatch, database_url)
    with opened(database_url) as engine:
        case_id, ids = build(engine)
    yield case_id, database_url, ids
    get_settings.cache_clear()


def test_the_trace_panel_offers_the_bundle_beside_the_contact_lists(trace_page):
    case_id, database_url, ids = trace_page
    app = open_page("trace", Scope("epi", "epidemiologist"), {"case": str(case_id), "depth": "2"})
    app.text_input(key="trace_purpose").input(PURPOSE).run()
    app.button(key="trace_run").click().run()
    assert not app.exception, app.exception
    buttons = download_buttons(app)
    assert list(buttons) == [
        "Tải danh sách tiếp xúc (CSV)", "Tải danh sách tiếp xúc (XLSX)", "Tải gói FHIR (JSON)"
    ]  # fmt: skip
    assert audit_rows(database_url, audit_log.c.action) == [("view",), ("trace",)]
    # A contact followed in turn: their contacts, not the case's; the Bundle is the case's.
    app.query_params["trail"] = str(ids["C"])
    app.run()
    assert not app.exception, app.exception
    assert list(download_buttons(app)) == [
        "Tải danh sách tiếp xúc (CSV)", "Tải danh sách tiếp xúc (XLSX)"
    ]  # fmt: skip


def test_the_panels_download_is_recorded_as_an_export_of_the_case_before_it_is_made(
    trace_page,
):
    """The button's data: run when the browser asks for the file (AppTest has no server to
    ask it, so it is called here as Streamlit calls it)."""
    from ui.trace_panel.views import fhir_download

    case_id, database_url, _ = trace_page
    with opened(database_url) as engine, engine.connect() as connection:
        case = case_for_export(connection, case_id)
        since, until = case_window(case, TraceRules(), datetime.now(UTC))
        result = trace(connection, case.person.person_id, since, until, depth=2)
    document = fhir_download(Scope("epi", "epidemiologist"), case_id, result, f" {PURPOSE} ")
    bundle = Bundle.model_validate_json(document)
    assert [e.flag.coding[0].code for e in resources(bundle, "List")[0].entry] == ["F1", "F2"]
    assert audit_rows(
        database_url, audit_log.c.username, audit_log.c.action, audit_log.c.subject,
        audit_log.c.case_id, audit_log.c.purpose, audit_log.c.row_count,
    ) == [("epi", "export", f"FHIR bundle of case {case_id} with 2 contacts", case_id, PURPOSE, 2)]  # fmt: skip


def _panel(case_id: int, role: str) -> None:
    """The contacts section of the case's trace, as the trace page draws it, for a user of
    this role (AppTest runs this function's body as a script)."""
    from datetime import UTC, datetime

    import numpy as np

    from queries.fhir_export import case_for_export
    from queries.trace import TraceRules, case_window, trace
    from rules.access import Scope
    from ui.runtime import engine
    from ui.trace_panel.views import Viewing, contacts_section

    with engine().connect() as connection:
        case = case_for_export(connection, case_id)
        assert case is not None
        since, until = case_window(case, TraceRules(), datetime.now(UTC))
        result = trace(connection, case.person.person_id, since, until, depth=2)
    who, name = case.person.person_id, case.person.full_name
    viewing = Viewing(
        case_id, who, who, name, 0, (), ((0, name),),
        np.array([who], dtype=np.int64), np.zeros(1, dtype=np.int64),
    )  # fmt: skip
    contacts_section(result, viewing, "Gửi danh sách cho CDC", Scope("someone", role))


@pytest.mark.parametrize(
    "role, fhir", [("epidemiologist", True), ("admin", True), ("leadership", False)]
)
def test_only_a_role_that_sees_personal_data_is_offered_the_bundle(trace_page, role, fhir):
    from streamlit.testing.v1 import AppTest

    case_id, _, _ = trace_page
    app = AppTest.from_function(_panel, kwargs={"case_id": case_id, "role": role}).run()
    assert not app.exception, app.exception
    assert ("Tải gói FHIR (JSON)" in download_buttons(app)) is fhir
    assert "Tải danh sách tiếp xúc (CSV)" in download_buttons(app)
