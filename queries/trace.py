"""Contact tracing (DESIGN §5): a case's visits, its F1 and F2 contacts, who was at a venue, and
the case records a trace is bound to. SQLAlchemy Core, same results on SQLite and PostgreSQL.

How a trace reads the check-ins, never all of them:

1. the case's visits in its window, through ix_checkin_person_time;
2. F1: per venue, the case's widened visits are merged and each probes ix_checkin_venue_time
   over the bounded range of check-in times that can overlap it (presence is capped at
   max_presence_hours), index-only on PostgreSQL; rules.exposure attributes what comes back;
3. F2: each F1's visits from the moment it first met the case (ix_checkin_person_time), widened
   and cut. Per venue the intervals of all F1s are merged before probing, so a busy market is
   read once however many F1s were there; each presence is then attributed to the F1 that met
   it. Probes are streamed in batches, so memory grows with the contacts, not the check-ins.

The exposure arithmetic itself lives in rules.exposure; this module only fetches and assembles.
"""

from __future__ import annotations

import gc
import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    column,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import FromClause, Select

from config.settings import TraceRules as TraceSettings
from db.dialect import epoch, insert_for
from db.schema import CASE_STATUSES, case_record, checkin, person, traced_contact, venue
from rules.exposure import (
    HO_CHI_MINH,
    HOUR,
    MINUTE,
    ContactLedger,
    ExposureIndex,
    Finding,
    Interval,
    cut,
    lookback_window,
    presence,
    probe_ranges,
    widen,
)
from rules.phone import normalize_phone

Progress = Callable[[float, str], None]

# Exposure ranges or F1s per statement, and ids per look-up: bounds each statement's parameters
# and lets a long trace report progress; results are streamed in STREAM_ROWS.
BATCH = 2_000
LOOKUP_BATCH = 20_000
# A look-up batch whose ids span less than this many times their number reads the id range.
DENSE_SPAN = 3
STREAM_ROWS = 5_000


# --- parameters and results -----------------------------------------------------------------


@dataclass(frozen=True)
class TraceRules:
    """Exposure rules for one trace; defaults as DESIGN §5. Override with dataclasses.replace."""

    buffer_minutes: int = 15
    min_overlap_minutes: int = 1
    lookback_days: int = 14
    max_presence_hours: int = 24

    def __post_init__(self) -> None:
        limits = {
            "buffer_minutes": (0, 24 * 60),
            "min_overlap_minutes": (1, 24 * 60),
            "lookback_days": (1, 60),
            "max_presence_hours": (1, 24),
        }
        for name, (low, high) in limits.items():
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


@dataclass(frozen=True, slots=True)
class Step:
    """One link of a contact's path: met `through` at venue_ref at `at` (aware UTC)."""

    through_person_id: int
    through_name: str
    through_phone: str
    venue_ref: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Contact:
    """A traced person.

    first_exposure: the earliest moment of a qualifying overlap (aware UTC).
    overlap_minutes: the contact's covered time in whole minutes, rounded down: at each venue
    the union of its qualifying overlaps (one presence of the contact against one widened
    visit of the case, or for F2 one widened and cut visit of an F1, at least
    min_overlap_minutes long), summed over venues. A moment covered twice counts once.
    venues: the venue_refs where it was exposed, by first exposure there.
    via: the path of its first exposure: [case] for F1, [case, F1] for F2.
    """

    person_id: int
    phone: str
    full_name: str
    level: int
    first_exposure: datetime
    overlap_minutes: int
    venues: tuple[str, ...]
    via: tuple[Step, ...]


@dataclass(frozen=True)
class TraceResult:
    person_id: int
    since: datetime
    until: datetime
    depth: int
    rules: TraceRules
    visits: tuple[Visit, ...]
    contacts: tuple[Contact, ...]  # by level, then first exposure

    def level(self, level: int) -> tuple[Contact, ...]:
        return tuple(c for c in self.contacts if c.level == level)


@dataclass(frozen=True, slots=True)
class Presence:
    """Someone at a venue: their check-in and the presence it stands for (aware UTC)."""

    person_id: int
    phone: str
    full_name: str
    checkin_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class PersonRef:
    id: int
    phone: str
    full_name: str


class PersonNotFound(LookupError):
    pass


