"""What an import reader hands on: the columns a file may have, and chunks of records as cell
text with their line numbers, plus the record text kept for the error report.

Both readers (ingest.sources for files, ingest.parsed_records for a partner API request's
objects) build the same chunks, so the value checks and the error report do not know which one
read a record.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from ingest.reasons import Invalid, Reason, reason
from ingest.report import RowError

RAW_SHOWN = 500  # characters of a rejected record kept for the error report


@dataclass(frozen=True)
class Columns:
    """The columns a file may have; the required ones must be in a CSV header."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass
class Chunk:
    lines: list[int]  # the line each record starts on
    values: dict[str, list[str]]  # column -> cell text per record ('' when empty or absent)
    raw: list  # each record as read (CSV fields or a JSONL line): see raw_text()
    absent: dict[str, list[int]]  # JSONL: positions of records without the column
    rejected: list[RowError] = field(default_factory=list)  # could not be split into columns
    fraction: float = 0.0  # of the input read so far (0 when its size is unknown)

    @classmethod
    def empty(cls, columns: Columns) -> Chunk:
        return cls([], {name: [] for name in columns.all}, [], {})

    def append(
        self, line: int, cells: list[str], raw: object, absent: tuple[str, ...], columns: Columns
    ) -> None:
        """One JSON record's cells (in columns.all order), as record_cells gave them."""
        for name in absent:
            self.absent.setdefault(name, []).append(len(self.lines))
        self.lines.append(line)
        self.raw.append(raw)
        for name, value in zip(columns.all, cells, strict=True):
            self.values[name].append(value)


def record_cells(
    record: dict, columns: Columns, known: set[str]
) -> tuple[list[str], tuple[str, ...]] | Reason:
    """A JSON object's cells in column order and the columns it lacks, or why it is refused."""
    unknown = sorted(set(record) - known)
    if unknown:
        return reason("unknown_fields", names=", ".join(unknown))
    try:
        cells = [json_cell(name, record.get(name)) for name in columns.all]
    except Invalid as error:
        return error.reason
    return cells, tuple(name for name in columns.all if name not in record)


def json_cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise Invalid("true_or_false", column=name)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ";".join(value)  # symptoms and exposures may come as lists
    raise Invalid("not_text_or_number", column=name)


def raw_text(raw: object) -> str:
    """A record as read (CSV fields, a JSONL line or a parsed JSON object), as text for the
    error report."""
    if isinstance(raw, dict):
        return json_text(raw)
    return raw if isinstance(raw, str) else csv_text(raw)  # type: ignore[arg-type]  # CSV fields


def json_text(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)[:RAW_SHOWN]


def csv_text(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()[:RAW_SHOWN]
