"""Declarations from the public form, the checkpoint kiosk and advance codes, through the row
write path (queries.checkin_rows): plain statements, the rollups in the same transaction.

A declaration resolves its people by (phone, name) without changing a known person's stored
identity (what was declared is kept with the check-in), scores each person's risk (an open case
or a traced contact is high risk anywhere and raises an alert for the authorities), writes one
check-in per person and returns what the confirmation shows. Each submission carries a key
(source 'kbyt', external_id) so that a double tap or a resend stores it once.

A confirmation holds two assessments: ``risk``, as stored and shown to staff and the
authorities, and ``answers_risk``, from the answers alone: the public form shows only the
latter, so that typing someone's name and phone reveals nothing the database knew.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, and_, bindparam, exists, select, update

from db.dialect import insert_for
from db.schema import (
    advance_declaration,
    alert,
    case_record,
    checkin,
    checkin_key,
    person,
    traced_contact,
    venue,
)
from queries.checkin_rows import CheckinRow, claim_keys, person_id, write_checkin_rows
from rules.checkout_code import sign, verify
from rules.declarant import Declarant
from rules.risk import RiskAssessment, assess_risk, join_codes, parse_codes

SOURCE = "kbyt"
ADVANCE_TTL = timedelta(hours=24)
CHECKOUT_TTL = timedelta(hours=24)
# Short codes people read aloud: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ALERT_REASONS = ("open_case", "traced_contact")


@dataclass(frozen=True)
class DeclarationVenue:
    id: int
    venue_ref: str
    name: str
    address: str
    kind: str
    active: bool
    procedure: str
    ward_code: str


@dataclass(frozen=True)
class Confirmation:
    checkin_id: int
    person_id: int
    full_name: str
    checked_in_at: datetime
    risk: RiskAssessment  # as stored: what staff and the authorities see
    answers_risk: RiskAssessment  # from the answers alone: what the public form shows
    checkout_code: str


_VENUE_COLUMNS = select(
    venue.c.id,
    venue.c.venue_ref,
    venue.c.name,
    venue.c.address,
    venue.c.kind,
    venue.c.active,
    venue.c.procedure,
    venue.c.ward_code,
)
# Built once: a declaration runs them every time, and building statements costs more CPU than
# running them.
_VENUE_BY_TOKEN = _VENUE_COLUMNS.where(venue.c.token == bindparam("token"))
_VENUE_BY_ID = _VENUE_COLUMNS.where(venue.c.id == bindparam("venue_id"))
_STANDING = select(
    exists().where(
        case_record.c.person_id == bindparam("person_id"), case_record.c.status != "cleared"
    ),
    exists().where(traced_contact.c.person_id == bindparam("person_id")),
)


def venue_for_token(connection: Connection, token: str) -> DeclarationVenue | None:
    """The venue behind a QR token; None for an unknown token (inactive ones are returned so
    the page can say so)."""
    if not token or len(token) > 64:
        return None
    row = connection.execute(_VENUE_BY_TOKEN, {"token": token}).one_or_none()
    return DeclarationVenue(*row) if row else None


def venue_by_id(connection: Connection, venue_id: int) -> DeclarationVenue | None:
    row = connection.execute(_VENUE_BY_ID, {"venue_id": venue_id}).one_or_none()
    return DeclarationVenue(*row) if row else None


def _person(connection: Connection, declarant: Declarant) -> int:
    return person_id(
        connection,
        declarant.phone,
        declarant.full_name,
        declarant.id_number,
        declarant.birth_year,
        declarant.home_ward_code,
    )


def standing(connection: Connection, person_ids: Sequence[int]) -> dict[int, tuple[bool, bool]]:
    """(open case, traced contact) for each person."""
    result: dict[int, tuple[bool, bool]] = {}
    for pid in dict.fromkeys(person_ids):
        row = connection.execute(_STANDING, {"person_id": pid}).one()
        result[pid] = (bool(row[0]), bool(row[1]))
    return result


def _stored_risk(level: int, reasons: str) -> RiskAssessment:
    codes = tuple(parse_codes(reasons))
    return RiskAssessment(level, codes, alert=any(r in ALERT_REASONS for r in codes))


def _answers_risk(
    symptoms: Sequence[str], exposures: Sequence[str], high_risk_symptoms: Sequence[str]
) -> RiskAssessment:
    return assess_risk(symptoms, exposures, high_risk_symptoms=high_risk_symptoms)


def declare(
    connection: Connection,
    venue_id: int,
    declarants: Sequence[Declarant],
    channel: str,
    at: datetime,
    submission: str,
    key: bytes,
    declared_by: Declarant | None = None,
    high_risk_symptoms: Sequence[str] = ("shortness_of_breath",),
    *,
    place: DeclarationVenue | None = None,
) -> list[Confirmation]:
    """Write one check-in per declarant at the venue; the same submission key again writes
    nothing more and returns the stored confirmations. `place` saves the venue's look-up when
    the caller has it already."""
    if place is None or place.id != venue_id:
        place = venue_by_id(connection, venue_id)
    if place is None:
        raise ValueError(f"unknown venue id {venue_id}")
    epoch = int(at.timestamp())
    keys = [f"{submission}:{n}" for n in range(len(declarants))]
    claimed = claim_keys(connection, SOURCE, keys, epoch)
    declarer_id = _person(connection, declared_by) if declared_by is not None else None
    new = [(k, d) for k, d in zip(keys, declarants, strict=True) if k in claimed]
    people = [_person(connection, d) for _, d in new]
    states = standing(connection, people)
    rows: list[CheckinRow] = []
    for (external_id, declarant), pid in zip(new, people, strict=True):
        risk = assess_risk(
            declarant.symptoms,
            declarant.exposures,
            high_risk_symptoms=high_risk_symptoms,
            open_case=states[pid][0],
            traced_contact=states[pid][1],
        )
        rows.append(
            CheckinRow(
                person_id=pid,
                external_id=external_id,
                symptoms=join_codes(declarant.symptoms),
                exposures=join_codes(declarant.exposures),
                risk_level=risk.level,
                risk_reasons=join_codes(risk.reasons),
                declared_by_person_id=declarer_id,
                id_number=declarant.id_number,
                birth_year=declarant.birth_year,
                home_ward_code=declarant.home_ward_code,
            )
        )
    ids = write_checkin_rows(connection, venue_id, place.ward_code, epoch, channel, SOURCE, rows)
    _raise_alerts(connection, venue_id, at, ids, rows)
    if len(rows) < len(keys):  # sent before, in whole or in part: read what was stored
        return _confirmations(connection, keys, key, high_risk_symptoms)
    stored_at = datetime.fromtimestamp(epoch, UTC)
    return [
        Confirmation(
            checkin_id=checkin_id,
            person_id=row.person_id,
            full_name=declarant.full_name,
            checked_in_at=stored_at,
            risk=_stored_risk(row.risk_level, row.risk_reasons),
            answers_risk=_answers_risk(declarant.symptoms, declarant.exposures, high_risk_symptoms),
            checkout_code=sign(checkin_id, key),
        )
        for checkin_id, row, (_, declarant) in zip(ids, rows, new, strict=True)
    ]


def _raise_alerts(
    connection: Connection,
    venue_id: int,
    at: datetime,
    ids: Sequence[int],
    rows: Sequence[CheckinRow],
) -> None:
    """An open case or a traced contact checking in: an alert for staff and the authorities."""
    for checkin_id, row in zip(ids, rows, strict=True):
        for reason in parse_codes(row.risk_reasons):
            if reason in ALERT_REASONS:
                connection.execute(
                    alert.insert().values(
                        checkin_id=checkin_id,
                        person_id=row.person_id,
                        venue_id=venue_id,
                        raised_at=at,
                        reason=reason,
                    )
                )


def _confirmations(
    connection: Connection, keys: Sequence[str], key: bytes, high_risk_symptoms: Sequence[str]
) -> list[Confirmation]:
    """The stored check-ins of a submission, in its order (each key's time from checkin_key,
    so that PostgreSQL reads one partition)."""
    found = connection.execute(
        select(
            checkin.c.external_id,
            checkin.c.id,
            checkin.c.person_id,
            person.c.full_name,
            checkin.c.checked_in_at,
            checkin.c.symptoms,
            checkin.c.exposures,
            checkin.c.risk_level,
            checkin.c.risk_reasons,
        )
        .join(
            checkin_key,
            and_(
                checkin_key.c.source == checkin.c.source,
                checkin_key.c.external_id == checkin.c.external_id,
                checkin_key.c.checked_in_at == checkin.c.checked_in_at,
            ),
        )
        .join(person, person.c.id == checkin.c.person_id)
        .where(checkin_key.c.source == SOURCE, checkin_key.c.external_id.in_(keys))
    ).all()
    by_key = {row.external_id: row for row in found}
    return [
        Confirmation(
            checkin_id=row.id,
            person_id=row.person_id,
            full_name=row.full_name,
            checked_in_at=row.checked_in_at,
            risk=_stored_risk(row.risk_level, row.risk_reasons),
            answers_risk=_answers_risk(
                parse_codes(row.symptoms), parse_codes(row.exposures), high_risk_symptoms
            ),
            checkout_code=sign(row.id, key),
        )
        for row in (by_key[k] for k in keys if k in by_key)
    ]


# --- check-out from the same device --------------------------------------------------------


def check_out(connection: Connection, code: str, key: bytes, at: datetime) -> bool:
    """Record the time out for the check-in behind a check-out code; False when the code is
    forged, the check-in is older than a day, or it is already checked out."""
    checkin_id = verify(code, key)
    if checkin_id is None:
        return False
    row = connection.execute(
        select(checkin.c.checked_in_at, checkin.c.checked_out_at).where(checkin.c.id == checkin_id)
    ).one_or_none()
    if row is None or row.checked_out_at is not None:
        return False
    if at < row.checked_in_at or at - row.checked_in_at > CHECKOUT_TTL:
        return False
    connection.execute(update(checkin).where(checkin.c.id == checkin_id).values(checked_out_at=at))
    return True


# --- declaring in advance ------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def declare_in_advance(
    connection: Connection,
    venue_id: int,
    declarant: Declarant,
    now: datetime,
    declared_by: Declarant | None = None,
    submission: str | None = None,
) -> str:
    """Store a declaration made before arriving; the code is shown to staff at the door. The
    same submission key again returns the first code."""
    if submission is not None:
        earlier: str | None = connection.scalar(
            select(advance_declaration.c.code).where(advance_declaration.c.submission == submission)
        )
        if earlier is not None:
            return earlier
    values = {
        "venue_id": venue_id,
        "person_id": _person(connection, declarant),
        "declared_by_person_id": _person(connection, declared_by) if declared_by else None,
        "symptoms": join_codes(declarant.symptoms),
        "exposures": join_codes(declarant.exposures),
        "created_at": now,
        "expires_at": now + ADVANCE_TTL,
        "submission": submission,
        "id_number": declarant.id_number,
        "birth_year": declarant.birth_year,
        "home_ward_code": declarant.home_ward_code,
    }
    statement = insert_for(connection, advance_declaration).values(code=_new_code(), **values)
    if submission is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["submission"])
    code = connection.scalar(statement.returning(advance_declaration.c.code))
    if code is None:  # the same submission, stored by a concurrent request since our look-up
        code = connection.scalar(
            select(advance_declaration.c.code).where(advance_declaration.c.submission == submission)
        )
    return str(code)


class AdvanceError(ValueError):
    """The code cannot be confirmed here; the message key says why (i18n)."""


def confirm_advance(
    connection: Connection,
    code: str,
    venue_ids: frozenset[int] | None,
    staff: str,
    at: datetime,
    key: bytes,
    high_risk_symptoms: Sequence[str] = ("shortness_of_breath",),
) -> Confirmation:
    """Turn an advance declaration into the check-in, with the real arrival time."""
    clean = "".join(code.upper().split()).replace("-", "")
    row = connection.execute(
        select(advance_declaration, person.c.full_name, person.c.phone)
        .join(person, person.c.id == advance_declaration.c.person_id)
        .where(advance_declaration.c.code == clean)
    ).one_or_none()
    if row is None:
        raise AdvanceError("advance.error.unknown")
    if venue_ids is not None and row.venue_id not in venue_ids:
        raise AdvanceError("advance.error.other_venue")
    if row.checkin_id is not None:
        raise AdvanceError("advance.error.used")
    if row.expires_at < at:
        raise AdvanceError("advance.error.expired")
    declarant = Declarant(
        full_name=row.full_name,
        phone=row.phone,
        id_number=row.id_number,
        birth_year=row.birth_year,
        home_ward_code=row.home_ward_code,
        symptoms=tuple(s for s in row.symptoms.split(";") if s),
        exposures=tuple(e for e in row.exposures.split(";") if e),
    )
    declarer = None
    if row.declared_by_person_id is not None:
        by = connection.execute(
            select(person.c.full_name, person.c.phone).where(
                person.c.id == row.declared_by_person_id
            )
        ).one()
        declarer = Declarant(by.full_name, by.phone, None, None, None, (), ())
    confirmation = declare(
        connection, row.venue_id, [declarant], "advance", at, f"advance-{clean}", key,
        declarer, high_risk_symptoms,
    )[0]  # fmt: skip
    connection.execute(
        update(advance_declaration)
        .where(
            and_(advance_declaration.c.code == clean, advance_declaration.c.checkin_id.is_(None))
        )
        .values(checkin_id=confirmation.checkin_id, confirmed_at=at, confirmed_by=staff)
    )
    return confirmation