class AmbiguousPerson(LookupError):
    """Several people share the phone (dependants): a name must choose."""

    def __init__(self, phone: str, names: Sequence[str]) -> None:
        self.phone, self.names = phone, tuple(names)
        super().__init__(
            f"{len(names)} people share the phone {phone}: {', '.join(names)}; give a name"
        )


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _seconds(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: give a time zone")
    return int(instant.timestamp())


def _quiet(_fraction: float, _message: str) -> None:
    return None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a trace builds its many small objects.

    A trace allocates hundreds of thousands of tuples and never makes reference cycles, yet
    every allocation burst triggers collections that rescan all of them: with the collector
    running, an F2 trace took about twice as long. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the case's visits ----------------------------------------------------------------------


@cache
def _visits_statement() -> Select:
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
        {"person_id": person_id, "since": _seconds(since), "until": _seconds(until)},
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
                _utc(band.start),
                _utc(band.end),
            )
        )
    return visits


# --- probing the venue index ----------------------------------------------------------------


# Statements are built once per dialect and take their rows as parameters: the same statement
# object is reused, so SQLAlchemy neither rebuilds nor recompiles it, whatever the number of rows.


def _row_table(dialect: str, name: str, columns: Sequence[str]) -> FromClause:
    """A table of integer rows sent as parameters (see _row_params): one text array literal
    per column, unnested, on PostgreSQL (parsed far faster than ARRAY[...] of thousands of
    parameters); one JSON document on SQLite. Unlike a VALUES list, it compiles once."""
    if dialect == "postgresql":
        arrays = [cast(bindparam(f"{name}_{c}", type_=String), ARRAY(BigInteger)) for c in columns]
        return (
            func.unnest(*arrays)
            .table_valued(*[column(c, BigInteger) for c in columns])
            .render_derived(name=name)
        )
    each = (
        func.json_each(bindparam(f"{name}_rows", type_=String))
        .table_valued("value")
        .alias(f"{name}_rows")
    )
    return select(
        *[func.json_extract(each.c.value, f"$[{i}]").label(c) for i, c in enumerate(columns)]
    ).subquery(name)


def _row_params(
    dialect: str, name: str, columns: Sequence[str], rows: Sequence[Sequence[int]]
) -> dict[str, str]:
    if dialect == "postgresql":
        return {
            f"{name}_{c}": "{" + ",".join(str(row[i]) for row in rows) + "}"
            for i, c in enumerate(columns)
        }
    return {f"{name}_rows": json.dumps([list(row) for row in rows])}


PROBE_COLUMNS = ("venue_id", "dwell_minutes", "read_from", "read_to", "min_end")


@cache
def _probe_statement(dialect: str) -> Select:
    """Check-ins overlapping merged exposures by at least the minimum, read through
    ix_checkin_venue_time. Each range row: (venue_id, dwell_minutes, read_from, read_to,
    min_end) with read_from <= checked_in_at <= read_to and the uncapped presence end reaching
    min_end (the exposure's start plus the minimum); only indexed columns are read."""
    probe = _row_table(dialect, "probe", PROBE_COLUMNS)
    time_in, time_out = epoch(checkin.c.checked_in_at), epoch(checkin.c.checked_out_at)
    raw_end = func.coalesce(time_out, time_in + probe.c.dwell_minutes * MINUTE)
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


def _probe_and_attribute(
    connection: Connection,
    indexes: dict[int, ExposureIndex],
    dwell: dict[int, int],
    rules: TraceRules,
    level: int,
    ledger: ContactLedger,
    skip: set[int],
    progress: Progress,
    stream: bool,
) -> None:
    """Read everyone who overlapped the exposure intervals and attribute them to sources."""
    minimum = rules.min_overlap_minutes * MINUTE
    ranges = [
        (venue_id, dwell[venue_id], read_from, read_to, exposure.start + minimum)
        for venue_id in sorted(indexes)
        for exposure, read_from, read_to in probe_ranges(
            indexes[venue_id].intervals(), rules.min_overlap_minutes, rules.max_presence_hours
        )
    ]
    dialect = connection.dialect.name
    options = {"yield_per": STREAM_ROWS} if stream else {}
    cap, min_overlap = rules.max_presence_hours, rules.min_overlap_minutes
    batches = list(_batches(ranges))
    for done, batch in enumerate(batches, start=1):
        params = _row_params(dialect, "probe", PROBE_COLUMNS, batch)
        result = connection.execute(
            _probe_statement(dialect),
            {**params, "min_overlap_seconds": minimum},
            execution_options=options,
        )
        for rows in result.partitions() if stream else (result.all(),):
            for person_id, venue_id, time_in, time_out in rows:
                if person_id in skip:
                    continue
                band = presence(time_in, time_out, dwell[venue_id], cap)
                attribution = indexes[venue_id].attribute(band, min_overlap)
                if attribution is not None:
                    ledger.add(person_id, level, venue_id, attribution)
        progress(done / len(batches), f"F{level}: {done}/{len(batches)} batches")


