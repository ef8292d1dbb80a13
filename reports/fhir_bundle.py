"""A case and its traced contacts as an HL7 FHIR Bundle (docs/fhir.md says the profile).

FHIR R4 as fhir.resources models it: its R4B package (4.3.0), the R4 version it ships (the
package's default is R5). Every resource used here (Bundle, Patient, Condition, Location,
Encounter, List) is the same in R4 and R4B.

A "collection" Bundle: a set of resources handed over together. A "document" would need a
Composition first, attested by an author, for a clinical document; an export is not one.
The case is a Condition (COVID-19, suspected or confirmed, with its onset and the day it was
recorded), not an Observation: KBYT records a diagnosis with dates, not a test result.

Pure: it takes the trace and the rows queries/fhir_export.py read, and reads nothing itself.
Every id is a UUID 5 of what the resource stands for (a person, a venue, a check-in, the case
and its trace's window, depth and rules), so that two exports of the same trace are the same
bytes, and one person has the same id in every export. Nothing in the Bundle says when it was
made, for the same reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from fhir.resources.R4B.bundle import Bundle

from queries.fhir_export import FhirRows, PersonRow, VenueRow
from queries.trace import TraceResult, Visit
from queries.trace_contacts import Contact, Exposure

# Local code systems, extensions and identifier systems: KBYT's own, under this base. They
# are names, not pages to fetch; docs/fhir.md defines each.
BASE = "https://kbyt.hochiminhcity.gov.vn/fhir"
CONTACT_LEVEL = f"{BASE}/CodeSystem/contact-level"
ENCOUNTER_CLASS = f"{BASE}/CodeSystem/encounter-class"
WARD_CODES = f"{BASE}/CodeSystem/ward"
CONTACT_EXPOSURE = f"{BASE}/StructureDefinition/contact-exposure"
TRACE_WINDOW = f"{BASE}/StructureDefinition/trace-window"
TEST_DATE = f"{BASE}/StructureDefinition/test-date"
ISOLATED_AT = f"{BASE}/StructureDefinition/isolated-at"
WARD = f"{BASE}/StructureDefinition/ward"
PERSON_ID = f"{BASE}/NamingSystem/person-id"
ID_NUMBER = f"{BASE}/NamingSystem/id-number"
VENUE_REF = f"{BASE}/NamingSystem/venue-ref"
CHECKIN_ID = f"{BASE}/NamingSystem/checkin-id"
CASE_ID = f"{BASE}/NamingSystem/case-id"

# International ones.
SNOMED = "http://snomed.info/sct"
COVID_19 = ("840539006", "Disease caused by severe acute respiratory syndrome coronavirus 2")
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
LIST_EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"

CITY = "Thành phố Hồ Chí Minh"
LEVELS = {1: "Close contact (F1)", 2: "Contact of a close contact (F2)"}
# KBYT's case status -> (clinical status, verification status or None). A cleared case is
# over; whether it was ruled out or recovered, the status does not say.
CASE_STATUS = {
    "suspected": ("active", "provisional"),
    "confirmed": ("active", "confirmed"),
    "cleared": ("resolved", None),
}
_NAMESPACE = uuid5(NAMESPACE_URL, BASE)


def resource_id(kind: str, *key: object) -> str:
    """The id of a resource: a UUID 5 of its kind and key, the same in every export."""
    return str(uuid5(_NAMESPACE, "/".join([kind, *map(str, key)])))


def _url(resource_id_: str) -> str:
    return f"urn:uuid:{resource_id_}"


def _ref(resource_id_: str, display: str | None = None) -> dict[str, str]:
    reference = {"reference": _url(resource_id_)}
    if display:
        reference["display"] = display
    return reference


def _instant(moment: datetime) -> str:
    """An instant in UTC: '2021-08-10T01:00:00Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(start: datetime, end: datetime) -> dict[str, str]:
    return {"start": _instant(start), "end": _instant(end)}


def _patient(who: PersonRow) -> dict[str, Any]:
    identifiers: list[dict[str, Any]] = [{"system": PERSON_ID, "value": str(who.person_id)}]
    if who.id_number:
        identifiers.append(
            {
                "type": {"coding": [{"system": IDENTIFIER_TYPE, "code": "NI"}]},
                "system": ID_NUMBER,
                "value": who.id_number,
            }
        )
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": resource_id("Patient", who.person_id),
        "identifier": identifiers,
        "name": [{"text": who.full_name}],
        "telecom": [{"system": "phone", "value": who.phone, "use": "mobile"}],
    }
    if who.birth_year is not None:
        patient["birthDate"] = f"{who.birth_year:04d}"
    return patient


def _condition(rows: FhirRows) -> dict[str, Any]:
    case = rows.case
    clinical, verification = CASE_STATUS[case.status]
    extensions: list[dict[str, Any]] = []
    if case.test_date is not None:
        extensions.append({"url": TEST_DATE, "valueDate": case.test_date.isoformat()})
    if case.isolated_at is not None:
        extensions.append({"url": ISOLATED_AT, "valueDateTime": _instant(case.isolated_at)})
    condition: dict[str, Any] = {
        "resourceType": "Condition",
        "id": resource_id("Condition", case.case_id),
        "identifier": [{"system": CASE_ID, "value": str(case.case_id)}],
        "clinicalStatus": {"coding": [{"system": CLINICAL_STATUS, "code": clinical}]},
        "code": {
            "coding": [{"system": SNOMED, "code": COVID_19[0], "display": COVID_19[1]}],
            "text": "COVID-19",
        },
        "subject": _ref(resource_id("Patient", case.person.person_id), case.person.full_name),
        "recordedDate": _instant(case.created_at),
    }
    if extensions:
        condition["extension"] = extensions
    if verification is not None:
        condition["verificationStatus"] = {
            "coding": [{"system": VERIFICATION_STATUS, "code": verification}]
        }
    if case.onset_date is not None:
        condition["onsetDateTime"] = case.onset_date.isoformat()
    return condition


