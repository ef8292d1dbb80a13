"""Contact tracing (DESIGN §5): a case's visits and its F1 and F2 contacts (recording a case is
queries/cases.py, its contacts queries/contact_records.py, who was at a venue
queries/venue_presence.py). SQLAlchemy Core, same results on SQLite and PostgreSQL.

How a trace reads the check-ins, never all of them:

1. the case's visits in its window, through ix_checkin_person_time;
2. F1: per venue, the case's widened visits are merged and each probes ix_checkin_venue_time
   over the bounded range of check-in times that can overlap it (presence is capped at
   max_presence_hours), index-only on PostgreSQL; rules.exposure_arrays attributes what comes
   back;
3. F2: each F1's visits from the moment it first met the case (ix_checkin_person_time), widened
   and cut. Per venue the intervals of all F1s are merged before probing, so a busy market is
   read once however many F1s were there; each presence is then attributed to the F1 that met
   it. Probes run in batches, and what they met is gathered per person, level and venue as it
   grows, so memory grows with the contacts, not the check-ins.

Rows come back as numpy columns (COPY on PostgreSQL, queries.column_reads) and are attributed a
batch at a time by rules.exposure_arrays, checked in the tests against the readable
specification, rules.exposure_spec. Contacts are kept as arrays too and a
Contact is built only when read (queries/trace_contacts.py), so an F2 of hundreds of thousands
costs arrays, not objects. This module only fetches and assembles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import (
    BigInteger,
    Connection,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.sql import Select

from config.settings import TRACE_LIMITS
from config.settings import TraceRules as TraceSettings
from db.arrays import row_batches, row_params, row_table
from db.citus import joins_by_index
from db.dialect import epoch, is_citus
from db.schema import checkin, venue
from queries.column_reads import read_columns
from queries.trace_contacts import Contact, Contacts, contacts_of
from rules.exposure import (
    HOUR,
    MINUTE,
    lookback_window,
    presence,
    presence_ends,
    widen_bounds,
)
from rules.exposure_arrays import ExposureArrays, Ints, Met, findings, gather, probe_ranges_arrays
from rules.local_time import CITY_ZONE, epoch_seconds, utc_instant

Progress = Callable[[float, str], None]

# Exposure ranges or F1s per statement, and ids per look-up: bounds each statement's parameters
# and lets a long trace report progress.
BATCH = 2_000
# What a trace has met is gathered (per person, level and venue) once it holds this many rows
# (about 90 bytes each).
COMPACT_ROWS = 1_000_000
_NONE = np.zeros(0, dtype=np.int64)


# --- parameters and results -----------------------------------------------------------------


_DEFAULT = TraceSettings()


@dataclass(frozen=True)
class TraceRules:
    """Exposure rules for one trace: the settings' defaults and limits (config.settings), frozen
    so that a trace can be cached by them. Override with dataclasses.replace."""

    buffer_minutes: int = _DEFAULT.buffer_minutes
    min_overlap_minutes: int = _DEFAULT.min_overlap_minutes
    lookback_days: int = _DEFAULT.lookback_days
    max_presence_hours: int = _DEFAULT.max_presence_hours

    def __post_init__(self) -> None:
        for name, (low, high) in TRACE_LIMITS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"trace rule {name} must be an integer {low}..{high}: {value!r}")

    @classmethod
    def from_settings(cls, rules: TraceSettings) -> TraceRules:
        return cls(
            buffer_minutes=rules.buffer_minutes,
            min_overlap_minutes=rules.min_overlap_minutes,
            lookback_days=rules.lookback_days,
            max_presence_hours=rules.max_presence_hours,
        )


@dataclass(frozen=True, slots=True)
class Visit:
    """One check-in of the case, with its venue; start and end of presence in aware UTC."""

    checkin_id: int
    venue_id: int
    venue_ref: str
    venue_name: str
    venue_kind: str
    lat: float
    lon: float
    ward_code: str
    dwell_minutes: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class TraceResult:
    person_id: int
    since: datetime
    until: datetime
    depth: int
    rules: TraceRules
    visits: tuple[Visit, ...]
    contacts: Sequence[Contact]  # by level, first exposure, name, person id; Contacts or a tuple

    def level(self, level: int) -> Sequence[Contact]:
        if isinstance(self.contacts, Contacts):
            return self.contacts.level(level)
        return tuple(c for c in self.contacts if c.level == level)

    def contact(self, person_id: int) -> Contact | None:
        """The contact who is this person, or None."""
        if isinstance(self.contacts, Contacts):
            return self.contacts.find(person_id)
        return next((c for c in self.contacts if c.person_id == person_id), None)


def _quiet(_fraction: float, _message: str) -> None:
    return None


# --- the case's visits ----------------------------------------------------------------------


@cache
def _visits_statement() -> Select[*tuple[Any, ...]]:
    time_in = epoch(checkin.c.checked_in_at)
    return (
        select(
            checkin.c.id,
            time_in,
            epoch(checkin.c.checked_out_at),
            venue.c.id,
            venue.c.venue_ref,
            venue.c.name,
            venue.c.kind,
            venue.c.lat,
            venue.c.lon,
            venue.c.ward_code,
            venue.c.dwell_minutes,
        )
        .join(venue, venue.c.id == checkin.c.venue_id)
        .where(
            checkin.c.person_id == bindparam("person_id", type_=BigInteger),
            time_in >= bindparam("since", type_=BigInteger),
            time_in < bindparam("until", type_=BigInteger),
        )
        .order_by(checkin.c.checked_in_at, checkin.c.id)
    )


def case_visits(
    connection: Connection,
    person_id: int,
    since: datetime,
    until: datetime,
    rules: TraceRules = TraceRules(),
) -> list[Visit]:
    """The person's visits that start inside [since, until), in time order."""
    rows = connection.execute(
        _visits_statement(),
        {"person_id": person_id, "since": epoch_seconds(since), "until": epoch_seconds(until)},
    ).all()
    visits = []
    for checkin_id, time_in, time_out, venue_id, ref, name, kind, lat, lon, ward, dwell in rows:
        band = presence(time_in, time_out, dwell, rules.max_presence_hours)
        visits.append(
            Visit(
                checkin_id,
                venue_id,
                ref,
                name,
                kind,
                lat,
                lon,
                ward,
                dwell,
                utc_instant(band.start),
                utc_instant(band.end),
            )
        )
    return visits


