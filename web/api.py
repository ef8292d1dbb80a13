"""The partner ingest API (contract: docs/api.md).

POST /api/v1/checkins   check-ins from a partner system, under its API key's source
GET  /api/v1/health     whether the database answers

The rows go through the importer (ingest.imports) so that a partner and a file obey the same
rules, are idempotent on the same (source, external_id) and keep the rollups the same way. One
request is one chunk, so one transaction: a database failure leaves nothing of it. Database
work and parsing run in the thread pool: one large body must not stall the event loop that
also serves the dashboard. Every answer is JSON; no detail of a server fault reaches a partner.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ingest.imports import import_checkins
from ingest.parsed_records import ParsedRecords
from ingest.report import ImportFileError, ImportInterrupted, RowOutcome
from ingest.validate import CHECKIN_COLUMNS
from queries.api_keys import key_digest, source_for_key
from queries.audit import about, record
from web.api_body import BodyError, Records, parse_body
from web.context import LazyContext, WebContext, in_database_thread

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
# Deadlock, serialization failure, unique violation: what a concurrent writer can cause.
CONFLICT_CODES = ("40P01", "40001", "23505")
IMPORT_ATTEMPTS = 3
UNAUTHORISED = "Thiếu khóa API hoặc khóa không hợp lệ. / Missing or invalid API key."


@dataclass(frozen=True)
class Answer:
    """What became of a request: a status and a JSON body."""

    status: int
    body: dict


def endpoint(
    handler: Callable[[WebContext, Request], Awaitable[Response]], lazy: LazyContext
) -> Handler:
    """A route whose every failure is a JSON answer; the traceback goes to the log only."""

    async def run(request: Request) -> Response:
        try:
            context = lazy()
        except Exception:  # noqa: BLE001 - no detail of a server fault goes to a partner
            log.exception("partner API: the server is not ready")
            return _error(503, "service unavailable")
        try:
            return await handler(context, request)
        except ClientDisconnect:
            return Response(status_code=400)  # the client is gone; nobody reads this
        except DBAPIError:
            log.exception("partner API: database error on %s", request.url.path)
            return _error(503, "database unavailable; sending the same request again is safe")
        except Exception:  # noqa: BLE001
            log.exception("partner API: %s %s failed", request.method, request.url.path)
            return _error(500, "internal error")

    return run


# --- GET /api/v1/health ---------------------------------------------------------------------


async def health(context: WebContext, request: Request) -> Response:
    if await in_database_thread(context, lambda: _database_answers(context.engine)):
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
    return JSONResponse(
        {"status": "unavailable"}, status_code=503, headers={"Cache-Control": "no-store"}
    )


def _database_answers(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the same to a monitor
        log.warning("health: the database does not answer", exc_info=True)
        return False
    return True


# --- POST /api/v1/checkins ------------------------------------------------------------------


async def post_checkins(context: WebContext, request: Request) -> Response:
    key = presented_key(request.headers)
    source = (
        await in_database_thread(context, lambda: _source(context.engine, key)) if key else None
    )
    if source is None:
        return _error(401, UNAUTHORISED, headers={"WWW-Authenticate": "Bearer"})
    limits, identity = context.limits, key_digest(key)
    if not limits.allow(limits.per_api_key, "api", identity):
        wait = limits.retry_after(limits.per_api_key, "api", identity)
        return _error(
            429,
            f"Quá nhiều yêu cầu với khóa này, hãy thử lại sau {wait} giây. / "
            f"Too many requests with this key; retry after {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    maximum = context.settings.public.api_max_body_bytes
    body = await _read_body(request, maximum)
    if body is None:
        detail = f"refused: body over {maximum:,} bytes"
        await in_database_thread(context, lambda: _audit(context.engine, source, 0, detail))
        return _error(
            413, f"the body is larger than {maximum:,} bytes: split it into smaller requests"
        )
    content_type = request.headers.get("content-type", "")
    return await in_database_thread(
        context, lambda: _ingest_response(context, source, body, content_type)
    )


def presented_key(headers: Headers) -> str:
    scheme, _, value = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get("x-api-key", "").strip()


def _source(engine: Engine, key: str) -> str | None:
    # A write transaction: last_used_at may be written (see source_for_key).
    with engine.begin() as connection:
        return source_for_key(connection, key, datetime.now(UTC))


async def _read_body(request: Request, maximum: int) -> bytes | None:
    """The body, or None as soon as it is over maximum: counted while it streams in, since a
    chunked request has no Content-Length and a stated one may be false."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > maximum:
        return None
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > maximum:
            return None
    return bytes(body)


