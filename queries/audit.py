"""The audit log: every view or export of personal data, and every trace, with its purpose."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, select

from db.schema import audit_log

ACTIONS = (
    "view",
    "export",
    "trace",
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "setup_code_failed",
    "create_first_admin",
    "wall_screen.add",
    "wall_screen.revoke",
    "purge",
    "import",
    "edit",
    "api.checkins",
    "api_key.create",
    "api_key.revoke",
)


def record(
    connection: Connection,
    username: str,
    action: str,
    subject: str,
    *,
    case_id: int | None = None,
    purpose: str = "",
    row_count: int = 0,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    """Write one audit record (in the caller's transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    connection.execute(
        audit_log.insert().values(
            at=at or datetime.now(UTC),
            username=username,
            action=action,
            subject=subject[:200],
            case_id=case_id,
            purpose=purpose[:300],
            row_count=row_count,
            detail=detail,
        )
    )


def list_audit(
    connection: Connection,
    since: datetime,
    until: datetime,
    username: str | None = None,
    action: str | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    query = (
        select(
            audit_log.c.at,
            audit_log.c.username,
            audit_log.c.action,
            audit_log.c.subject,
            audit_log.c.case_id,
            audit_log.c.purpose,
            audit_log.c.row_count,
        )
        .where(audit_log.c.at >= since, audit_log.c.at < until)
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .limit(limit)
    )
    if username:
        query = query.where(audit_log.c.username == username)
    if action:
        query = query.where(audit_log.c.action == action)
    rows = connection.execute(query).fetchall()
    return pd.DataFrame(
        rows,
        columns=["at", "username", "action", "subject", "case_id", "purpose", "row_count"],
    )
