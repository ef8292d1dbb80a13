"""Exporting a district's check-ins as CSV in the format import_checkins reads.

Rows are read through the (venue_id, checked_in_at) index: the district's venue ids and one
time window at a time, in time order, streamed in partitions, so memory and the database's
sort stay small whatever the range. Times carry the +07:00 offset; every cell that a
spreadsheet would run as a formula is neutralised (rules/cells.py), which the importer
reverses, so an export imports back without loss.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import TextIO

from sqlalchemy import Connection, select

from db.dialect import epoch
from db.schema import checkin, district, person, venue, ward
from ingest.validate import CHECKIN_COLUMNS
from rules.cells import neutralise
from rules.local_time import CITY_ZONE

HEADER = CHECKIN_COLUMNS.all
WINDOW = timedelta(hours=6)  # one indexed range scan per venue, sorted, per window
_EXTERNAL_ID_MAX = 80


class ExportError(ValueError):
    pass


def export_checkins(
    connection: Connection,
    district_code: str,
    since: datetime,
    until: datetime,
    out: TextIO,
    *,
    zone: tzinfo = CITY_ZONE,
    progress: Callable[[float, str], None] | None = None,
) -> int:
    """Write the check-ins at the district's venues with since <= time in < until to out
    (a text stream) as CSV; returns the number of rows. external_id is 'source:external_id'
    (or 'source#id' for check-ins declared in KBYT), so that importing overlapping exports
    adds each check-in once."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ExportError("give since and until with a time zone")
    if until <= since:
        raise ExportError("until must be after since")
    if connection.scalar(select(district.c.code).where(district.c.code == district_code)) is None:
        raise ExportError(f"unknown district {district_code!r}")
    refs = dict(
        connection.execute(
            select(venue.c.id, venue.c.venue_ref)
            .join(ward, ward.c.code == venue.c.ward_code)
            .where(ward.c.district_code == district_code)
        ).all()
    )
    venue_ids = sorted(refs)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    start, stop = int(since.timestamp()), int(until.timestamp())
    step = int(WINDOW.total_seconds())
    written = 0
    for window_start in range(start, stop, step) if venue_ids else ():
        window_end = min(window_start + step, stop)
        query = _window_query(venue_ids, window_start, window_end)
        result = connection.execution_options(stream_results=True, yield_per=5_000).execute(query)
        for rows in result.partitions():
            writer.writerows(_cells(row, refs, zone) for row in rows)
            written += len(rows)
        if progress is not None:
            progress((window_end - start) / (stop - start), f"{written:,} check-ins")
    return written


def _window_query(venue_ids: list[int], window_start: int, window_end: int):  # noqa: ANN202
    time_in = epoch(checkin.c.checked_in_at)
    return (
        select(
            checkin.c.source,
            checkin.c.external_id,
            checkin.c.id,
            checkin.c.venue_id,
            person.c.phone,
            person.c.full_name,
            time_in,
            epoch(checkin.c.checked_out_at),
            checkin.c.channel,
            checkin.c.symptoms,
            checkin.c.exposures,
        )
        .select_from(checkin.join(person, person.c.id == checkin.c.person_id))
        .where(
            checkin.c.venue_id.in_(venue_ids),
            time_in >= window_start,
            time_in < window_end,
        )
        .order_by(time_in, checkin.c.id)
    )


def _cells(row: tuple, refs: dict[int, str], zone: tzinfo) -> list[str]:
    (source, external_id, row_id, venue_id, phone, name, time_in, time_out, channel,
     symptoms, exposures) = row  # fmt: skip
    return [
        neutralise(_external_id(source, external_id, row_id)),
        neutralise(refs[venue_id]),
        neutralise(phone),
        neutralise(name),
        datetime.fromtimestamp(time_in, zone).isoformat(),
        "" if time_out is None else datetime.fromtimestamp(time_out, zone).isoformat(),
        "" if channel == "import" else channel,
        symptoms,
        exposures,
    ]


def _external_id(source: str, external_id: str | None, row_id: int) -> str:
    """A key stable across exports of the same database, keeping the original id in view."""
    key = f"{source}:{external_id}" if external_id else f"{source}#{row_id}"
    return key if len(key) <= _EXTERNAL_ID_MAX else f"kbyt#{row_id}"
