"""Sign-in sessions and wall-screen devices, kept in the database.

The browser's cookie holds a random secret; a row keeps its SHA-256 digest (the secret has 256
random bits, so a fast digest is enough and a stolen table opens nothing). A session belongs to
an account or to a wall screen. `resolve` is read on every run of the dashboard: a revoked,
expired or idle session, a deactivated account or a revoked screen gives None there and then.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from config.settings import SessionSettings
from db.schema import app_user, district, user_session, wall_screen, ward
from queries.users import Account, account_by_id, scope_of
from rules.access import Scope, area_of

# Whole minutes between writes of last_seen_at: every click reads the session, and writing it
# on each would make reading a page a write.
TOUCH_EVERY = timedelta(minutes=1)
# How long a single sign-on ticket (web/auth.py) may wait for its browser.
TICKET_LIFETIME = timedelta(minutes=2)
WALL_SCREEN_PREFIX = "screen:"


class WallScreenError(ValueError):
    """A wall screen that cannot be registered (name taken, unknown district)."""


@dataclass(frozen=True)
class Session:
    """A live session: whose it is, and what the dashboard needs to show it."""

    id: int
    account: Account | None
    wall_screen: WallScreen | None
    expires_at: datetime
    last_seen_at: datetime

    @property
    def username(self) -> str:
        if self.account is not None:
            return self.account.username
        return WALL_SCREEN_PREFIX + self.screen().name

    def screen(self) -> WallScreen:
        """The wall screen of a session without an account (every session has one or the
        other)."""
        if self.wall_screen is None:
            raise ValueError(f"session {self.id} has neither an account nor a wall screen")
        return self.wall_screen


@dataclass(frozen=True)
class WallScreen:
    id: int
    name: str
    district_code: str | None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(
    connection: Connection,
    now: datetime,
    rules: SessionSettings,
    *,
    user_id: int | None = None,
    wall_screen_id: int | None = None,
    method: str,
    user_agent: str = "",
    adopted: bool = True,
) -> tuple[int, str]:
    """A new session; returns its id and the secret for the cookie (never stored)."""
    secret = new_secret()
    lifetime = (
        timedelta(days=rules.wall_screen_days)
        if wall_screen_id is not None
        else timedelta(hours=rules.lifetime_hours)
    )
    session_id = connection.execute(
        user_session.insert()
        .values(
            digest=digest(secret),
            user_id=user_id,
            wall_screen_id=wall_screen_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            user_agent=user_agent[:200],
            method=method,
            adopted=adopted,
        )
        .returning(user_session.c.id)
    ).scalar_one()
    return session_id, secret


def resolve(
    connection: Connection, secret: str, now: datetime, rules: SessionSettings
) -> Session | None:
    """The live session behind a cookie's secret, or None. Reads only (each click of the
    dashboard asks; on SQLite a write would queue behind every declaration): note_use()
    records the use."""
    if not secret or len(secret) > 100:
        return None
    row = connection.execute(
        select(
            user_session.c.id,
            user_session.c.user_id,
            user_session.c.wall_screen_id,
            user_session.c.last_seen_at,
            user_session.c.expires_at,
            wall_screen.c.name,
            wall_screen.c.district_code,
            wall_screen.c.revoked_at.label("screen_revoked_at"),
        )
        .outerjoin(wall_screen, wall_screen.c.id == user_session.c.wall_screen_id)
        .where(
            user_session.c.digest == digest(secret),
            user_session.c.revoked_at.is_(None),
            user_session.c.adopted.is_(True),
        )
    ).one_or_none()
    if row is None or row.expires_at <= now:
        return None
    screen = None
    account = None
    if row.wall_screen_id is not None:
        if row.screen_revoked_at is not None:
            return None
        screen = WallScreen(row.wall_screen_id, row.name, row.district_code)
    else:
        if row.last_seen_at + timedelta(minutes=rules.idle_minutes) <= now:
            return None
        account = account_by_id(connection, row.user_id)
        if account is None:  # deactivated (or gone)
            return None
    return Session(row.id, account, screen, row.expires_at, row.last_seen_at)


def needs_noting(session: Session, now: datetime) -> bool:
    return now - session.last_seen_at >= TOUCH_EVERY


def note_use(connection: Connection, session: Session, now: datetime) -> None:
    """Record that the session was used now (what the idle timeout counts from), at most once
    per TOUCH_EVERY."""
    if not needs_noting(session, now):
        return
    connection.execute(
        update(user_session).where(user_session.c.id == session.id).values(last_seen_at=now)
    )
    if session.wall_screen is not None:
        connection.execute(
            update(wall_screen)
            .where(wall_screen.c.id == session.wall_screen.id)
            .values(last_seen_at=now)
        )


def scope_of_session(connection: Connection, session: Session) -> Scope:
    """What the session may read: its account's role and area as they are now, or, for a wall
    screen, the command-centre role over the screen's district (or the city)."""
    if session.account is not None:
        return scope_of(connection, session.account)
    district_code = session.screen().district_code
    wards_by_district: dict[str, list[str]] = {}
    if district_code:
        wards_by_district[district_code] = list(
            connection.scalars(select(ward.c.code).where(ward.c.district_code == district_code))
        )
    return Scope(
        username=session.username,
        role="command_centre",
        ward_codes=area_of(district_code, None, wards_by_district),
        district_code=district_code,
    )