# --- probing the venue index ----------------------------------------------------------------


# Statements are built once per dialect and take their rows as parameters: the same statement
# object is reused, so SQLAlchemy neither rebuilds nor recompiles it, whatever the number of rows.


def uncapped_presence_end(time_in: Any, time_out: Any, dwell_minutes: Any) -> Any:
    """rules.exposure.presence_ends in SQL, before the cap: the time out, else the time in plus
    the venue's dwell. The one place the statements write it; each applies the cap through the
    check-in times it reads (no presence is longer than the cap), and the rows it returns are
    capped by presence_ends."""
    return func.coalesce(time_out, time_in + dwell_minutes * MINUTE)


PROBE_COLUMNS = ("venue_id", "dwell_minutes", "read_from", "read_to", "min_end")


@cache
def _probe_statement(dialect: str) -> Select[*tuple[Any, ...]]:
    """Check-ins overlapping merged exposures by at least the minimum, read through
    ix_checkin_venue_time. Each range row: (venue_id, dwell_minutes, read_from, read_to,
    min_end) with read_from <= checked_in_at <= read_to and the uncapped presence end reaching
    min_end (the exposure's start plus the minimum); only indexed columns are read."""
    probe = row_table(dialect, "probe", PROBE_COLUMNS)
    time_in, time_out = epoch(checkin.c.checked_in_at), epoch(checkin.c.checked_out_at)
    raw_end = uncapped_presence_end(time_in, time_out, probe.c.dwell_minutes)
    return (
        select(checkin.c.person_id, probe.c.venue_id, time_in, time_out)
        .select_from(probe)
        .join(
            checkin,
            and_(
                checkin.c.venue_id == probe.c.venue_id,
                time_in >= probe.c.read_from,
                time_in <= probe.c.read_to,
            ),
        )
        .where(
            raw_end >= probe.c.min_end,
            raw_end - time_in >= bindparam("min_overlap_seconds", type_=BigInteger),
        )
    )


@dataclass(frozen=True)
class _Exposures:
    """The sources' exposure intervals of one level, by venue, and each venue's dwell."""

    venue: Ints
    start: Ints
    end: Ints
    source: Ints
    dwell_venues: Ints  # sorted
    dwell_minutes: Ints

    def dwell(self, venue_ids: Ints) -> Ints:
        return self.dwell_minutes[np.searchsorted(self.dwell_venues, venue_ids)]


def _dwell_table(venue_ids: Ints, dwell_minutes: Ints) -> tuple[Ints, Ints]:
    venues, first = np.unique(venue_ids, return_index=True)
    return venues, dwell_minutes[first]