def _f1(
    connection: Connection,
    person_id: int,
    visits: Sequence[Visit],
    rules: TraceRules,
    ledger: ContactLedger,
) -> None:
    exposures: dict[int, list[tuple[Interval, int]]] = defaultdict(list)
    dwell: dict[int, int] = {}
    for visit in visits:
        band = Interval(_seconds(visit.start), _seconds(visit.end))
        exposures[visit.venue_id].append((widen(band, rules.buffer_minutes), person_id))
        dwell[visit.venue_id] = visit.dwell_minutes
    indexes = {venue_id: ExposureIndex(items) for venue_id, items in exposures.items()}
    _probe_and_attribute(
        connection, indexes, dwell, rules, 1, ledger, {person_id}, _quiet, stream=False
    )


ONWARD_COLUMNS = ("person_id", "read_from", "min_end")


@cache
def _onward_statement(dialect: str) -> Select:
    """The F1s' visits that can still expose someone after they first met the case, through
    ix_checkin_person_time. Each row: (person_id, read_from, min_end); up to :until."""
    onward = _row_table(dialect, "onward", ONWARD_COLUMNS)
    time_in, time_out = epoch(checkin.c.checked_in_at), epoch(checkin.c.checked_out_at)
    return (
        select(checkin.c.person_id, checkin.c.venue_id, venue.c.dwell_minutes, time_in, time_out)
        .select_from(onward)
        .join(
            checkin,
            and_(
                checkin.c.person_id == onward.c.person_id,
                time_in >= onward.c.read_from,
                time_in < bindparam("until", type_=BigInteger),
            ),
        )
        .join(venue, venue.c.id == checkin.c.venue_id)
        .where(
            func.coalesce(time_out, time_in + venue.c.dwell_minutes * MINUTE) >= onward.c.min_end
        )
    )


def _f2(
    connection: Connection,
    person_id: int,
    until: datetime,
    rules: TraceRules,
    ledger: ContactLedger,
    progress: Progress,
) -> None:
    f1 = ledger.at_level(1)
    minimum, cap = rules.min_overlap_minutes * MINUTE, rules.max_presence_hours * HOUR
    buffer = rules.buffer_minutes * MINUTE
    # A widened visit reaches first_at + minimum only if its presence ends by then minus the
    # buffer, so it checked in no earlier than that minus the cap.
    starts = [
        (pid, found.first_at + minimum - buffer - cap, found.first_at + minimum - buffer)
        for pid, found in sorted(f1.items())
    ]
    exposures: dict[int, list[tuple[Interval, int]]] = defaultdict(list)
    dwell: dict[int, int] = {}
    batches = list(_batches(starts))
    for done, batch in enumerate(batches, start=1):
        params = _row_params(connection.dialect.name, "onward", ONWARD_COLUMNS, batch)
        rows = connection.execute(
            _onward_statement(connection.dialect.name), {**params, "until": _seconds(until)}
        ).all()
        for pid, venue_id, dwell_minutes, time_in, time_out in rows:
            band = presence(time_in, time_out, dwell_minutes, rules.max_presence_hours)
            onward = cut(widen(band, rules.buffer_minutes), f1[pid].first_at)
            if onward is not None and onward.seconds >= minimum:
                exposures[venue_id].append((onward, pid))
                dwell[venue_id] = dwell_minutes
        progress(0.3 * done / len(batches), f"F1 visits: {done}/{len(batches)} batches")
    indexes = {venue_id: ExposureIndex(items) for venue_id, items in exposures.items()}
    exposures.clear()
    _probe_and_attribute(
        connection, indexes, dwell, rules, 2, ledger, {person_id, *f1},
        lambda fraction, message: progress(0.3 + 0.65 * fraction, message), stream=True,
    )  # fmt: skip


# --- assembling the result ------------------------------------------------------------------


