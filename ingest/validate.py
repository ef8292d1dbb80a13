"""A chunk of raw records -> the valid rows as a frame, plus a reason for every invalid one.

Values repeat a lot within a chunk (phones, names, venue refs, empty symptom lists), so each
rule runs once per distinct value and the results are spread back with numpy: validation
stays a small share of an import's time. Every reason found for a row is reported, not just
the first, so a file can be fixed in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import numpy as np
import pandas as pd

from config.settings import DEFAULT_DWELL_MINUTES, SECTORS, VENUE_KINDS
from ingest import normalise as n
from ingest.reasons import Reason, reason
from ingest.records import Chunk, Columns, raw_text
from ingest.report import RowError
from rules.local_time import CITY_ZONE
from rules.risk import assess_risk

CHECKIN_COLUMNS = Columns(
    required=("external_id", "venue_ref", "phone", "full_name", "checked_in_at"),
    optional=("checked_out_at", "channel", "symptoms", "exposures"),
)
VENUE_COLUMNS = Columns(
    required=("venue_ref", "name", "sector", "kind", "ward_code", "address", "lat", "lon"),
    optional=("default_dwell_minutes", "capacity"),
)
_NO_TIME = np.iinfo(np.int64).min


@dataclass
class Validated:
    rows: pd.DataFrame  # valid rows; 'line' and 'position' (in the chunk) included
    errors: list[RowError]


class _Reasons:
    """Reasons per record position, in the order the checks ran."""

    def __init__(self, chunk: Chunk) -> None:
        self.chunk = chunk
        self.by_position: dict[int, list[Reason]] = {}

    def add(self, positions: Collection[int], why: Reason | Sequence[Reason]) -> None:
        """One reason for every position, or a reason per position."""
        for i, position in enumerate(positions):
            one = why if isinstance(why, Reason) else why[i]
            self.by_position.setdefault(int(position), []).append(one)

    def valid_mask(self) -> np.ndarray:
        mask = np.ones(len(self.chunk.lines), dtype=bool)
        mask[list(self.by_position)] = False
        return mask

    def errors(self) -> list[RowError]:
        return [
            RowError(self.chunk.lines[p], tuple(reasons), raw_text(self.chunk.raw[p]))
            for p, reasons in sorted(self.by_position.items())
        ]


def _apply(
    chunk: Chunk,
    column: str,
    rule: Callable[[str], object],
    reasons: _Reasons,
    *,
    required: bool = True,
    plain_key: int = 0,
) -> np.ndarray:
    """rule over a column, once per distinct value; failures become reasons. Returns an object
    array aligned with the chunk (None where the value failed). plain_key=N: the column holds
    keys of at most N characters, which are taken as they are when all are clean already."""
    absent = set(chunk.absent.get(column, ()))
    if required and absent:
        reasons.add(sorted(absent), reason("missing_column", column=column))
    if plain_key and _plain_keys(chunk.values[column], plain_key):
        return np.asarray(chunk.values[column], dtype=object)
    codes, uniques = pd.factorize(np.asarray(chunk.values[column], dtype=object))
    results = np.empty(len(uniques), dtype=object)
    failures: dict[int, Reason] = {}
    for index, value in enumerate(uniques):
        try:
            results[index] = rule(value)
        except n.Invalid as error:
            failures[index] = error.reason
    out = results[codes]
    if failures:
        failed = np.zeros(len(uniques), dtype=bool)
        failed[list(failures)] = True
        positions = [int(p) for p in np.flatnonzero(failed[codes]) if int(p) not in absent]
        reasons.add(positions, [failures[int(codes[p])] for p in positions])
    return out


def _text(values: np.ndarray) -> pd.Series:
    """A text column kept as Python objects: the write path and the lookups iterate over it,
    which is several times slower on pandas' Arrow-backed strings."""
    return pd.Series(values, dtype=object)


