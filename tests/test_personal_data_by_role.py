"""Which columns each role sees: names, phones and ID numbers only for roles with the right,
table-driven over every role, on both databases."""

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from queries.risk import risk_list
from queries.venues import who_checked_in
from queries.writes import resolve_people, write_checkins
from rules.access import PERSONAL_DATA_ROLES, ROLES, Scope
from tests.checkin_rows import checkin_frame
from tests.venue_rows import add_venues, market_row

LOCAL = timezone(timedelta(hours=7))
START = datetime(2021, 8, 1, tzinfo=LOCAL)


@pytest.fixture
def one_declaration(engine):
    with engine.begin() as connection:
        venue_id = add_venues(connection, market_row("M1", "Chợ", "26734"))["M1"]
        person_id = resolve_people(connection, pd.DataFrame({
            "phone": ["+84903123456"], "full_name": ["Nguyễn Văn An"], "id_number": ["079201012345"],
        }))[0]  # fmt: skip
        write_checkins(connection, checkin_frame([dict(
            person_id=person_id, venue_id=venue_id, checked_in_at=START + timedelta(hours=8),
            channel="self", risk_level=1, risk_reasons="symptom:fever",
        )]))  # fmt: skip
    return venue_id


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_personal_data_only_with_the_right(engine, one_declaration, role):
    scope = Scope(f"u.{role}", role)
    with engine.connect() as connection:
        seen = who_checked_in(connection, one_declaration, START, START + timedelta(days=1), scope)
        risky, _ = risk_list(connection, START, START + timedelta(days=1), None, scope)
    row, listed = seen.rows.iloc[0], risky.iloc[0]
    if role in PERSONAL_DATA_ROLES:
        assert (row["full_name"], row["phone"], row["id_number"]) == (
            "Nguyễn Văn An",
            "+84903123456",
            "079201012345",
        )
        assert (listed["full_name"], listed["phone"]) == ("Nguyễn Văn An", "+84903123456")
    else:
        assert (row["full_name"], row["phone"], row["id_number"]) == (
            "N. V. A.",
            "+84••••••456",
            "•••••••••345",
        )
        assert (listed["full_name"], listed["phone"]) == ("N. V. A.", "+84••••••456")
    assert seen.masked == (role not in PERSONAL_DATA_ROLES)


def test_the_roles_with_personal_data_are_the_brief_s():
    assert PERSONAL_DATA_ROLES == {
        "admin",
        "district_officer",
        "ward_officer",
        "epidemiologist",
        "venue_staff",
    }
