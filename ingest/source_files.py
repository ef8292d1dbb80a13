"""Opening an import file: the checks on the file as a whole, before any record is read.

Size, encoding (UTF-8, or UTF-16 with its byte-order mark), format (CSV or JSONL) and a CSV's
header are checked here, so that such problems stop an import before it writes; each raises
ImportFileError with a sentence for the user.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from ingest.records import Columns
from ingest.report import ImportFileError

DEFAULT_MAX_BYTES = 2 * 1024**3  # 2 GiB: about 15 million check-in rows
HEAD_BYTES = 64 * 1024  # looked at to decide encoding and format

Source = str | os.PathLike | BinaryIO | TextIO


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

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io passes a memoryview
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


@dataclass
class OpenFile:
    """An import file opened as text, with what the reader reports its progress by."""

    text: TextIO
    label: str  # the file's name (or "the file") in messages
    size: int | None  # bytes, when known
    counter: _Counted | None = None  # bytes read so far (None for a caller's text stream)
    owned: BinaryIO | None = None  # a file opened here, closed by close()

    def fraction(self) -> float:
        """Of the input read so far (0 when its size is unknown)."""
        if not self.size or self.counter is None:
            return 0.0
        return min(self.counter.count / self.size, 1.0)

    def close(self) -> None:
        if self.owned is not None:
            self.owned.close()
            self.owned = None


def open_source(source: Source, encoding: str | None, max_bytes: int) -> OpenFile:
    """The source as text, after the size and encoding checks; a file opened here is closed
    again when a check fails."""
    label = _label(source)
    if isinstance(source, io.TextIOBase):
        return OpenFile(source, label, None)  # type: ignore[arg-type]  # already text
    owned: BinaryIO | None = None
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size: int | None = path.stat().st_size
            stream: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed in OpenFile.close()
        except OSError as error:
            raise ImportFileError("cannot_read", path=path, detail=error.strerror) from None
        owned = stream
    else:
        stream = source  # type: ignore[assignment]  # neither text nor a path: a binary stream
        size = _stream_size(stream)
    try:
        if size is not None and size > max_bytes:
            raise ImportFileError("too_large", label=label, size=size, limit=max_bytes)
        head = stream.read(HEAD_BYTES)
        if not head.strip():
            raise ImportFileError("empty", label=label)
        chosen = _choose_encoding(head, encoding, label)
    except ImportFileError:
        if owned is not None:
            owned.close()
        raise
    counter = _Counted(head, stream, max_bytes, label)
    # surrogateescape: a bad byte further down stays visible (as a lone surrogate) instead
    # of stopping the import or becoming a replacement character; the value checks then
    # reject its row, naming the column.
    text = io.TextIOWrapper(
        io.BufferedReader(counter, 256 * 1024),
        encoding=chosen,
        errors="surrogateescape",
        newline="",
    )
    return OpenFile(text, label, size, counter, owned)


def _choose_encoding(head: bytes, encoding: str | None, label: str) -> str:
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError("workbook", label=label)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"; its BOM says which byte order
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFileError("unknown_encoding", encoding=encoding) from None
        if codecs.lookup(encoding).name != "utf-8":
            return encoding
    if b"\x00" in head:
        raise ImportFileError("binary", label=label)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "not_utf8",
            label=label,
            byte=f"{head[error.start]:02X}",
            offset=error.start,
        ) from None
    return "utf-8-sig"  # a UTF-8 byte-order mark (Excel writes one) is not data


def detect_format(label: str, text: TextIO) -> str:
    """csv or jsonl, by the file's suffix or else by its first character."""
    suffix = Path(label).suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".xlsx", ".xls", ".ods"):
        raise ImportFileError("spreadsheet", label=label)
    first = _peek_first_character(text)
    if first == "[":
        raise ImportFileError("json_array", label=label)
    return "jsonl" if first == "{" else "csv"


def _peek_first_character(text: TextIO) -> str:
    buffer = getattr(text, "buffer", None)
    if buffer is None:  # a text stream of the caller's
        if not text.seekable():
            return ""
        start = text.tell()
        head = text.read(HEAD_BYTES)
        text.seek(start)
    else:
        head = buffer.peek(HEAD_BYTES).decode("utf-8", "ignore")
    return head.lstrip("\ufeff \t\r\n")[:1]


def read_header(rows: Iterator[list[str]], label: str, columns: Columns) -> list[str]:
    """A CSV file's header, lower case, after the checks against the columns it may have."""
    try:
        fields = next(rows)
        while not any(f.strip() for f in fields):  # blank lines before the header
            fields = next(rows)
    except StopIteration:
        raise ImportFileError("no_header", label=label) from None
    except csv.Error as error:
        raise ImportFileError("unreadable_header", label=label, detail=error) from None
    header = [f.strip().lstrip("\ufeff").strip().lower() for f in fields]
    named = [h for h in header if h]
    if len(named) == 1 and (";" in named[0] or "\t" in named[0]):
        raise ImportFileError("one_column_header", label=label, header=fields[0][:80])
    repeated = sorted({h for h in named if named.count(h) > 1})
    if repeated:
        raise ImportFileError("repeated_columns", label=label, columns=", ".join(repeated))
    unknown = [h for h in named if h not in columns.all]
    missing = [c for c in columns.required if c not in named]
    if missing or unknown:
        # One sentence per case: header_missing, header_unknown, header_missing_unknown,
        # each with _optional when the file kind has optional columns.
        code = "header" + "_missing" * bool(missing) + "_unknown" * bool(unknown)
        values = {"missing": ", ".join(missing), "unknown": ", ".join(unknown)}
        raise ImportFileError(
            code + "_optional" * bool(columns.optional),
            label=label,
            required=",".join(columns.required),
            **{name: text for name, text in values.items() if text},
            **({"optional": ",".join(columns.optional)} if columns.optional else {}),
        )
    return header


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