def _plain_keys(values: list[str], max_length: int) -> bool:
    """Every value non-empty, trimmed, printable, at most max_length: checked on the column
    joined into one string, in C, instead of once per value."""
    if not values:
        return True
    joined = "\x00".join(values)
    return (
        max(map(len, values)) <= max_length
        and joined.replace("\x00", "").isprintable()
        and "\x00\x00" not in joined
        and " \x00" not in joined
        and "\x00 " not in joined
        and joined[0] not in "\x00 "
        and joined[-1] not in "\x00 "
    )


# --- check-ins -----------------------------------------------------------------------------


def validate_checkins(
    chunk: Chunk,
    *,
    now: datetime,
    zone: tzinfo = CITY_ZONE,
    high_risk_symptoms: Collection[str] = ("shortness_of_breath",),
) -> Validated:
    """Check-in records -> rows for the write path (times as epoch seconds, risk assessed).
    Venue refs are only checked for form here: whether they exist is the database's answer."""
    reasons = _Reasons(chunk)
    external_id = _apply(
        chunk,
        "external_id",
        lambda v: n.normalise_key(v, "external_id", 80),
        reasons,
        plain_key=80,
    )
    venue_ref = _apply(chunk, "venue_ref", lambda v: n.normalise_key(v, "venue_ref", 64), reasons)
    phone = _apply(chunk, "phone", n.normalise_phone, reasons)
    full_name = _apply(chunk, "full_name", n.normalise_name, reasons)
    checked_in = _times(chunk, "checked_in_at", reasons, now, zone, required=True)
    checked_out = _times(chunk, "checked_out_at", reasons, now, zone, required=False)
    reversed_stay = np.flatnonzero(
        (checked_out != _NO_TIME) & (checked_in != _NO_TIME) & (checked_out < checked_in)
    )
    reasons.add(reversed_stay, reason("checked_out_before_in"))
    channel = _apply(chunk, "channel", n.normalise_channel, reasons, required=False)
    symptoms = _apply(chunk, "symptoms", n.normalise_symptoms, reasons, required=False)
    exposures = _apply(chunk, "exposures", n.normalise_exposures, reasons, required=False)

    keep = reasons.valid_mask()
    rows = pd.DataFrame(
        {
            "line": np.asarray(chunk.lines, dtype=np.int64)[keep],
            "position": np.flatnonzero(keep),
            "external_id": _text(external_id[keep]),
            "venue_ref": _text(venue_ref[keep]),
            "phone": _text(phone[keep]),
            "full_name": _text(full_name[keep]),
            "checked_in_at": checked_in[keep],
            "checked_out_at": pd.arrays.IntegerArray(
                checked_out[keep], checked_out[keep] == _NO_TIME
            ),
            "channel": _text(channel[keep]),
            "symptoms": _text(symptoms[keep]),
            "exposures": _text(exposures[keep]),
        }
    )
    _assess(rows, high_risk_symptoms)
    return Validated(rows, reasons.errors())


def _times(
    chunk: Chunk,
    column: str,
    reasons: _Reasons,
    now: datetime,
    zone: tzinfo,
    *,
    required: bool,
) -> np.ndarray:
    """Epoch seconds, _NO_TIME where empty or invalid. Times are nearly all distinct, so this
    parses each one with the C ISO parser and leaves the unusual ones to parse_instant."""
    absent = set(chunk.absent.get(column, ()))
    if required and absent:
        reasons.add(sorted(absent), reason("missing_column", column=column))
    parse = datetime.fromisoformat
    epochs: list[int] = []
    unusual: list[int] = []
    for position, text in enumerate(chunk.values[column]):
        if len(text) > 10:  # a bare date is no check-in time: left to parse_instant's message
            try:
                moment = parse(text)
            except ValueError:
                unusual.append(position)
                epochs.append(_NO_TIME)
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            epochs.append(int(moment.timestamp()))
        else:
            if text or required:
                unusual.append(position)
            epochs.append(_NO_TIME)
    out = np.array(epochs, dtype=np.int64)
    for position in unusual:
        text = chunk.values[column][position]
        if position in absent or (not required and not text.strip()):
            continue
        try:
            out[position] = n.parse_instant(text, column, zone)
        except n.Invalid as error:
            reasons.add([position], error.reason)
    early, late = n.EARLIEST.timestamp(), (now + n.FUTURE_TOLERANCE).timestamp()
    for position in np.flatnonzero((out != _NO_TIME) & ((out < early) | (out > late))).tolist():
        try:
            n.check_instant_bounds(int(out[position]), column, now)
        except n.Invalid as error:
            reasons.add([position], error.reason)
        out[position] = _NO_TIME
    return out


