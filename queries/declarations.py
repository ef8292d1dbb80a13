"""Declarations from the QR page and the checkpoint kiosk, through the one write path.

A declaration resolves its people by (phone, name), scores each person's risk (an open case or
a traced contact is high risk anywhere and raises an alert), writes one check-in per person with
the hourly rollups, and returns what the confirmation screen shows. Each submission carries a
key (source 'kbyt', external_id) so that a double tap on "send" stores it once.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Select, and_, exists, select, update

from db.schema import (
    advance_declaration,
    alert,
    case_record,
    checkin,
    person,
    traced_contact,
    venue,
)
from ingest.forms import Declarant
from queries.writes import resolve_people, write_checkins
from rules.checkout_code import sign, verify
from rules.risk import RiskAssessment, assess_risk, join_codes

SOURCE = "kbyt"
ADVANCE_TTL = timedelta(hours=24)
CHECKOUT_TTL = timedelta(hours=24)
# Short codes people read aloud: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class DeclarationVenue:
    id: int
    venue_ref: str
    name: str
    address: str
    kind: str
    active: bool
    procedure: str


@dataclass(frozen=True)
class Confirmation:
    checkin_id: int
    person_id: int
    full_name: str
    checked_in_at: datetime
    risk: RiskAssessment
    checkout_code: str


def _venue_for_declaration() -> Select:
    return select(
        venue.c.id,
        venue.c.venue_ref,
        venue.c.name,
        venue.c.address,
        venue.c.kind,
        venue.c.active,
        venue.c.procedure,
    )


def venue_for_token(connection: Connection, token: str) -> DeclarationVenue | None:
    """The venue behind a QR token; None for an unknown token (inactive ones are returned so
    the page can say so)."""
    if not token or len(token) > 64:
        return None
    row = connection.execute(_venue_for_declaration().where(venue.c.token == token)).one_or_none()
    return DeclarationVenue(*row) if row else None


def venue_by_id(connection: Connection, venue_id: int) -> DeclarationVenue | None:
    row = connection.execute(_venue_for_declaration().where(venue.c.id == venue_id)).one_or_none()
    return DeclarationVenue(*row) if row else None


def _people(connection: Connection, declarants: Sequence[Declarant]) -> list[int]:
    frame = pd.DataFrame(
        {
            "phone": [d.phone for d in declarants],
            "full_name": [d.full_name for d in declarants],
            "id_number": [d.id_number for d in declarants],
            "birth_year": [d.birth_year for d in declarants],
            "home_ward_code": [d.home_ward_code for d in declarants],
        }
    )
    ids = [int(i) for i in resolve_people(connection, frame)]
    # A returning person may add what they left out last time.
    for person_id, declarant in zip(ids, declarants, strict=True):
        details = {
            "id_number": declarant.id_number,
            "birth_year": declarant.birth_year,
            "home_ward_code": declarant.home_ward_code,
        }
        details = {k: v for k, v in details.items() if v is not None}
        if details:
            connection.execute(update(person).where(person.c.id == person_id).values(**details))
    return ids


def standing(connection: Connection, person_ids: Sequence[int]) -> dict[int, tuple[bool, bool]]:
    """(open case, traced contact) for each person."""
    result: dict[int, tuple[bool, bool]] = {}
    for person_id in person_ids:
        open_case = connection.scalar(
            select(
                exists().where(
                    case_record.c.person_id == person_id, case_record.c.status != "cleared"
                )
            )
        )
        contact = connection.scalar(select(exists().where(traced_contact.c.person_id == person_id)))
        result[person_id] = (bool(open_case), bool(contact))
    return result


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
) -> list[Confirmation]:
    """Write one check-in per declarant at the venue; the same submission key twice writes
    nothing more and returns the first confirmations."""
    everyone = [*declarants, *([declared_by] if declared_by else [])]
    ids = _people(connection, everyone)
    person_ids, declarer_id = ids[: len(declarants)], (ids[-1] if declared_by else None)
    states = standing(connection, person_ids)
    assessed = [
        assess_risk(
            d.symptoms,
            d.exposures,
            high_risk_symptoms=high_risk_symptoms,
            open_case=states[pid][0],
            traced_contact=states[pid][1],
        )
        for d, pid in zip(declarants, person_ids, strict=True)
    ]
    keys = [f"{submission}:{n}" for n in range(len(declarants))]
    frame = pd.DataFrame(
        {
            "person_id": person_ids,
            "venue_id": venue_id,
            "checked_in_at": int(at.timestamp()),
            "checked_out_at": pd.Series([None] * len(declarants), dtype="Int64"),
            "channel": channel,
            "declared_by_person_id": pd.Series([declarer_id] * len(declarants), dtype="Int64"),
            "symptoms": [join_codes(d.symptoms) for d in declarants],
            "exposures": [join_codes(d.exposures) for d in declarants],
            "risk_level": [a.level for a in assessed],
            "risk_reasons": [join_codes(a.reasons) for a in assessed],
            "source": SOURCE,
            "external_id": keys,
        }
    )
    skipped = set(write_checkins(connection, frame).tolist())
    stored = dict(
        connection.execute(
            select(checkin.c.external_id, checkin.c.id).where(
                checkin.c.source == SOURCE, checkin.c.external_id.in_(keys)
            )
        ).all()
    )
    confirmations = []
    for n, (declarant, person_id, risk) in enumerate(
        zip(declarants, person_ids, assessed, strict=True)
    ):
        checkin_id = int(stored[keys[n]])
        if n not in skipped and risk.alert:
            for reason in ("open_case", "traced_contact"):
                if reason in risk.reasons:
                    connection.execute(
                        alert.insert().values(
                            checkin_id=checkin_id,
                            person_id=person_id,
                            venue_id=venue_id,
                            raised_at=at,
                            reason=reason,
                        )
                    )
        confirmations.append(
            Confirmation(
                checkin_id=checkin_id,
                person_id=person_id,
                full_name=declarant.full_name,
                checked_in_at=at,
                risk=risk,
                checkout_code=sign(checkin_id, key),
            )
        )
    return confirmations


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
) -> str:
    """Store a declaration made before arriving; the code is shown to staff at the door."""
    ids = _people(connection, [declarant, *([declared_by] if declared_by else [])])
    code = _new_code()
    connection.execute(
        advance_declaration.insert().values(
            code=code,
            venue_id=venue_id,
            person_id=ids[0],
            declared_by_person_id=ids[1] if declared_by else None,
            symptoms=join_codes(declarant.symptoms),
            exposures=join_codes(declarant.exposures),
            created_at=now,
            expires_at=now + ADVANCE_TTL,
        )
    )
    return code


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
        id_number=None,
        birth_year=None,
        home_ward_code=None,
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
