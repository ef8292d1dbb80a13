"""What an import tells its caller: counts, rejected rows with line and reason, errors."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TextIO

from i18n.labels import label
from ingest.reasons import Reason
from rules.cells import neutralise

KEPT_ERRORS = 1_000  # rejected rows kept in memory for display; the error file has them all


class ImportFileError(Exception):
    """The file as a whole cannot be imported (header, encoding, size, format); one line. A
    code (import.file.<code> in the catalogue) and its values: str() is the English sentence,
    the command line's words; text() says it in a reader's language."""

    def __init__(self, code: str, **values: object) -> None:
        self.code = code
        self.values = values
        super().__init__(self.text("en"))

    def text(self, language: str) -> str:
        return label(f"import.file.{self.code}", language, **self.values)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled by code and values (the default would call it with the sentence): a child
        # process preparing an import's chunks (ingest.prepared_ahead) sends it back.
        return (_file_error, (self.code, self.values))


def _file_error(code: str, values: dict[str, object]) -> ImportFileError:
    return ImportFileError(code, **values)


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line of the file where the record starts (CSV header = line 1)
    reasons: tuple[Reason, ...]  # every reason found, in the order the checks ran
    raw: str  # the record as read, for the person who fixes the file

    @property
    def reason(self) -> str:
        """The reasons in English, as the partner API, the CLI and its error report give them."""
        return "; ".join(why.english for why in self.reasons)

    def reason_in(self, language: str) -> str:
        """The reasons in a language of the interface (the administration page's)."""
        return "; ".join(why.text(language) for why in self.reasons)


class RowOutcome(NamedTuple):
    """What became of one record, for a caller that answers per row (the partner API). A
    tuple: a request makes thousands of them."""

    line: int  # as RowError.line
    status: str  # "stored", "already_present" or "refused"
    reason: str = ""  # why it was refused: RowError.reason, in English


@dataclass
class ImportReport:
    kind: str  # "check-ins" or "venues"
    read: int = 0  # data records (blank lines are not records)
    imported: int = 0  # rows written: new check-ins, or venues created or updated
    already_present: int = 0  # check-ins whose (source, external_id) was already stored
    rejected: int = 0
    created: int = 0  # venues only
    updated: int = 0  # venues only
    errors: list[RowError] = field(default_factory=list)  # the first KEPT_ERRORS, by line
    error_report: Path | None = None
    seconds: float = 0.0
    # Where the time went: reading and splitting, validation, database writes.
    timings: dict[str, float] = field(
        default_factory=lambda: {"read": 0.0, "validate": 0.0, "write": 0.0}
    )

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        if self.kind == "venues":
            done = f"{self.created:,} created, {self.updated:,} updated"
        else:
            done = f"{self.imported:,} imported, {self.already_present:,} already imported"
        noun = self.kind if self.read != 1 else self.kind.removesuffix("s")
        text = f"{self.read:,} {noun} read: {done}, {self.rejected:,} rejected"
        if self.rejected and self.error_report is not None:
            text += f" (line and reason of each in {self.error_report})"
        return text + "."


class ImportInterrupted(Exception):
    """The import stopped part-way (a database error, an interruption). Every chunk before
    the failing one is committed; the failing one left nothing. Importing the same file
    again is safe: rows already imported are skipped."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


ERROR_COLUMNS = ("line", "reason", "raw")


class ErrorSink:
    """Collects rejected rows: all of them into the error report file, the first KEPT_ERRORS
    into the report. The file is CSV: line,reason,raw with the reasons in English (the
    command line's, a public contract) or, given a language, the administration page's
    download: headers and reasons in its reader's language."""

    def __init__(
        self, report: ImportReport, path: Path | None, language: str | None = None
    ) -> None:
        self.report = report
        self._file: TextIO | None = None
        self._language = language
        if path is not None:
            self._file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._file)
            if language is None:
                self._writer.writerow(ERROR_COLUMNS)
            else:
                self._writer.writerow([label(f"column.{c}", language) for c in ERROR_COLUMNS])
            report.error_report = path

    def add(self, errors: list[RowError]) -> None:
        errors = sorted(errors, key=lambda e: e.line)
        self.report.rejected += len(errors)
        room = KEPT_ERRORS - len(self.report.errors)
        self.report.errors.extend(errors[: max(room, 0)])
        if self._file is not None:
            # The raw text comes from an untrusted file and the report is opened in
            # spreadsheets: neutralise it like any export.
            language = self._language
            self._writer.writerows(
                (
                    e.line,
                    neutralise(e.reason if language is None else e.reason_in(language)),
                    neutralise(e.raw),
                )
                for e in errors
            )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
