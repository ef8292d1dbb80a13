"""Accounts for each role in the demo city, with random passwords shown once on the console."""

from __future__ import annotations

import sys

from sqlalchemy import Connection, select

from db.schema import venue, ward
from queries.users import create_user, new_password

DEMO_DISTRICT = "764"  # Quận Gò Vấp, whose 2021 figures the brief quotes


def create_demo_accounts(connection: Connection) -> list[tuple[str, str, str, str]]:
    """(username, role, area, password) for each demo account; skips existing usernames."""
    first_ward = connection.scalar(
        select(ward.c.code).where(ward.c.district_code == DEMO_DISTRICT).order_by(ward.c.code)
    )
    market = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == "CDM-BD"))
    plan = [
        ("admin", "admin", None, None, None),
        ("command", "command_centre", None, None, None),
        ("leader", "leadership", None, None, None),
        ("officer.govap", "district_officer", DEMO_DISTRICT, None, None),
        ("officer.ward", "ward_officer", None, first_ward, None),
        ("epi", "epidemiologist", None, None, None),
        ("staff.binhdien", "venue_staff", None, None, market),
    ]
    created = []
    for username, role, district_code, ward_code, venue_id in plan:
        if role == "venue_staff" and venue_id is None:
            continue
        password = new_password()
        try:
            create_user(connection, username, password, role, district_code, ward_code, venue_id)
        except ValueError:
            continue  # already there from an earlier start
        area = ward_code or district_code or ("CDM-BD" if venue_id else "city")
        created.append((username, role, area, password))
    return created


def print_accounts(accounts: list[tuple[str, str, str, str]]) -> None:
    if not accounts:
        return
    lines = ["", "KBYT demo accounts (shown once; change or deactivate them in production):"]
    lines += [f"  {u:16} {r:17} {a:8} password: {p}" for u, r, a, p in accounts]
    print("\n".join(lines) + "\n", file=sys.stderr, flush=True)
