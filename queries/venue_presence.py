"""Who was at a venue: everyone whose presence overlaps a time span (present_at_venue), and the
people whose presence overlapped a traced person's visits there (overlapping_at_venue, the
trace panel's venue view). The presence rules are the trace's (queries/trace.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from db.dialect import epoch
from db.schema import checkin, person, venue
from queries.trace import TraceRules, uncapped_presence_end
from rules.exposure import HOUR, MINUTE, Interval, presence, widen
from rules.local_time import epoch_seconds, utc_instant
from rules.trace_presence import overlap_by_person


@dataclass(frozen=True, slots=True)
class Presence:
    """Someone at a venue: their check-in and the presence it stands for (aware UTC)."""

    person_id: int
    phone: str
    full_name: str
    checkin_id: int
    start: datetime
    end: datetime


def present_at_venue(
    connection: Connection,
    venue_id: int,
    start: datetime,
    end: datetime,
    rules: TraceRules = TraceRules(),
) -> list[Presence]:
    """Everyone whose presence at the venue overlaps [start, end) (touching is not), by time
    in. Reads ix_checkin_venue_time over [start - max presence, end)."""
    dwell = connection.scalar(select(venue.c.dwell_minutes).where(venue.c.id == venue_id))
    if dwell is None:
        raise LookupError(f"no venue with id {venue_id}")
    since, until = epoch_seconds(start), epoch_seconds(end)
    cap = rules.max_presence_hours * HOUR
    time_in, time_out = epoch(checkin.c.checked_in_at), epoch(checkin.c.checked_out_at)
    raw_end = uncapped_presence_end(time_in, time_out, dwell)
    rows = connection.execute(
        select(checkin.c.id, checkin.c.person_id, person.c.phone, person.c.full_name)
        .add_columns(time_in, time_out)
        .join(person, person.c.id == checkin.c.person_id)
        .where(
            checkin.c.venue_id == venue_id,
            time_in > since - cap,
            time_in < until,
            raw_end > since,
            raw_end > time_in,
        )
        .order_by(checkin.c.checked_in_at, checkin.c.person_id, checkin.c.id)
    )
    found = []
    for checkin_id, person_id, phone, name, checked_in, checked_out in rows:
        band = presence(checked_in, checked_out, dwell, rules.max_presence_hours)
        found.append(
            Presence(
                person_id, phone, name, checkin_id, utc_instant(band.start), utc_instant(band.end)
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Overlapper:
    """Someone who overlapped a traced person's exposure at a venue: their presences there and
    the time covered (whole minutes, rounded down)."""

    person_id: int
    phone: str
    full_name: str
    overlap_minutes: int
    presences: tuple[tuple[datetime, datetime], ...]


def overlapping_at_venue(
    connection: Connection,
    venue_id: int,
    visits: Sequence[tuple[datetime, datetime]],
    traced_person_id: int,
    rules: TraceRules = TraceRules(),
) -> list[Overlapper]:
    """The distinct people whose presence at the venue overlapped the traced person's visits
    there (each widened by the buffer) by at least the minimum, by first time in. The traced
    person is not among them."""
    exposures = [
        widen(Interval(epoch_seconds(start), epoch_seconds(end)), rules.buffer_minutes)
        for start, end in visits
    ]
    if not exposures:
        return []
    present = present_at_venue(
        connection,
        venue_id,
        utc_instant(min(e.start for e in exposures)),
        utc_instant(max(e.end for e in exposures)),
        rules,
    )
    present = [p for p in present if p.person_id != traced_person_id]
    covered = overlap_by_person(
        ((p.person_id, Interval(epoch_seconds(p.start), epoch_seconds(p.end))) for p in present),
        exposures,
        rules.min_overlap_minutes,
    )
    people: dict[int, Overlapper] = {}
    for p in present:  # by time in: the first presence of each person decides the order
        if p.person_id not in covered:
            continue
        known = people.get(p.person_id)
        bands = (*known.presences, (p.start, p.end)) if known else ((p.start, p.end),)
        people[p.person_id] = Overlapper(
            p.person_id, p.phone, p.full_name, covered[p.person_id] // MINUTE, bands
        )
    return list(people.values())
