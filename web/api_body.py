"""A partner's request body (a JSON array of objects, or JSONL) -> the rows as parsed objects,
which the importer reads as JSONL lines (ingest.parsed_records.ParsedRecords): row N of the
request is line N for the importer.

Only the body's shape is judged here, and a body of the wrong shape is refused whole: a
partner whose serialiser is broken should hear it rather than find half its rows stored. The
fields are the importer's business (ingest.validate), so the API and files obey one set of
rules and one set of reasons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

JSON_TYPES = ("application/json",)
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")


class BodyError(ValueError):
    """The body as a whole cannot be read; where says which line, column or row."""

    def __init__(self, message: str, **where: int) -> None:
        super().__init__(message)
        self.where = where


@dataclass(frozen=True)
class Records:
    objects: list[dict]  # the rows, the key's source removed
    external_ids: list[str | None] = field(default_factory=list)  # per row, as sent

    @property
    def count(self) -> int:
        return len(self.external_ids)


def parse_body(body: bytes, content_type: str = "") -> Records:
    """The rows of a request, by its Content-Type, else by its first character."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BodyError(
            f"the body is not UTF-8 (byte 0x{body[error.start]:02X} at offset {error.start:,})"
        ) from None
    start = text.lstrip()[:1]
    if not start:
        raise BodyError("the body is empty: send a JSON array of check-ins, or JSONL")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type in JSON_TYPES or (media_type not in JSONL_TYPES and start == "["):
        objects = _array(text)
    elif media_type in JSONL_TYPES or start == "{":
        objects = _lines(text)
    else:
        raise BodyError(
            "the body is neither a JSON array nor JSONL: send application/json (an array of "
            "objects) or application/x-ndjson (one object per line)"
        )
    return _records(objects)


def _array(text: str) -> list[dict]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise BodyError(
            f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise BodyError("the JSON is nested too deeply") from None
    if not isinstance(value, list):
        raise BodyError(
            "expected a JSON array of check-in objects (send one object per line as "
            "application/x-ndjson)"
        )
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise BodyError(f"row {index + 1} is not a JSON object", row=index + 1)
    return value


def _lines(text: str) -> list[dict]:
    """JSONL lines; blank lines are not rows. Split on \\n only: a JSON string may hold other
    line separators (U+2028) as they are."""
    objects = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise BodyError(
                f"line {number} is not valid JSON (column {error.colno}: {error.msg})",
                line=number,
            ) from None
        except RecursionError:
            raise BodyError(f"line {number}: the JSON is nested too deeply", line=number) from None
        if not isinstance(value, dict):
            raise BodyError(f"line {number} is not a JSON object", line=number)
        objects.append(value)
    return objects


def _records(objects: list[dict]) -> Records:
    ids: list[str | None] = []
    for item in objects:
        item.pop("source", None)  # a key writes under its own source, whatever a row says
        ids.append(_external_id(item.get("external_id")))
    return Records(objects, ids)


def _external_id(value: object) -> str | None:
    """The external_id echoed in the answer, as the importer reads it (a number as text)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return None