@cache
def _lookup_statement(dialect: str, table: str) -> Select:
    """Phone and name of people, or the ref of venues, by id: the ids as one parameter,
    = ANY(array literal) on PostgreSQL (an index scan per id, where joining an unnested array
    let the planner scan the whole table), IN (json_each) on SQLite."""
    if table == "person":
        wanted, columns = person.c.id, (person.c.id, person.c.phone, person.c.full_name)
    else:
        wanted, columns = venue.c.id, (venue.c.id, venue.c.venue_ref)
    if dialect == "postgresql":
        ids = cast(bindparam("ids", type_=String), ARRAY(BigInteger))
        return select(*columns).where(wanted == any_(ids))
    each = func.json_each(bindparam("ids", type_=String)).table_valued("value")
    return select(*columns).where(wanted.in_(select(each.c.value)))


@cache
def _range_statement(table: str) -> Select:
    """People or venues whose id lies in [low, high]: one index range."""
    if table == "person":
        wanted, columns = person.c.id, (person.c.id, person.c.phone, person.c.full_name)
    else:
        wanted, columns = venue.c.id, (venue.c.id, venue.c.venue_ref)
    return select(*columns).where(wanted.between(bindparam("low"), bindparam("high")))


def _lookup(connection: Connection, table: str, ids: Iterable[int]) -> list[Any]:
    dialect = connection.dialect.name
    found: list[Any] = []
    for batch in _batches(sorted(set(ids)), LOOKUP_BATCH):
        low, high = batch[0], batch[-1]
        if high - low < DENSE_SPAN * len(batch):
            # Dense ids (an F2 covering much of the city): reading the range and dropping the
            # few not wanted costs a fraction of one index probe per id.
            wanted = set(batch)
            rows = connection.execute(_range_statement(table), {"low": low, "high": high})
            found += [row for row in rows if row[0] in wanted]
            continue
        if dialect == "postgresql":
            ids_param = "{" + ",".join(map(str, batch)) + "}"
        else:
            ids_param = json.dumps(list(batch))
        found += connection.execute(_lookup_statement(dialect, table), {"ids": ids_param}).all()
    return found


