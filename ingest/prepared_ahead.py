"""A check-in file's chunks read and validated in a child process, one chunk ahead of the
import that writes them.

The import reads and validates the file's first chunk itself, then starts the child: it opens
the file by its path, reads past the first chunk (without validating it), and from then on
reads and validates each next chunk while the import writes the previous one, mostly waiting
on the database. Reading and validating are pure (the file, and the plain values passed in), so
the child needs no database connection. Chunks come back pickled: the Chunk without its cell
values (the write needs the lines, the records as read and the rejected ones), and the
Validated rows.

The child is a fresh interpreter started by subprocess with this module as its entry point,
its messages pickled on a pipe. Not fork: the importer may hold database connections and run
in Streamlit's threads. Not multiprocessing's spawn or forkserver either: their child first
runs the parent's __main__ again, and under Streamlit (or after its AppTest) that is app.py,
which then failed in the child. A child that finds another file at the path than the one the
import opened (replaced, or changed since) declines, and the import goes on reading its own
open file. The child is in a session of its own, so Ctrl-C in a terminal reaches the import
only, which ends the child; if the import dies, the child's next write fails and it exits.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Collection
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, BinaryIO

from ingest.collector import PausedCollector
from ingest.records import Chunk
from ingest.report import ImportFileError
from ingest.source_files import DEFAULT_MAX_BYTES
from ingest.sources import RecordReader
from ingest.validate import CHECKIN_COLUMNS, Validated, validate_checkins

# What the child sends, each pickled: ("chunk", Chunk, Validated), then ("end",); or
# ("declined",) instead of its first chunk; or ("error", exception) when reading fails.
_CHUNK, _END, _DECLINED, _ERROR = "chunk", "end", "declined", "error"
_ROOT = Path(__file__).resolve().parent.parent  # where the ingest package is found
_CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from ingest.prepared_ahead import serve; serve(int(sys.argv[2]))"
)

FileIdentity = tuple[int, int, int, int]


def file_identity(path: str | os.PathLike) -> FileIdentity:
    """What tells the file at a path apart from another one, or from itself changed."""
    facts = os.stat(path)
    return (facts.st_dev, facts.st_ino, facts.st_size, facts.st_mtime_ns)


def chunk_extent(chunk: Chunk) -> tuple[int, int, int]:
    """Records, rejected records and last line of a chunk: the child checks that its first
    chunk is the one the import read."""
    last = max(chunk.lines[-1:] + [error.line for error in chunk.rejected[-1:]], default=0)
    return (len(chunk.lines), len(chunk.rejected), last)


class PreparedAhead:
    """The chunks after the first of a check-in file, from a child process that prepares each
    while the previous one is written. next() gives them in order, then None; close() ends
    the child (at once, whatever it is doing)."""

    def __init__(
        self,
        path: str | os.PathLike,
        size: int,
        first: Chunk,
        identity: FileIdentity,
        *,
        encoding: str | None = None,
        file_format: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        now: datetime,
        zone: tzinfo,
        high_risk_symptoms: Collection[str],
    ) -> None:
        request = (
            os.fspath(path),
            {"encoding": encoding, "file_format": file_format, "max_bytes": max_bytes},
            size,
            identity,
            chunk_extent(first),
            {"now": now, "zone": zone, "high_risk_symptoms": tuple(high_risk_symptoms)},
        )
        receiving, sending = os.pipe()
        try:
            self._process = subprocess.Popen(  # noqa: S603 - this interpreter, our module
                [sys.executable, "-c", _CHILD, str(_ROOT), str(sending)],
                stdin=subprocess.PIPE,
                pass_fds=(sending,),
                # Ctrl-C in a terminal reaches the import only: it decides, and ends the child.
                start_new_session=True,
            )
        except BaseException:
            os.close(receiving)
            raise
        finally:
            os.close(sending)  # the child's end: once it exits, reading here sees the end
        self._chunks = os.fdopen(receiving, "rb")
        self.declined = False
        assert self._process.stdin is not None
        try:
            with self._process.stdin as asking:
                pickle.dump(request, asking)
        except BrokenPipeError:
            pass  # the child ended at once: next() says so

    @property
    def pid(self) -> int:
        return self._process.pid

    def next(self) -> tuple[Chunk, Validated] | None:
        """The next chunk with its validation; None after the last one, or when the child
        declined (self.declined: the file at the path is not the one opened)."""
        # The collector paused while a chunk is unpickled: its half a million new objects
        # (none in a cycle) set off collections that took 0.05-0.09 s more of 0.05 s.
        try:
            with PausedCollector():
                message = pickle.load(self._chunks)  # noqa: S301 - from our own child
        except (EOFError, pickle.UnpicklingError, OSError):
            try:
                code = self._process.wait(5)
            except subprocess.TimeoutExpired:
                code = None
            raise ChildProcessError(
                f"the process reading the file ended (exit code {code})"
            ) from None
        kind = message[0]
        if kind == _CHUNK:
            return message[1], message[2]
        if kind == _ERROR:
            raise message[1]
        self.declined = kind == _DECLINED
        return None

    def close(self) -> None:
        self._chunks.close()
        if self._process.poll() is None:
            self._process.terminate()  # it holds nothing but the file, opened for reading
        self._process.wait()

    def __enter__(self) -> PreparedAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(descriptor: int) -> None:
    """The child: take the request on stdin, read past the first chunk, then send each next
    one validated on the descriptor, until the end of the file, an error, or the import
    closing its end."""
    with os.fdopen(descriptor, "wb") as sending:
        try:
            _serve(sending, *pickle.load(sys.stdin.buffer))  # noqa: S301 - from the import
        except (BrokenPipeError, ConnectionResetError):
            return  # the import stopped listening


def _serve(
    sending: BinaryIO,
    path: str,
    reading: dict[str, Any],
    size: int,
    identity: FileIdentity,
    first: tuple[int, int, int],
    validation: dict[str, Any],
) -> None:
    try:
        reader = _opened(path, reading, identity)
        if reader is None:
            _send(sending, (_DECLINED,))
            return
        with reader:
            chunks = reader.chunks(size)
            skipped = next(chunks, None)
            if skipped is None or chunk_extent(skipped) != first:
                _send(sending, (_DECLINED,))
                return
            for chunk in chunks:
                checked = validate_checkins(chunk, **validation)
                # The cell values stay here: the write needs only the lines, the records as
                # read (for the unknown venues' report) and the rejected ones; a third less to
                # pickle and unpickle.
                _send(sending, (_CHUNK, dataclasses.replace(chunk, values={}, absent={}), checked))
            _send(sending, (_END,))
    except (BrokenPipeError, ConnectionResetError):
        raise
    except Exception as error:  # noqa: BLE001 - sent to the import, which raises it
        error.add_note("in the process preparing chunks:\n" + traceback.format_exc().rstrip())
        try:
            message = pickle.dumps((_ERROR, error))
        except Exception:  # noqa: BLE001 - the error itself does not pickle: its text then
            message = pickle.dumps((_ERROR, RuntimeError(f"{error.__class__.__name__}: {error}")))
        sending.write(message)
        sending.flush()


def _send(sending: BinaryIO, message: tuple) -> None:
    """Pickled whole before any of it is written: a message is never sent in part."""
    sending.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    sending.flush()


def _opened(path: str, reading: dict[str, Any], identity: FileIdentity) -> RecordReader | None:
    """The file at path if it is the one the import opened, unchanged; else None (replaced,
    grown, gone: the import reads its own open file on)."""
    try:
        reader = RecordReader(path, CHECKIN_COLUMNS, **reading)
    except ImportFileError:
        return None
    try:
        if file_identity(path) == identity:
            return reader
    except OSError:
        pass
    reader.close()
    return None