def _assess(rows: pd.DataFrame, high_risk_symptoms: Collection[str]) -> None:
    """Risk level and reasons (rules.risk), once per distinct pair of answers."""
    index: dict[tuple[str, str], int] = {}
    codes = np.fromiter(
        (
            index.setdefault(pair, len(index))
            for pair in zip(rows["symptoms"], rows["exposures"], strict=True)
        ),
        dtype=np.int64,
        count=len(rows),
    )
    levels = np.empty(len(index), dtype=np.int16)
    texts = np.empty(len(index), dtype=object)
    for (symptoms, exposures), position in index.items():
        assessed = assess_risk(
            [s for s in symptoms.split(";") if s],
            [e for e in exposures.split(";") if e],
            high_risk_symptoms=high_risk_symptoms,
        )
        levels[position] = assessed.level
        texts[position] = ";".join(assessed.reasons)
    rows["risk_level"] = levels[codes]
    rows["risk_reasons"] = _text(texts[codes])


# --- venues --------------------------------------------------------------------------------


def validate_venues(chunk: Chunk, *, dwell_minutes: dict[str, int] | None = None) -> Validated:
    """Venue records -> rows for upsert_venues (without registered_on and active, which the
    importer keeps for known venues)."""
    dwell = {**DEFAULT_DWELL_MINUTES, **(dwell_minutes or {})}
    reasons = _Reasons(chunk)
    venue_ref = _apply(chunk, "venue_ref", lambda v: n.normalise_key(v, "venue_ref", 64), reasons)
    name = _apply(chunk, "name", lambda v: n.normalise_text(v, "name", 200), reasons)
    sector = _apply(chunk, "sector", lambda v: n.normalise_choice(v, SECTORS, "sector"), reasons)
    kind = _apply(chunk, "kind", lambda v: n.normalise_choice(v, VENUE_KINDS, "kind"), reasons)
    ward_code = _apply(chunk, "ward_code", n.normalise_ward, reasons)
    address = _apply(
        chunk, "address", lambda v: n.normalise_text(v, "address", 300, required=False), reasons
    )
    lat = _apply(chunk, "lat", lambda v: n.parse_coordinate(v, "lat"), reasons)
    lon = _apply(chunk, "lon", lambda v: n.parse_coordinate(v, "lon"), reasons)
    outside = []
    for position, (y, x) in enumerate(zip(lat, lon, strict=True)):
        if y is not None and x is not None:
            try:
                n.check_inside_hcmc(y, x)
            except n.Invalid as error:
                outside.append((position, error.reason))
    reasons.add([p for p, _ in outside], [r for _, r in outside])
    minutes = _apply(
        chunk,
        "default_dwell_minutes",
        lambda v: n.parse_minutes(v, "default_dwell_minutes") if v.strip() else None,
        reasons,
        required=False,
    )
    capacity = _apply(chunk, "capacity", n.parse_capacity, reasons, required=False)
    keep = reasons.valid_mask()
    rows = pd.DataFrame(
        {
            "line": np.asarray(chunk.lines, dtype=np.int64)[keep],
            "position": np.flatnonzero(keep),
            "venue_ref": venue_ref[keep],
            "name": name[keep],
            "sector": sector[keep],
            "kind": kind[keep],
            "address": address[keep],
            "ward_code": ward_code[keep],
            "lat": lat[keep].astype(float),
            "lon": lon[keep].astype(float),
            "dwell_minutes": [
                m if m is not None else dwell[k]
                for m, k in zip(minutes[keep], kind[keep], strict=True)
            ],
        }
    )
    rows["dwell_minutes"] = rows["dwell_minutes"].astype(np.int64)
    rows["capacity"] = pd.array(list(capacity[keep]), dtype="Int64")
    return Validated(rows, reasons.errors())
