"""At-risk declarations and alerts, and the follow-up recorded on each person.

The list reads the partial index of risky check-ins by time (risk_level > 0), never all
check-ins; the latest follow-up per person comes from the follow_up table.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Subquery, and_, func, select

from db.people_lock import writing_references_to_people
from db.schema import alert, checkin, follow_up, person, venue, ward
from queries.area import area_clause, venue_clause
from rules.access import Scope, mask_name, mask_phone
from rules.follow_up import check_transition

COLUMNS = [
    "checkin_id",
    "person_id",
    "checked_in_at",
    "full_name",
    "phone",
    "venue_name",
    "ward_name",
    "risk_level",
    "risk_reasons",
    "status",
    "assignee",
]


def _latest_follow_up() -> Subquery:
    latest = (
        select(follow_up.c.person_id, func.max(follow_up.c.id).label("id"))
        .group_by(follow_up.c.person_id)
        .subquery()
    )
    return (
        select(follow_up.c.person_id, follow_up.c.status, follow_up.c.assignee)
        .join(latest, latest.c.id == follow_up.c.id)
        .subquery()
    )


def risk_list(
    connection: Connection,
    start: datetime,
    end: datetime,
    wards: frozenset[str] | None,
    scope: Scope | None,
    level: int | None = None,
    status: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """At-risk check-ins in [start, end) of the area, newest first, with each person's latest
    follow-up status ('new' when none yet); and the total count. Masked without the right."""
    latest = _latest_follow_up()
    current = func.coalesce(latest.c.status, "new")
    conditions = [
        checkin.c.checked_in_at >= start,
        checkin.c.checked_in_at < end,
        checkin.c.risk_level > 0,
        area_clause(venue.c.ward_code, wards),
        venue_clause(venue.c.id, scope),
    ]
    if level is not None:
        conditions.append(checkin.c.risk_level == level)
    if status is not None:
        conditions.append(current == status)
    joined = (
        checkin.join(venue, venue.c.id == checkin.c.venue_id)
        .join(ward, ward.c.code == venue.c.ward_code)
        .join(person, person.c.id == checkin.c.person_id)
        .outerjoin(latest, latest.c.person_id == checkin.c.person_id)
    )
    total = connection.scalar(select(func.count()).select_from(joined).where(*conditions)) or 0
    rows = connection.execute(
        select(
            checkin.c.id,
            checkin.c.person_id,
            checkin.c.checked_in_at,
            person.c.full_name,
            person.c.phone,
            venue.c.name,
            ward.c.name,
            checkin.c.risk_level,
            checkin.c.risk_reasons,
            current,
            func.coalesce(latest.c.assignee, ""),
        )
        .select_from(joined)
        .where(*conditions)
        .order_by(checkin.c.checked_in_at.desc(), checkin.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if not (scope and scope.personal_data) and not frame.empty:
        frame["full_name"] = frame["full_name"].map(mask_name)
        frame["phone"] = frame["phone"].map(mask_phone)
    return frame, int(total)


def follow_up_history(connection: Connection, person_id: int) -> pd.DataFrame:
    rows = connection.execute(
        select(
            follow_up.c.at,
            follow_up.c.status,
            follow_up.c.assignee,
            follow_up.c.note,
            follow_up.c.by,
        )
        .where(follow_up.c.person_id == person_id)
        .order_by(follow_up.c.id)
    ).all()
    return pd.DataFrame(rows, columns=["at", "status", "assignee", "note", "by"])


def current_status(connection: Connection, person_id: int) -> str | None:
    return connection.scalar(
        select(follow_up.c.status)
        .where(follow_up.c.person_id == person_id)
        .order_by(follow_up.c.id.desc())
        .limit(1)
    )


def add_follow_up(
    connection: Connection,
    person_id: int,
    status: str,
    by: str,
    assignee: str = "",
    note: str = "",
    checkin_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """Record the next step for a person; FollowUpError when the workflow does not allow it."""
    writing_references_to_people(connection)
    check_transition(current_status(connection, person_id), status)
    connection.execute(
        follow_up.insert().values(
            person_id=person_id,
            checkin_id=checkin_id,
            status=status,
            assignee=assignee.strip()[:64],
            note=note.strip()[:2000],
            at=at or datetime.now(UTC),
            by=by,
        )
    )


def alert_counts(
    connection: Connection, since: datetime, until: datetime, wards: frozenset[str] | None
) -> dict[str, int]:
    """Alerts raised in [since, until) in the area, by reason (open_case, traced_contact)."""
    rows = connection.execute(
        select(alert.c.reason, func.count())
        .select_from(alert.join(venue, venue.c.id == alert.c.venue_id))
        .where(
            and_(alert.c.raised_at >= since, alert.c.raised_at < until),
            area_clause(venue.c.ward_code, wards),
        )
        .group_by(alert.c.reason)
    ).all()
    return {reason: int(count) for reason, count in rows}


def risky_counts(
    connection: Connection, since: datetime, until: datetime, wards: frozenset[str] | None
) -> dict[int, int]:
    """At-risk declarations in [since, until) of the area by level (1 medium, 2 high)."""
    rows = connection.execute(
        select(checkin.c.risk_level, func.count())
        .select_from(checkin.join(venue, venue.c.id == checkin.c.venue_id))
        .where(
            checkin.c.checked_in_at >= since,
            checkin.c.checked_in_at < until,
            checkin.c.risk_level > 0,
            area_clause(venue.c.ward_code, wards),
        )
        .group_by(checkin.c.risk_level)
    ).all()
    return {int(level): int(count) for level, count in rows}
