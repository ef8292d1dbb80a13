"""What the FHIR export of a case needs beyond its trace (reports/fhir_bundle.py builds the
Bundle from it): the case and its person with the ID number and birth year, the venues of its
visits and of its contacts' exposures with their ward and district, and each contact's first
exposure. Plain dataclasses; the builder reads no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from db.schema import case_record, district, person, venue, ward
from queries.trace import TraceResult
from queries.trace_contacts import Contacts, Exposure

# Venue refs per look-up: bounds the statement's parameters (an F2 can span many venues).
REF_BATCH = 500


@dataclass(frozen=True)
class PersonRow:
    """A person as the export gives them: id_number and birth_year None when not known."""

    person_id: int
    full_name: str
    phone: str
    id_number: str | None = None
    birth_year: int | None = None


@dataclass(frozen=True)
class CaseRow:
    """A recorded case and its person (created_at and isolated_at aware UTC)."""

    case_id: int
    status: str
    onset_date: date | None
    test_date: date | None
    isolated_at: datetime | None
    created_at: datetime
    person: PersonRow


@dataclass(frozen=True)
class VenueRow:
    venue_ref: str
    name: str
    kind: str
    address: str
    ward_code: str
    ward_name: str
    district_code: str
    district_name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class FhirRows:
    """Everything the Bundle is made of besides the trace: the case, the venues by ref (each
    venue the case visited and each where a contact was first exposed), and the contacts'
    first exposures in the order of the trace's contacts."""

    case: CaseRow
    venues: dict[str, VenueRow]
    exposures: tuple[Exposure, ...]


def case_for_export(connection: Connection, case_id: int) -> CaseRow | None:
    """The case with this id and its person, or None."""
    row = connection.execute(
        select(
            case_record.c.id,
            case_record.c.status,
            case_record.c.onset_date,
            case_record.c.test_date,
            case_record.c.isolated_at,
            case_record.c.created_at,
            person.c.id,
            person.c.full_name,
            person.c.phone,
            person.c.id_number,
            person.c.birth_year,
        )
        .join(person, person.c.id == case_record.c.person_id)
        .where(case_record.c.id == case_id)
    ).one_or_none()
    if row is None:
        return None
    case, status, onset, tested, isolated, created, person_id, name, phone, number, year = row
    return CaseRow(
        int(case),
        status,
        onset,
        tested,
        isolated,
        created,
        PersonRow(int(person_id), name, phone, number or None, year),
    )


def venues_by_ref(connection: Connection, refs: Iterable[str]) -> dict[str, VenueRow]:
    """The venues with these refs, with their ward and district names, by ref."""
    wanted = sorted(set(refs))
    statement = (
        select(
            venue.c.venue_ref,
            venue.c.name,
            venue.c.kind,
            venue.c.address,
            ward.c.code.label("ward_code"),
            ward.c.name.label("ward_name"),
            district.c.code.label("district_code"),
            district.c.name.label("district_name"),
            venue.c.lat,
            venue.c.lon,
        )
        .join(ward, ward.c.code == venue.c.ward_code)
        .join(district, district.c.code == ward.c.district_code)
    )
    found: dict[str, VenueRow] = {}
    for start in range(0, len(wanted), REF_BATCH):
        batch = wanted[start : start + REF_BATCH]
        for row in connection.execute(statement.where(venue.c.venue_ref.in_(batch))).mappings():
            found[row["venue_ref"]] = VenueRow(**row)
    return found


def _exposures(contacts: Sequence[object]) -> tuple[Exposure, ...]:
    if isinstance(contacts, Contacts):
        return tuple(contacts.exposures())
    if len(contacts):
        raise TypeError(f"an export reads its contacts' exposures lazily, not {type(contacts)}")
    return ()


def fhir_rows(connection: Connection, case_id: int, result: TraceResult) -> FhirRows:
    """What the Bundle of this case's trace needs; LookupError when the case is not there or
    the trace is of someone else."""
    case = case_for_export(connection, case_id)
    if case is None:
        raise LookupError(f"no case with id {case_id}")
    if case.person.person_id != result.person_id:
        raise LookupError(f"the trace is of person {result.person_id}, not of case {case_id}")
    exposures = _exposures(result.contacts)
    refs = {v.venue_ref for v in result.visits} | {e.venue_ref for e in exposures}
    return FhirRows(case, venues_by_ref(connection, refs), exposures)
