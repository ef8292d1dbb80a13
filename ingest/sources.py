"""Reading import files: CSV or JSONL, UTF-8, streamed in chunks of records with line numbers.

Opening a source checks the file as a whole (ingest.source_files: size, encoding, format,
header) before anything is read further, so that such problems stop an import before it
writes. Records that cannot be split into the expected columns are rejected here with their
line; values are checked later. Memory stays bounded: lines are read with a length limit,
records a chunk at a time.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from functools import partial
from operator import itemgetter

from ingest.reasons import Reason, reason
from ingest.records import RAW_SHOWN, Chunk, Columns, csv_text, record_cells
from ingest.report import ImportFileError, RowError
from ingest.source_files import (
    DEFAULT_MAX_BYTES,
    Source,
    detect_format,
    open_source,
    read_header,
)
from rules.cells import restore

MAX_LINE_CHARS = 64 * 1024  # a longer line is not a record of ours


class RecordReader:
    """An open import file. Construct it (file-level checks), then iterate chunks()."""

    def __init__(
        self,
        source: Source,
        columns: Columns,
        *,
        encoding: str | None = None,
        file_format: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.columns = columns
        self._file = open_source(source, encoding, max_bytes)
        self.label = self._file.label
        self.size = self._file.size
        self._text = self._file.text
        self._line = 0
        self._too_long: set[int] = set()
        self.format = file_format or detect_format(self.label, self._text)
        if self.format not in ("csv", "jsonl"):
            raise ImportFileError("unknown_format", format=self.format)
        self._lines = self._physical_lines()
        self._header: list[str] = []
        if self.format == "csv":
            self._csv = csv.reader(self._lines)
            self._header = read_header(self._csv, self.label, columns)

    def _physical_lines(self) -> Iterator[str]:
        """Lines with a length limit, so one huge line cannot fill the memory. A line cut
        short is marked, the rest of it skipped. Undecodable bytes (kept as lone surrogates by
        surrogateescape) are left to the value checks, which name the column."""
        readline = self._text.readline
        for line in iter(partial(readline, MAX_LINE_CHARS), ""):
            self._line += 1
            if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                self._too_long.add(self._line)
                rest = line
                while rest and not rest.endswith(("\n", "\r")):
                    rest = readline(MAX_LINE_CHARS)
                line = line[:RAW_SHOWN] + "\n"
            yield line

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Records in chunks of at most size (rejected ones ride along with their chunk)."""
        if self.format == "csv":
            yield from self._csv_chunks(size)
        else:
            yield from self._jsonl_chunks(size)

    def _too_long_in(self, first: int, last: int) -> bool:
        hit = [n for n in range(first, last + 1) if n in self._too_long]
        self._too_long.difference_update(hit)
        return bool(hit)

    def _csv_chunks(self, size: int) -> Iterator[Chunk]:
        reader = self._csv
        width = len(self._header)
        rows: list[list[str]] = []
        lines: list[int] = []
        rejected: list[RowError] = []
        previous = reader.line_num
        while True:
            try:
                # The common record (one line, all columns, a key in the first) costs a few
                # comparisons; anything else goes to _odd_record.
                for fields in reader:
                    end = reader.line_num
                    if (
                        len(fields) == width
                        and end == previous + 1
                        and fields[0]
                        and not self._too_long
                    ):
                        rows.append(fields)
                        lines.append(end)
                    else:
                        self._odd_record(fields, previous + 1, end, rows, lines, rejected)
                    previous = end
                    if len(rows) >= size:
                        yield self._csv_chunk(rows, lines, rejected)
                        rows, lines, rejected = [], [], []
                break
            except csv.Error as error:  # the reader goes on with the next line
                why = reason("unreadable_csv", detail=str(error))
                rejected.append(RowError(previous + 1, (why,), ""))
                previous = reader.line_num
        if rows or rejected:
            chunk = self._csv_chunk(rows, lines, rejected)
            chunk.fraction = 1.0
            yield chunk

    def _odd_record(
        self,
        fields: list[str],
        first: int,
        end: int,
        rows: list[list[str]],
        lines: list[int],
        rejected: list[RowError],
    ) -> None:
        too_long = bool(self._too_long) and self._too_long_in(first, end)
        if not any(fields):
            return  # a blank line, or a row of empty cells (spreadsheets add them)
        # A record over several lines says which: a quote left open swallows the next ones.
        count, expected = len(fields), len(self._header)
        if too_long and end > first:
            problem = reason("line_too_long_spanning", limit=MAX_LINE_CHARS, first=first, last=end)
        elif too_long:
            problem = reason("line_too_long", limit=MAX_LINE_CHARS)
        elif count != expected and end > first:
            problem = reason(
                "column_count_spanning", count=count, expected=expected, first=first, last=end
            )
        elif count != expected:
            problem = reason("column_count", count=count, expected=expected)
        else:
            rows.append(fields)
            lines.append(first)
            return
        rejected.append(RowError(first, (problem,), csv_text(fields)))

    def _csv_chunk(
        self, rows: list[list[str]], lines: list[int], rejected: list[RowError]
    ) -> Chunk:
        values: dict[str, list[str]] = {}
        for name in self.columns.all:
            if name in self._header:
                cells = list(map(itemgetter(self._header.index(name)), rows))
                values[name] = _restored(cells)
            else:
                values[name] = [""] * len(rows)
        return Chunk(lines, values, rows, {}, rejected, self._file.fraction())

    def _jsonl_chunks(self, size: int) -> Iterator[Chunk]:
        chunk = Chunk.empty(self.columns)
        for item in self._jsonl_records():
            if isinstance(item, RowError):
                chunk.rejected.append(item)
                continue
            chunk.append(*item, self.columns)
            if len(chunk.lines) >= size:
                chunk.fraction = self._file.fraction()
                yield chunk
                chunk = Chunk.empty(self.columns)
        if chunk.lines or chunk.rejected:
            chunk.fraction = 1.0
            yield chunk

    def _jsonl_records(self) -> Iterator[RowError | tuple[int, list[str], str, tuple]]:
        known = set(self.columns.all)
        for text in self._lines:
            number = self._line
            if not text.strip():
                continue
            raw = text.strip()[:RAW_SHOWN]
            if self._too_long and self._too_long_in(number, number):
                yield RowError(number, (reason("line_too_long", limit=MAX_LINE_CHARS),), raw)
                continue
            try:
                record = json.loads(text)
            except ValueError as error:
                yield RowError(number, (reason("not_json", detail=str(error)),), raw)
                continue
            if not isinstance(record, dict):
                yield RowError(number, (reason("not_an_object"),), raw)
                continue
            checked = record_cells(record, self.columns, known)
            if isinstance(checked, Reason):
                yield RowError(number, (checked,), raw)
                continue
            cells, absent = checked
            yield number, cells, raw, absent

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _restored(cells: list[str]) -> list[str]:
    """restore() over a column; most columns have no apostrophe at all, so look first."""
    if "'" not in "".join(cells):
        return cells
    return [restore(cell) for cell in cells]