def _probe_and_attribute(
    connection: Connection,
    exposures: _Exposures,
    rules: TraceRules,
    level: int,
    met: list[Met],
    skip: Ints,
    progress: Progress,
) -> None:
    """Read everyone who overlapped the exposure intervals and attribute them to sources.

    What they met is added to `met`, gathered whenever it grows past COMPACT_ROWS and twice
    what the last gathering left: memory grows with the contacts, not with the check-ins read,
    and a trace with many contacts does not gather them again after every batch."""
    minimum = rules.min_overlap_minutes * MINUTE
    table = ExposureArrays(
        exposures.venue, exposures.start, exposures.end, exposures.source,
        rules.min_overlap_minutes, rules.max_presence_hours,
    )  # fmt: skip
    venue, exposure_start, read_from, read_to = probe_ranges_arrays(
        exposures.venue, exposures.start, exposures.end,
        rules.min_overlap_minutes, rules.max_presence_hours,
    )  # fmt: skip
    columns = (venue, exposures.dwell(venue), read_from, read_to, exposure_start + minimum)
    dialect = connection.dialect.name
    statement = _probe_statement(dialect)
    batches = row_batches(columns, BATCH)
    count = len(batches)
    gathered = 0
    for done, batch in enumerate(batches, start=1):
        params = row_params(dialect, "probe", PROBE_COLUMNS, batch)
        person, venue_id, time_in, time_out = read_columns(
            connection, statement, {**params, "min_overlap_seconds": minimum}, nullable=(3,)
        )
        wanted = ~np.isin(person, skip)
        person, venue_id, time_in, time_out = (
            person[wanted], venue_id[wanted], time_in[wanted], time_out[wanted]
        )  # fmt: skip
        end = presence_ends(time_in, time_out, exposures.dwell(venue_id), rules.max_presence_hours)
        met.append(Met.of(person, venue_id, level, table.attribute(venue_id, time_in, end)))
        if sum(len(m) for m in met) > max(COMPACT_ROWS, 2 * gathered):
            met[:] = [gather(met)]
            gathered = len(met[0])
        progress(done / count, f"F{level}: {done}/{count} batches")


def _f1(
    connection: Connection,
    person_id: int,
    visits: Sequence[Visit],
    rules: TraceRules,
    met: list[Met],
) -> None:
    venue = np.array([v.venue_id for v in visits], dtype=np.int64)
    dwell = np.array([v.dwell_minutes for v in visits], dtype=np.int64)
    start, end = widen_bounds(
        np.array([epoch_seconds(v.start) for v in visits], dtype=np.int64),
        np.array([epoch_seconds(v.end) for v in visits], dtype=np.int64),
        rules.buffer_minutes,
    )
    exposures = _Exposures(
        venue,
        start,
        end,
        np.full(len(visits), person_id, dtype=np.int64),
        *_dwell_table(venue, dwell),
    )
    _probe_and_attribute(
        connection, exposures, rules, 1, met, np.array([person_id], dtype=np.int64), _quiet
    )


ONWARD_COLUMNS = ("person_id", "read_from", "min_end")


@cache
def _onward_statement(dialect: str, citus: bool = False) -> Select[*tuple[Any, ...]]:
    """The F1s' visits that can still expose someone after they first met the case, through
    ix_checkin_person_time. Each row: (person_id, read_from, min_end); up to :until.

    On PostgreSQL a LATERAL subquery per F1, kept from being flattened into a join (OFFSET 0):
    as a join, the planner chose to hash the whole check-in table for a few thousand F1s, where
    an index range per F1 reads only their visits. The venues' dwell is joined outside it, by
    one hash of the venue table rather than an index probe per visit. SQLite has no LATERAL;
    Citus pushes no LIMIT/OFFSET of a LATERAL subquery that reads a function's rows: both join,
    and on Citus each shard joins the F1s to its own check-ins, by index when run inside
    db.citus.joins_by_index (docs/scaling.md §5)."""
    onward = row_table(dialect, "onward", ONWARD_COLUMNS)
    time_in, time_out = epoch(checkin.c.checked_in_at), epoch(checkin.c.checked_out_at)
    reads = (
        checkin.c.person_id == onward.c.person_id,
        time_in >= onward.c.read_from,
        time_in < bindparam("until", type_=BigInteger),
    )
    if dialect != "postgresql" or citus:
        return (
            select(checkin.c.person_id, checkin.c.venue_id, venue.c.dwell_minutes)
            .add_columns(time_in, time_out)
            .select_from(onward)
            .join(checkin, and_(*reads))
            .join(venue, venue.c.id == checkin.c.venue_id)
            .where(
                uncapped_presence_end(time_in, time_out, venue.c.dwell_minutes) >= onward.c.min_end
            )
        )
    each = (
        select(
            checkin.c.person_id,
            checkin.c.venue_id,
            time_in.label("time_in"),
            time_out.label("time_out"),
        )
        .where(*reads)
        .offset(literal_column("0"))
        .lateral("visit")
    )
    return (
        select(each.c.person_id, each.c.venue_id, venue.c.dwell_minutes)
        .add_columns(each.c.time_in, each.c.time_out)
        .select_from(onward)
        .join(each, true())
        .join(venue, venue.c.id == each.c.venue_id)
        .where(
            uncapped_presence_end(each.c.time_in, each.c.time_out, venue.c.dwell_minutes)
            >= onward.c.min_end
        )
    )