def _location(place: VenueRow) -> dict[str, Any]:
    address: dict[str, Any] = {
        "extension": [
            {
                "url": WARD,
                "valueCoding": {
                    "system": WARD_CODES,
                    "code": place.ward_code,
                    "display": place.ward_name,
                },
            }
        ],
        "district": place.district_name,
        "city": CITY,
        "country": "VN",
    }
    if place.address.strip():
        address["line"] = [place.address.strip()]
    return {
        "resourceType": "Location",
        "id": resource_id("Location", place.venue_ref),
        "identifier": [{"system": VENUE_REF, "value": place.venue_ref}],
        "name": place.name,
        "mode": "instance",
        "type": [{"text": place.kind}],
        "address": address,
        "position": {"longitude": place.lon, "latitude": place.lat},
    }


def _encounter(visit: Visit, patient_id: str) -> dict[str, Any]:
    period = _period(visit.start, visit.end)
    return {
        "resourceType": "Encounter",
        "id": resource_id("Encounter", visit.checkin_id),
        "identifier": [{"system": CHECKIN_ID, "value": str(visit.checkin_id)}],
        "status": "finished",
        "class": {
            "system": ENCOUNTER_CLASS,
            "code": "venue-checkin",
            "display": "Check-in at a venue",
        },
        "subject": _ref(patient_id),
        "period": period,
        "location": [
            {
                "location": _ref(resource_id("Location", visit.venue_ref), visit.venue_name),
                "period": period,
            }
        ],
    }


def _entry(contact: Contact, exposure: Exposure) -> dict[str, Any]:
    """A contact in the List: its level as the entry's flag, where and when it was first
    exposed (and through whom) as the contact-exposure extension."""
    through = contact.via[-1]
    return {
        "extension": [
            {
                "url": CONTACT_EXPOSURE,
                "extension": [
                    {
                        "url": "venue",
                        "valueReference": _ref(
                            resource_id("Location", exposure.venue_ref), exposure.venue_name
                        ),
                    },
                    {"url": "period", "valuePeriod": _period(exposure.start, exposure.end)},
                    {"url": "overlapMinutes", "valueInteger": contact.overlap_minutes},
                    {
                        "url": "through",
                        "valueReference": _ref(
                            resource_id("Patient", through.through_person_id),
                            through.through_name,
                        ),
                    },
                ],
            }
        ],
        "flag": {
            "coding": [
                {
                    "system": CONTACT_LEVEL,
                    "code": f"F{contact.level}",
                    "display": LEVELS[contact.level],
                }
            ]
        },
        "item": _ref(resource_id("Patient", contact.person_id), contact.full_name),
    }


def _trace_key(rows: FhirRows, result: TraceResult) -> tuple[object, ...]:
    rules = result.rules
    return (
        rows.case.case_id,
        _instant(result.since),
        _instant(result.until),
        result.depth,
        rules.buffer_minutes,
        rules.min_overlap_minutes,
        rules.lookback_days,
        rules.max_presence_hours,
    )


def fhir_bundle(rows: FhirRows, result: TraceResult) -> Bundle:
    """The Bundle of the case's trace: the case's Patient and Condition, a Location per venue
    (visited by the case, or where a contact was first exposed), an Encounter per visit, a
    Patient per contact and the List of contacts. Validated by fhir.resources' models."""
    case = rows.case
    patient_id = resource_id("Patient", case.person.person_id)
    pairs = [
        (contact, exposure)
        for contact, exposure in zip(result.contacts, rows.exposures, strict=True)
        if contact.person_id != case.person.person_id
    ]
    refs = {v.venue_ref for v in result.visits} | {e.venue_ref for _, e in pairs}
    missing = refs - set(rows.venues)
    if missing:
        raise LookupError(f"venues missing from the export's rows: {', '.join(sorted(missing))}")
    contacts_list: dict[str, Any] = {
        "resourceType": "List",
        "id": resource_id("List", *_trace_key(rows, result)),
        "extension": [{"url": TRACE_WINDOW, "valuePeriod": _period(result.since, result.until)}],
        "status": "current",
        "mode": "snapshot",
        "title": f"Traced contacts of case {case.case_id} (F1"
        + (", F2)" if result.depth == 2 else ")"),
        "subject": _ref(patient_id, case.person.full_name),
        "date": _instant(result.until),
    }
    if pairs:
        contacts_list["entry"] = [_entry(contact, exposure) for contact, exposure in pairs]
    else:
        contacts_list["emptyReason"] = {
            "coding": [{"system": LIST_EMPTY_REASON, "code": "nilknown"}]
        }
    resources = [
        _patient(case.person),
        _condition(rows),
        *(_location(rows.venues[ref]) for ref in sorted(refs)),
        *(_encounter(visit, patient_id) for visit in result.visits),
        *(
            _patient(PersonRow(contact.person_id, contact.full_name, contact.phone))
            for contact, _ in pairs
        ),
        contacts_list,
    ]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": resource_id("Bundle", *_trace_key(rows, result)),
            "type": "collection",
            "entry": [{"fullUrl": _url(r["id"]), "resource": r} for r in resources],
        }
    )


def bundle_json(bundle: Bundle) -> str:
    """The Bundle as FHIR JSON (UTF-8 text, indented)."""
    return bundle.model_dump_json(indent=2, exclude_none=True)