def _people(connection: Connection, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Phone and name by person id."""
    return {pid: (phone, name) for pid, phone, name in _lookup(connection, "person", ids)}


def _venue_refs(
    connection: Connection, ids: Iterable[int], known: dict[int, str]
) -> dict[int, str]:
    refs = dict(known)
    refs.update(
        {venue_id: ref for venue_id, ref in _lookup(connection, "venue", set(ids) - set(refs))}
    )
    return refs


def _contacts(
    connection: Connection, case_person_id: int, ledger: ContactLedger, visits: Sequence[Visit]
) -> tuple[Contact, ...]:
    findings = ledger.findings
    people = _people(connection, [case_person_id, *findings])
    venue_ids = {v for found in findings.values() for v in found.covered}
    refs = _venue_refs(connection, venue_ids, {v.venue_id: v.venue_ref for v in visits})

    def step(found: Finding) -> Step:
        phone, name = people[found.source]
        return Step(found.source, name, phone, refs[found.first_venue], _utc(found.first_at))

    # Every F2 met through the same F1 shares the first step of its path.
    f1_steps = {pid: step(found) for pid, found in findings.items() if found.level == 1}

    def contact(pid: int, found: Finding) -> Contact:
        if found.level == 1:
            last = f1_steps[pid]
            via: tuple[Step, ...] = (last,)
        else:
            last = step(found)
            via = (f1_steps[found.source], last)
        phone, name = people[pid]
        order = found.venues_in_order()
        venues = (refs[order[0]],) if len(order) == 1 else tuple(map(refs.__getitem__, order))
        return Contact(pid, phone, name, found.level, last.at, found.overlap_minutes, venues, via)

    ordered = sorted(
        findings.items(),
        key=lambda item: (item[1].level, item[1].first_at, people[item[0]][1], item[0]),
    )
    return tuple(contact(pid, found) for pid, found in ordered)


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
    with _collector_paused():
        visits = case_visits(connection, person_id, since, until, rules)
        ledger = ContactLedger(person_id)
        _f1(connection, person_id, visits, rules, ledger)
        if depth == 2:
            report(0.1, "F2")
            _f2(
                connection, person_id, until, rules, ledger,
                lambda fraction, message: report(0.1 + 0.85 * fraction, message),
            )  # fmt: skip
        contacts = _contacts(connection, person_id, ledger, visits)
    report(1.0, "done")
    return TraceResult(person_id, since, until, depth, rules, tuple(visits), contacts)


# --- who was at a venue ---------------------------------------------------------------------


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
    since, until = _seconds(start), _seconds(end)
    cap = rules.max_presence_hours * HOUR
    time_in, time_out = epoch(checkin.c.checked_in_at), epoch(checkin.c.checked_out_at)
    raw_end = func.coalesce(time_out, time_in + dwell * MINUTE)
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
        found.append(Presence(person_id, phone, name, checkin_id, _utc(band.start), _utc(band.end)))
    return found


# --- cases and people -----------------------------------------------------------------------


def case_window(
    case_row: Any, rules: TraceRules, now: datetime, zone: ZoneInfo = HO_CHI_MINH
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


def register_case(
    connection: Connection,
    person_id: int,
    status: str,
    onset_date: date | None,
    test_date: date | None,
    isolated_at: datetime | None,
    created_by: str,
    note: str = "",
    now: datetime | None = None,
) -> int:
    """Record a case of the person; returns its id. Raises ValueError or LookupError with a
    sentence when the input is wrong."""
    if status not in CASE_STATUSES:
        raise ValueError(f"status must be one of {', '.join(CASE_STATUSES)}: {status!r}")
    if onset_date is None and test_date is None:
        raise ValueError("a case needs an onset date or a test date")
    if isolated_at is not None and isolated_at.tzinfo is None:
        raise ValueError(f"naive isolation time {isolated_at!r}: give a time zone")
    if connection.scalar(select(person.c.id).where(person.c.id == person_id)) is None:
        raise LookupError(f"no person with id {person_id}")
    result = connection.execute(
        case_record.insert().values(
            person_id=person_id,
            status=status,
            onset_date=onset_date,
            test_date=test_date,
            isolated_at=isolated_at,
            created_at=now or datetime.now(UTC),
            created_by=created_by,
            note=note,
        )
    )
    return int(result.inserted_primary_key[0])


def latest_case(connection: Connection, person_id: int) -> Any | None:
    """The person's most recently recorded case row, or None."""
    return connection.execute(
        select(case_record)
        .where(case_record.c.person_id == person_id)
        .order_by(case_record.c.created_at.desc(), case_record.c.id.desc())
        .limit(1)
    ).first()


def _same_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def find_person(connection: Connection, phone: str, full_name: str | None = None) -> PersonRef:
    """The person with this phone (any Vietnamese form) and, when given, this name (case and
    spacing ignored). Raises PhoneError for a malformed phone, PersonNotFound, or
    AmbiguousPerson when several people share the phone and no name chooses."""
    normalized = normalize_phone(phone)
    rows = connection.execute(
        select(person.c.id, person.c.phone, person.c.full_name)
        .where(person.c.phone == normalized)
        .order_by(person.c.full_name, person.c.id)
    ).all()
    people = [PersonRef(*row) for row in rows]
    if not people:
        raise PersonNotFound(f"no person with phone {normalized}")
    if full_name is not None:
        wanted = _same_name(full_name)
        people = [p for p in people if _same_name(p.full_name) == wanted]
        if not people:
            known = ", ".join(row.full_name for row in rows)
            raise PersonNotFound(
                f"no person named {full_name!r} with phone {normalized} (known: {known})"
            )
    if len(people) > 1:
        raise AmbiguousPerson(normalized, [p.full_name for p in people])
    return people[0]


def record_contacts(
    connection: Connection, case_id: int, result: TraceResult, now: datetime | None = None
) -> int:
    """Store the trace's contacts for the case; a person already recorded keeps the lowest
    level and the earliest exposure. Returns the number of contacts written."""
    traced_at = now or datetime.now(UTC)
    rows = [
        {
            "case_id": case_id,
            "person_id": c.person_id,
            "level": c.level,
            "first_exposure_at": c.first_exposure,
            "traced_at": traced_at,
        }
        for c in result.contacts
    ]
    for batch in _batches(rows, 1_000):
        statement = insert_for(connection, traced_contact)
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["case_id", "person_id"],
            set_={
                "level": case(
                    (new.level < traced_contact.c.level, new.level), else_=traced_contact.c.level
                ),
                "first_exposure_at": case(
                    (
                        epoch(new.first_exposure_at) < epoch(traced_contact.c.first_exposure_at),
                        new.first_exposure_at,
                    ),
                    else_=traced_contact.c.first_exposure_at,
                ),
                "traced_at": new.traced_at,
            },
        )
        connection.execute(statement, list(batch))
    return len(rows)
