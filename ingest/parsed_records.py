"""A partner API request's rows, already parsed JSON objects, read like a JSONL import file."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.reasons import Reason
from ingest.records import Chunk, Columns, json_cell, json_text, record_cells
from ingest.report import RowError

_ABSENT = object()  # a field the record leaves out, told apart from an explicit null


class ParsedRecords:
    """JSON objects already parsed (a partner API request's rows), read as a JSONL file whose
    line n is the n-th object: the same checks and reasons, without writing the rows as text
    and parsing them again (that round trip was ~40 % of an API request outside the writes)."""

    def __init__(self, objects: list[dict], columns: Columns) -> None:
        self.objects = objects
        self.columns = columns

    def chunks(self, size: int) -> Iterator[Chunk]:
        for start in range(0, len(self.objects), size):
            records = self.objects[start : start + size]
            chunk = self._by_column(records, start) or self._by_record(records, start)
            chunk.fraction = min(1.0, (start + size) / max(len(self.objects), 1))
            yield chunk

    def _by_column(self, records: list[dict], start: int) -> Chunk | None:
        """The chunk built a column at a time (a list comprehension per column instead of
        Python calls per cell: a third of a 5,000-row request's own work), or None when a
        record must be refused: _by_record then gives each its reason."""
        names = self.columns.all
        known = frozenset(names)
        if not all(map(known.issuperset, records)):
            return None
        values: dict[str, list[str]] = {}
        absent: dict[str, list[int]] = {}
        for name in names:
            column = [record.get(name, _ABSENT) for record in records]
            for position in [i for i, v in enumerate(column) if v.__class__ is not str]:
                value = column[position]
                if value is _ABSENT:
                    absent.setdefault(name, []).append(position)
                    column[position] = ""
                    continue
                try:
                    column[position] = json_cell(name, value)
                except ValueError:
                    return None
            values[name] = column
        lines = list(range(start + 1, start + 1 + len(records)))
        return Chunk(lines, values, list(records), absent)

    def _by_record(self, records: list[dict], start: int) -> Chunk:
        known = set(self.columns.all)
        chunk = Chunk.empty(self.columns)
        for number, record in enumerate(records, start + 1):
            checked = record_cells(record, self.columns, known)
            if isinstance(checked, Reason):
                chunk.rejected.append(RowError(number, (checked,), json_text(record)))
                continue
            cells, absent = checked
            chunk.append(number, cells, record, absent, self.columns)
        return chunk

    def __enter__(self) -> ParsedRecords:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
