"""Local accounts: create, authenticate (argon2 hashes, lockout after repeated failures), list."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, Row, func, select, update

from db.schema import app_user, venue, ward
from rules.access import AccessError, Scope, area_of, check_account

HASHER = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps a wrong username as slow as a wrong password. Made at the
    first sign-in, not on import: hashing takes a tenth of a second every command paid."""
    return HASHER.hash("not a password of anyone")


class SignInError(Exception):
    """Wrong credentials or a locked or inactive account; the message may be shown, and
    reason is its key: wrong, inactive, locked, no_account."""

    def __init__(self, message: str, reason: str = "wrong") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    district_code: str | None
    ward_code: str | None
    venue_id: int | None
    id: int | None = None


def new_password() -> str:
    """A random password for demo accounts: 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def create_user(
    connection: Connection,
    username: str,
    password: str | None,
    role: str,
    district_code: str | None = None,
    ward_code: str | None = None,
    venue_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Create an account. A None password makes a single-sign-on-only account."""
    username = username.strip().lower()
    if not username or len(username) > 64:
        raise AccessError("a username has 1 to 64 characters")
    check_account(role, district_code, ward_code, venue_id)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccessError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if ward_code:
        district_of_ward = connection.scalar(
            select(ward.c.district_code).where(ward.c.code == ward_code)
        )
        if district_of_ward is None:
            raise AccessError(f"unknown ward {ward_code!r}")
        district_code = district_code or district_of_ward
        if district_code != district_of_ward:
            raise AccessError(f"ward {ward_code} is not in district {district_code}")
    if district_code and not connection.scalar(
        select(func.count()).select_from(ward).where(ward.c.district_code == district_code)
    ):
        raise AccessError(f"unknown district {district_code!r}")
    if venue_id is not None and not connection.scalar(
        select(func.count()).select_from(venue).where(venue.c.id == venue_id)
    ):
        raise AccessError(f"unknown venue {venue_id}")
    if connection.scalar(select(func.count()).where(app_user.c.username == username)):
        raise AccessError(f"the username {username!r} is taken")
    connection.execute(
        app_user.insert().values(
            username=username,
            password_hash=HASHER.hash(password) if password is not None else None,
            role=role,
            district_code=district_code,
            ward_code=ward_code,
            venue_id=venue_id,
            created_at=now or datetime.now(UTC),
        )
    )


def authenticate(
    connection: Connection, username: str, password: str, now: datetime | None = None
) -> Account:
    """The account for these credentials, or SignInError. Repeated failures lock it a while."""
    now = now or datetime.now(UTC)
    row = connection.execute(
        select(app_user).where(app_user.c.username == username.strip().lower())
    ).one_or_none()
    if row is None or not row.password_hash:
        _verify(_dummy_hash(), password)
        raise SignInError("wrong username or password")
    if not row.active:
        raise SignInError("this account is deactivated", "inactive")
    if row.locked_until is not None and row.locked_until > now:
        raise SignInError("too many failed attempts; try again in a few minutes", "locked")
    if not _verify(row.password_hash, password):
        failures = row.failed_logins + 1
        locked = now + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
        connection.execute(
            update(app_user)
            .where(app_user.c.id == row.id)
            .values(failed_logins=0 if locked else failures, locked_until=locked)
        )
        raise SignInError("wrong username or password")
    connection.execute(
        update(app_user)
        .where(app_user.c.id == row.id)
        .values(failed_logins=0, locked_until=None, last_login_at=now)
    )
    return _account(row)


def sign_in(engine: Engine, username: str, password: str, now: datetime | None = None) -> Account:
    """authenticate() in a transaction of its own, committed whatever the outcome: a failed
    attempt counts towards the lockout even though SignInError is raised (inside the caller's
    transaction it was rolled back with the error, and the lockout never took effect)."""
    with engine.begin() as connection:
        try:
            return authenticate(connection, username, password, now)
        except SignInError as error:
            refused = error  # leave the block normally, so that the count is committed
    raise refused


def account_for_sso(connection: Connection, email: str) -> Account:
    """The account of a user signed in through the city's single sign-on (username = e-mail)."""
    row = connection.execute(
        select(app_user).where(app_user.c.username == email.strip().lower())
    ).one_or_none()
    if row is None or not row.active:
        raise SignInError(f"{email} has no active KBYT account; ask an administrator", "no_account")
    return _account(row)


def scope_of(connection: Connection, account: Account) -> Scope:
    wards_by_district: dict[str, list[str]] = {}
    if account.district_code:
        wards_by_district[account.district_code] = list(
            connection.scalars(
                select(ward.c.code).where(ward.c.district_code == account.district_code)
            )
        )
    return Scope(
        username=account.username,
        role=account.role,
        ward_codes=area_of(account.district_code, account.ward_code, wards_by_district),
        venue_ids=frozenset({account.venue_id}) if account.venue_id is not None else None,
        district_code=account.district_code,
    )


def count_users(connection: Connection) -> int:
    return connection.scalar(select(func.count()).select_from(app_user)) or 0


def list_users(connection: Connection) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(
            app_user.c.username,
            app_user.c.role,
            app_user.c.district_code,
            app_user.c.ward_code,
            app_user.c.venue_id,
            app_user.c.active,
            app_user.c.last_login_at,
        ).order_by(app_user.c.username)
    )
    return [dict(row._mapping) for row in rows]


def set_active(
    connection: Connection, username: str, active: bool, now: datetime | None = None
) -> bool:
    """Activate or deactivate an account; deactivating ends every open session of it."""
    user_id = connection.scalar(select(app_user.c.id).where(app_user.c.username == username))
    if user_id is None:
        return False
    connection.execute(update(app_user).where(app_user.c.id == user_id).values(active=active))
    if not active:
        from queries.sessions import end_sessions_of_account  # sessions import this module

        end_sessions_of_account(connection, user_id, now or datetime.now(UTC))
    return True


def account_by_id(connection: Connection, user_id: int) -> Account | None:
    """The active account with this id, read afresh (role and area as they are now)."""
    row = connection.execute(
        select(app_user).where(app_user.c.id == user_id, app_user.c.active.is_(True))
    ).one_or_none()
    return _account(row) if row else None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _account(row: Row[*tuple[Any, ...]]) -> Account:
    return Account(
        username=row.username,
        role=row.role,
        district_code=row.district_code,
        ward_code=row.ward_code,
        venue_id=row.venue_id,
        id=row.id,
    )