def _f2(
    connection: Connection,
    person_id: int,
    until: datetime,
    rules: TraceRules,
    met: list[Met],
    progress: Progress,
) -> None:
    f1 = findings(met, person_id)
    minimum, cap = rules.min_overlap_minutes * MINUTE, rules.max_presence_hours * HOUR
    buffer = rules.buffer_minutes * MINUTE
    # A widened visit reaches first_at + minimum only if its presence ends by then minus the
    # buffer, so it checked in no earlier than that minus the cap.
    reaches = f1.first_at + minimum - buffer
    starts = (f1.person, reaches - cap, reaches)
    dialect = connection.dialect.name
    found: list[list[Ints]] = []
    batches = row_batches(starts, BATCH)
    count = len(batches)
    citus = is_citus(connection)
    for done, batch in enumerate(batches, start=1):
        params = row_params(dialect, "onward", ONWARD_COLUMNS, batch)
        with joins_by_index(connection) if citus else nullcontext():
            pid, venue_id, dwell, time_in, time_out = read_columns(
                connection,
                _onward_statement(dialect, citus),
                {**params, "until": epoch_seconds(until)},
                nullable=(4,),
            )
        end = presence_ends(time_in, time_out, dwell, rules.max_presence_hours)
        # Widened, then cut at the moment the F1 first met the case.
        widened_start, widened_end = widen_bounds(time_in, end, rules.buffer_minutes)
        start = np.maximum(widened_start, f1.first_at[np.searchsorted(f1.person, pid)])
        long = widened_end - start >= minimum
        found.append([c[long] for c in (venue_id, start, widened_end, pid, dwell)])
        progress(0.3 * done / count, f"F1 visits: {done}/{count} batches")
    venue_id, start, end, pid, dwell = (
        [np.concatenate(c) for c in zip(*found, strict=True)] if found else [_NONE] * 5
    )
    exposures = _Exposures(venue_id, start, end, pid, *_dwell_table(venue_id, dwell))
    _probe_and_attribute(
        connection, exposures, rules, 2, met, np.append(f1.person, person_id),
        lambda fraction, message: progress(0.3 + 0.65 * fraction, message),
    )  # fmt: skip


def trace(
    connection: Connection,
    person_id: int,
    since: datetime,
    until: datetime,
    rules: TraceRules = TraceRules(),
    depth: int = 1,
    progress: Progress | None = None,
) -> TraceResult:
    """The case's visits starting in [since, until) and its contacts: F1, and with depth=2 also
    F2 (the F1s' visits read up to `until` as well). progress(fraction, message) is called
    as the trace advances, ending at 1.0."""
    if depth not in (1, 2):
        raise ValueError(f"depth is 1 (F1) or 2 (F1 and F2), not {depth!r}")
    report = progress or _quiet
    report(0.0, "F1")
    visits = case_visits(connection, person_id, since, until, rules)
    met: list[Met] = []
    _f1(connection, person_id, visits, rules, met)
    if depth == 2:
        report(0.1, "F2")
        _f2(
            connection, person_id, until, rules, met,
            lambda fraction, message: report(0.1 + 0.85 * fraction, message),
        )  # fmt: skip
    known_venues = {v.venue_id: (v.venue_ref, v.venue_name) for v in visits}
    contacts = contacts_of(connection, person_id, findings(met, person_id), known_venues)
    report(1.0, "done")
    return TraceResult(person_id, since, until, depth, rules, tuple(visits), contacts)


# --- cases and people -----------------------------------------------------------------------


def case_window(
    case_row: Any, rules: TraceRules, now: datetime, zone: ZoneInfo = CITY_ZONE
) -> tuple[datetime, datetime]:
    """[since, until) of a case (a case_record row or anything with onset_date, test_date
    and isolated_at): from local midnight lookback_days before the earlier date, to isolation
    or now."""
    return lookback_window(
        case_row.onset_date,
        case_row.test_date,
        case_row.isolated_at,
        now,
        rules.lookback_days,
        zone,
    )
