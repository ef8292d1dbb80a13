"""Reading import files: CSV or JSONL, UTF-8, streamed in chunks of records with line numbers.

Opening a source checks the file as a whole (size, encoding, format, header) before anything
is read further, so that such problems stop an import before it writes. Records that cannot be
split into the expected columns are rejected here with their line; values are checked later.
Memory stays bounded: lines are read with a length limit, records a chunk at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, TextIO

from ingest.reasons import Invalid, Reason, reason
from ingest.report import ImportFileError, RowError
from rules.cells import restore

DEFAULT_MAX_BYTES = 2 * 1024**3  # 2 GiB: about 15 million check-in rows
MAX_LINE_CHARS = 64 * 1024  # a longer line is not a record of ours
HEAD_BYTES = 64 * 1024  # looked at to decide encoding and format
RAW_SHOWN = 500  # characters of a rejected record kept for the error report

Source = str | os.PathLike | BinaryIO | TextIO


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


class _Counted(io.RawIOBase):
    """The head already read, then the rest of the stream; counts bytes against the limit."""

    def __init__(self, head: bytes, stream: BinaryIO, limit: int, label: str) -> None:
        self._head = memoryview(head)
        self._stream = stream
        self._limit = limit
        self._label = label
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if len(self._head):
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._stream.read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self.count += n
        if self.count > self._limit:
            raise ImportFileError("larger_than_limit", label=self._label, limit=self._limit)
        return n


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
        self._owned: BinaryIO | None = None
        self.label = _label(source)
        self.size: int | None = None
        self._counter: _Counted | None = None
        text = self._open_text(source, encoding, max_bytes)
        self._text = text
        self._line = 0
        self._too_long: set[int] = set()
        self.format = file_format or self._detect_format()
        if self.format not in ("csv", "jsonl"):
            raise ImportFileError("unknown_format", format=self.format)
        self._lines = self._physical_lines()
        self._header: list[str] = []
        if self.format == "csv":
            self._csv = csv.reader(self._lines)
            self._header = self._read_header()

    # --- opening ---------------------------------------------------------------------------

    def _open_text(self, source: Source, encoding: str | None, max_bytes: int) -> TextIO:
        if isinstance(source, io.TextIOBase):
            return source  # type: ignore[return-value]  # already text: nothing to decode
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            try:
                self.size = path.stat().st_size
                stream: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed in close()
            except OSError as error:
                raise ImportFileError("cannot_read", path=path, detail=error.strerror) from None
            self._owned = stream
        else:
            stream = source  # type: ignore[assignment]
            self.size = _stream_size(stream)
        if self.size is not None and self.size > max_bytes:
            self.close()
            raise ImportFileError("too_large", label=self.label, size=self.size, limit=max_bytes)
        head = stream.read(HEAD_BYTES)
        if not head.strip():
            self.close()
            raise ImportFileError("empty", label=self.label)
        encoding = self._choose_encoding(head, encoding)
        self._counter = _Counted(head, stream, max_bytes, self.label)
        # surrogateescape: a bad byte further down stays visible (as a lone surrogate) instead
        # of stopping the import or becoming a replacement character; the value checks then
        # reject its row, naming the column.
        return io.TextIOWrapper(
            io.BufferedReader(self._counter, 256 * 1024),
            encoding=encoding,
            errors="surrogateescape",
            newline="",
        )

    def _choose_encoding(self, head: bytes, encoding: str | None) -> str:
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            self.close()
            raise ImportFileError("workbook", label=self.label)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"  # Excel's "Unicode text"; its BOM says which byte order
        if encoding is not None:
            try:
                codecs.lookup(encoding)
            except LookupError:
                self.close()
                raise ImportFileError("unknown_encoding", encoding=encoding) from None
            if codecs.lookup(encoding).name != "utf-8":
                return encoding
        if b"\x00" in head:
            self.close()
            raise ImportFileError("binary", label=self.label)
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError as error:
            self.close()
            raise ImportFileError(
                "not_utf8",
                label=self.label,
                byte=f"{head[error.start]:02X}",
                offset=error.start,
            ) from None
        return "utf-8-sig"  # a UTF-8 byte-order mark (Excel writes one) is not data

    def _detect_format(self) -> str:
        suffix = Path(self.label).suffix.lower()
        if suffix in (".csv", ".txt"):
            return "csv"
        if suffix in (".jsonl", ".ndjson"):
            return "jsonl"
        if suffix in (".xlsx", ".xls", ".ods"):
            raise ImportFileError("spreadsheet", label=self.label)
        first = self._peek_first_character()
        if first == "[":
            raise ImportFileError("json_array", label=self.label)
        return "jsonl" if first == "{" else "csv"

    def _peek_first_character(self) -> str:
        buffer = getattr(self._text, "buffer", None)
        if buffer is None:  # a text stream of the caller's
            if not self._text.seekable():
                return ""
            start = self._text.tell()
            head = self._text.read(HEAD_BYTES)
            self._text.seek(start)
        else:
            head = buffer.peek(HEAD_BYTES).decode("utf-8", "ignore")
        return head.lstrip("\ufeff \t\r\n")[:1]

    def _read_header(self) -> list[str]:
        try:
            fields = next(self._csv)
            while not any(f.strip() for f in fields):  # blank lines before the header
                fields = next(self._csv)
        except StopIteration:
            raise ImportFileError("no_header", label=self.label) from None
        except csv.Error as error:
            raise ImportFileError("unreadable_header", label=self.label, detail=error) from None
        header = [f.strip().lstrip("\ufeff").strip().lower() for f in fields]
        named = [h for h in header if h]
        if len(named) == 1 and (";" in named[0] or "\t" in named[0]):
            raise ImportFileError("one_column_header", label=self.label, header=fields[0][:80])
        repeated = sorted({h for h in named if named.count(h) > 1})
        if repeated:
            raise ImportFileError("repeated_columns", label=self.label, columns=", ".join(repeated))
        unknown = [h for h in named if h not in self.columns.all]
        missing = [c for c in self.columns.required if c not in named]
        if missing or unknown:
            # One sentence per case: header_missing, header_unknown, header_missing_unknown,
            # each with _optional when the file kind has optional columns.
            code = "header" + "_missing" * bool(missing) + "_unknown" * bool(unknown)
            values = {"missing": ", ".join(missing), "unknown": ", ".join(unknown)}
            raise ImportFileError(
                code + "_optional" * bool(self.columns.optional),
                label=self.label,
                required=",".join(self.columns.required),
                **{name: text for name, text in values.items() if text},
                **({"optional": ",".join(self.columns.optional)} if self.columns.optional else {}),
            )
        return header

    # --- reading ---------------------------------------------------------------------------

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

    def _fraction(self) -> float:
        if not self.size or self._counter is None:
            return 0.0
        return min(self._counter.count / self.size, 1.0)

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
        rejected.append(RowError(first, (problem,), _csv_text(fields)))

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
        return Chunk(lines, values, rows, {}, rejected, self._fraction())

    def _jsonl_chunks(self, size: int) -> Iterator[Chunk]:
        chunk = self._new_jsonl_chunk()
        for item in self._jsonl_records():
            if isinstance(item, RowError):
                chunk.rejected.append(item)
                continue
            line, cells, raw, absent = item
            for name in absent:
                chunk.absent.setdefault(name, []).append(len(chunk.lines))
            chunk.lines.append(line)
            chunk.raw.append(raw)
            for name, value in zip(self.columns.all, cells, strict=True):
                chunk.values[name].append(value)
            if len(chunk.lines) >= size:
                chunk.fraction = self._fraction()
                yield chunk
                chunk = self._new_jsonl_chunk()
        if chunk.lines or chunk.rejected:
            chunk.fraction = 1.0
            yield chunk

    def _new_jsonl_chunk(self) -> Chunk:
        return Chunk([], {name: [] for name in self.columns.all}, [], {})

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
            checked = _record_cells(record, self.columns, known)
            if isinstance(checked, Reason):
                yield RowError(number, (checked,), raw)
                continue
            cells, absent = checked
            yield number, cells, raw, absent

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    def __enter__(self) -> RecordReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _record_cells(
    record: dict, columns: Columns, known: set[str]
) -> tuple[list[str], tuple[str, ...]] | Reason:
    """A JSON object's cells in column order and the columns it lacks, or why it is refused."""
    unknown = sorted(set(record) - known)
    if unknown:
        return reason("unknown_fields", names=", ".join(unknown))
    try:
        cells = [_json_cell(name, record.get(name)) for name in columns.all]
    except Invalid as error:
        return error.reason
    return cells, tuple(name for name in columns.all if name not in record)


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
                    column[position] = _json_cell(name, value)
                except ValueError:
                    return None
            values[name] = column
        lines = list(range(start + 1, start + 1 + len(records)))
        return Chunk(lines, values, list(records), absent)

    def _by_record(self, records: list[dict], start: int) -> Chunk:
        known = set(self.columns.all)
        chunk = Chunk([], {name: [] for name in self.columns.all}, [], {})
        for number, record in enumerate(records, start + 1):
            checked = _record_cells(record, self.columns, known)
            if isinstance(checked, Reason):
                chunk.rejected.append(RowError(number, (checked,), _json_text(record)))
                continue
            cells, absent = checked
            for name in absent:
                chunk.absent.setdefault(name, []).append(len(chunk.lines))
            chunk.lines.append(number)
            chunk.raw.append(record)
            for name, value in zip(self.columns.all, cells, strict=True):
                chunk.values[name].append(value)
        return chunk

    def __enter__(self) -> ParsedRecords:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


_ABSENT = object()  # a field the record leaves out, told apart from an explicit null


def _json_text(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)[:RAW_SHOWN]


def _json_cell(name: str, value: object) -> str:
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


def _restored(cells: list[str]) -> list[str]:
    """restore() over a column; most columns have no apostrophe at all, so look first."""
    if "'" not in "".join(cells):
        return cells
    return [restore(cell) for cell in cells]


def raw_text(raw: object) -> str:
    """A record as read (CSV fields, a JSONL line or a parsed JSON object), as text for the
    error report."""
    if isinstance(raw, dict):
        return _json_text(raw)
    return raw if isinstance(raw, str) else _csv_text(raw)  # type: ignore[arg-type]


def _csv_text(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()[:RAW_SHOWN]


def _stream_size(stream: BinaryIO) -> int | None:
    size = getattr(stream, "size", None)  # Streamlit's UploadedFile
    if isinstance(size, int):
        return size
    try:
        if stream.seekable():
            here = stream.tell()
            end = stream.seek(0, io.SEEK_END)
            stream.seek(here)
            return end - here
    except (OSError, AttributeError):
        pass
    return None


def _label(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return str(source)
    return str(getattr(source, "name", "") or "the file")