def end_sessions_of_account(connection: Connection, user_id: int, now: datetime) -> int:
    """Sign-out, deactivation, a role change: every open session of the account ends."""
    return connection.execute(
        update(user_session)
        .where(user_session.c.user_id == user_id, user_session.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def end_session(connection: Connection, session_id: int, now: datetime) -> None:
    connection.execute(
        update(user_session)
        .where(user_session.c.id == session_id, user_session.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def open_sessions(
    connection: Connection, now: datetime, rules: SessionSettings
) -> list[dict[str, Any]]:
    """Sessions that would still be accepted, newest first, for the administrators."""
    idle_after = now - timedelta(minutes=rules.idle_minutes)
    rows = connection.execute(
        select(
            user_session.c.id,
            func.coalesce(app_user.c.username, WALL_SCREEN_PREFIX + wall_screen.c.name).label(
                "who"
            ),
            user_session.c.method,
            user_session.c.created_at,
            user_session.c.last_seen_at,
            user_session.c.expires_at,
            user_session.c.user_agent,
        )
        .outerjoin(app_user, app_user.c.id == user_session.c.user_id)
        .outerjoin(wall_screen, wall_screen.c.id == user_session.c.wall_screen_id)
        .where(
            user_session.c.revoked_at.is_(None),
            user_session.c.adopted.is_(True),
            user_session.c.expires_at > now,
            or_(
                and_(user_session.c.user_id.is_not(None), user_session.c.last_seen_at > idle_after),
                and_(
                    user_session.c.wall_screen_id.is_not(None), wall_screen.c.revoked_at.is_(None)
                ),
            ),
        )
        .order_by(user_session.c.created_at.desc())
    )
    return [dict(row._mapping) for row in rows]


# --- single sign-on tickets -----------------------------------------------------------------


def ticket_for(session_id: int, now: datetime, key: bytes) -> str:
    """A one-time, short-lived ticket that hands a session made in the dashboard (single
    sign-on) to its browser: "<session id>.<expiry>.<signature>"."""
    expires = int((now + TICKET_LIFETIME).timestamp())
    return f"{session_id}.{expires}.{_sign(f'{session_id}.{expires}', key)}"


def adopt(connection: Connection, ticket: str, now: datetime, key: bytes) -> str | None:
    """The cookie secret of the session a valid, unused ticket names (a new secret, so the
    ticket opens it once), or None."""
    parts = ticket.split(".")
    if len(parts) != 3 or not all(part.isascii() and part for part in parts):
        return None
    session_id, expires, signature = parts
    if not (session_id.isdigit() and expires.isdigit()):
        return None
    if not hmac.compare_digest(signature, _sign(f"{session_id}.{expires}", key)):
        return None
    if int(expires) < now.timestamp():
        return None
    secret = new_secret()
    adopted = connection.execute(
        update(user_session)
        .where(
            user_session.c.id == int(session_id),
            user_session.c.adopted.is_(False),
            user_session.c.revoked_at.is_(None),
        )
        .values(adopted=True, digest=digest(secret), last_seen_at=now)
    ).rowcount
    return secret if adopted == 1 else None


def _sign(message: str, key: bytes) -> str:
    return hmac.new(key, f"ticket\0{message}".encode(), hashlib.sha256).hexdigest()[:32]


# --- wall screens ---------------------------------------------------------------------------


def add_wall_screen(
    connection: Connection,
    name: str,
    district_code: str | None,
    created_by: str,
    now: datetime,
) -> str:
    """Register a wall screen; returns the secret of its device link (shown once)."""
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise WallScreenError("a wall screen's name has 1 to 80 characters")
    if district_code is not None and not connection.scalar(
        select(func.count()).select_from(district).where(district.c.code == district_code)
    ):
        raise WallScreenError(f"unknown district {district_code!r}")
    if connection.scalar(
        select(func.count()).select_from(wall_screen).where(wall_screen.c.name == name)
    ):
        raise WallScreenError(f"the name {name!r} is taken")
    secret = new_secret()
    connection.execute(
        wall_screen.insert().values(
            name=name,
            district_code=district_code,
            link_digest=digest(secret),
            created_at=now,
            created_by=created_by,
        )
    )
    return secret


def wall_screen_link(base_url: str, secret: str) -> str:
    """The URL to open on the screen (web/auth.py's /session/screen)."""
    return f"{base_url.rstrip('/')}/session/screen?key={secret}"


def wall_screen_for_link(connection: Connection, secret: str) -> WallScreen | None:
    if not secret or len(secret) > 100:
        return None
    row = connection.execute(
        select(wall_screen.c.id, wall_screen.c.name, wall_screen.c.district_code).where(
            wall_screen.c.link_digest == digest(secret), wall_screen.c.revoked_at.is_(None)
        )
    ).one_or_none()
    return WallScreen(*row) if row else None


def revoke_wall_screen(connection: Connection, name: str, now: datetime) -> bool:
    """Revoke a screen: its link opens nothing and its sessions end at their next run."""
    return (
        connection.execute(
            update(wall_screen)
            .where(wall_screen.c.name == name, wall_screen.c.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount
        == 1
    )


def list_wall_screens(connection: Connection) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(
            wall_screen.c.name,
            wall_screen.c.district_code,
            wall_screen.c.created_at,
            wall_screen.c.created_by,
            wall_screen.c.last_seen_at,
            wall_screen.c.revoked_at,
        ).order_by(wall_screen.c.name)
    )
    return [dict(row._mapping) for row in rows]