def _ingest_response(
    context: WebContext, source: str, body: bytes, content_type: str
) -> JSONResponse:
    """ingest, and the answer rendered here too: thousands of rows take a while to encode."""
    answer = ingest(context, source, body, content_type)
    return JSONResponse(answer.body, status_code=answer.status)


def ingest(context: WebContext, source: str, body: bytes, content_type: str) -> Answer:
    """Parse, import and audit one request (in a worker thread)."""
    engine = context.engine
    try:
        records = parse_body(body, content_type)
    except BodyError as error:
        _audit(engine, source, 0, f"refused: {error}")
        return Answer(400, {"error": str(error), **error.where})
    try:
        outcomes = _import(context, source, records) if records.count else []
    except ImportInterrupted as error:
        if not isinstance(error.__cause__, SQLAlchemyError):
            raise  # not the database's: a fault of ours (500)
        log.warning("partner API: database failure, nothing stored", exc_info=error.__cause__)
        _audit_quietly(engine, source, f"failed: database error; {records.count} rows")
        return Answer(
            503,
            {"error": "database unavailable; nothing of this request was stored, "
             "sending it again is safe"},
        )  # fmt: skip
    except ImportFileError as error:
        _audit(engine, source, 0, f"refused: {error}")
        return Answer(400, {"error": str(error)})
    answer = per_row_answer(records, outcomes)
    summary = (
        f"received {answer['received']}: stored {answer['stored']}, "
        f"already present {answer['already_present']}, refused {answer['refused']}"
    )
    _audit(engine, source, answer["stored"], summary)
    return Answer(200, answer)


def _import(context: WebContext, source: str, records: Records) -> list[RowOutcome]:
    """The request as one chunk (one transaction). Requests are imported side by side: the
    write path takes its row locks in key order (people, import keys, each rollup), so two
    requests with the same new people or venue-hours wait for each other instead of
    deadlocking, and one's Python work overlaps the other's database work. A request that
    lost a conflict all the same is tried again (it left nothing, and the import is
    idempotent). ImportInterrupted for any other database failure, or when the tries are
    spent."""
    settings = context.settings
    attempt = 1
    while True:
        outcomes: list[RowOutcome] = []
        try:
            import_checkins(
                context.engine,
                ParsedRecords(records.objects, CHECKIN_COLUMNS),
                source=source,
                chunk_size=records.count,
                zone=settings.zone,
                high_risk_symptoms=settings.risk.high_risk_symptoms,
                outcomes=outcomes,
            )
            return outcomes
        except ImportInterrupted as error:
            if attempt == IMPORT_ATTEMPTS or not _lost_a_conflict(error.__cause__):
                raise
        log.info("partner API: lost a conflict with another writer, trying again")
        time.sleep(random.uniform(0.02, 0.1) * attempt)
        attempt += 1


def _lost_a_conflict(error: BaseException | None) -> bool:
    if not isinstance(error, SQLAlchemyError):
        return False
    return getattr(getattr(error, "orig", None), "pgcode", None) in CONFLICT_CODES


def per_row_answer(records: Records, outcomes: list[RowOutcome]) -> dict:
    """The answer's body; row N of the request is line N of the importer's input."""
    by_line = sorted(outcomes, key=attrgetter("line"))
    if [outcome.line for outcome in by_line] != list(range(1, records.count + 1)):
        raise RuntimeError(f"{len(by_line)} outcomes for {records.count} rows")
    statuses = [outcome.status for outcome in by_line]
    rows = [
        {"row": row, "external_id": external_id, "status": status}
        for row, external_id, status in zip(
            range(1, records.count + 1), records.external_ids, statuses, strict=True
        )
    ]
    for outcome in by_line:
        if outcome.status == "refused":
            rows[outcome.line - 1]["reason"] = outcome.reason
    counts = {status: statuses.count(status) for status in ("stored", "already_present", "refused")}
    return {"received": records.count, **counts, "rows": rows}


def _audit(engine: Engine, source: str, stored: int, detail: str) -> None:
    with engine.begin() as connection:
        record(
            connection,
            f"api:{source}",
            "api.checkins",
            about("api_checkins", source=source),
            row_count=stored,
            detail=detail,
        )


def _audit_quietly(engine: Engine, source: str, detail: str) -> None:
    """The audit row of a request the database failed: it may well fail too."""
    try:
        _audit(engine, source, 0, detail)
    except SQLAlchemyError:
        log.warning("partner API: the audit row of a failed request was not written")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)
