"""Roles, areas and masking (pure), and local accounts on both databases."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import CheckConstraint, select

from db.schema import app_user, audit_log, follow_up
from queries.area import allowed_wards, wards_by_district
from queries.audit import list_audit, record
from queries.filters import Filter
from queries.users import SignInError, authenticate, create_user, scope_of, sign_in
from rules.access import ROLES, AccessError, Scope, mask_id_number, mask_name, mask_phone, narrow
from rules.follow_up import STATUSES

DAY = Filter(datetime(2021, 8, 1).date(), datetime(2021, 8, 1).date())
GO_VAP = frozenset(wards_by_district()["764"])


def test_masks_keep_enough_to_recognise_and_nothing_more():
    assert mask_name("Nguyễn Văn An") == "N. V. A."
    assert mask_phone("+84903123456") == "+84••••••456"
    assert mask_id_number("079201012345") == "•••••••••345"
    assert mask_id_number(None) == ""


@pytest.mark.parametrize(
    ("scope_wards", "district", "ward", "expected"),
    [
        (None, None, None, None),  # city-wide user, whole city
        (None, "764", None, GO_VAP),
        (None, "764", "26878", frozenset({"26878"})),
        (GO_VAP, None, None, GO_VAP),  # a district officer sees their district by default
        (GO_VAP, "764", "26878", frozenset({"26878"})),
        (GO_VAP, "760", None, frozenset()),  # another district: nothing
        (frozenset({"26878"}), "764", None, frozenset({"26878"})),  # a ward officer
        (frozenset({"26878"}), "764", "26881", frozenset()),  # a neighbouring ward: nothing
    ],
)
def test_the_filter_is_narrowed_to_the_users_area(scope_wards, district, ward, expected):
    assert narrow(scope_wards, district, ward, wards_by_district()) == expected


def test_allowed_wards_combines_filter_and_scope():
    officer = Scope("o", "district_officer", GO_VAP, None, "764")
    assert allowed_wards(Filter(DAY.first_day, DAY.last_day, "760"), officer) == frozenset()
    assert allowed_wards(DAY, None) is None


@pytest.mark.parametrize(
    ("role", "district", "ward", "venue", "message"),
    [
        ("superuser", None, None, None, "unknown role 'superuser'"),
        ("district_officer", None, None, None, "a district_officer needs --district"),
        ("ward_officer", None, None, None, "a ward_officer needs --ward"),
        ("venue_staff", None, None, None, "a venue_staff needs --venue"),
        ("district_officer", "999", None, None, "unknown district '999'"),
        ("ward_officer", "760", "26878", None, "ward 26878 is not in district 760"),
    ],
)
def test_accounts_must_fit_their_role(engine, role, district, ward, venue, message):
    with engine.begin() as connection, pytest.raises(AccessError, match=message):
        create_user(connection, "x.user", "long enough password", role, district, ward, venue)


def test_passwords_are_hashed_and_short_ones_refused(engine):
    with engine.begin() as connection:
        create_user(connection, "Epi.One", "long enough password", "epidemiologist")
        with pytest.raises(AccessError, match="at least 10 characters"):
            create_user(connection, "epi.two", "short", "epidemiologist")
        with pytest.raises(AccessError, match="taken"):
            create_user(connection, "epi.one", "long enough password", "epidemiologist")
        stored = connection.scalar(select(app_user.c.password_hash))
    assert stored.startswith("$argon2") and "long enough" not in stored


def test_five_wrong_passwords_lock_the_account_for_a_while(engine):
    now = datetime(2021, 8, 1, 8, 0, tzinfo=UTC)
    with engine.begin() as connection:
        create_user(connection, "officer", "the right password", "ward_officer", None, "26878")
    for _ in range(5):
        with engine.begin() as connection, pytest.raises(SignInError, match="wrong"):
            authenticate(connection, "officer", "a wrong password", now)
    with engine.begin() as connection, pytest.raises(SignInError, match="too many failed"):
        authenticate(connection, "officer", "the right password", now + timedelta(minutes=1))
    with engine.begin() as connection:
        account = authenticate(
            connection, "OFFICER ", "the right password", now + timedelta(minutes=16)
        )
        scope = scope_of(connection, account)
    assert scope.ward_codes == frozenset({"26878"}) and scope.district_code == "764"
    assert scope.personal_data


def test_wrong_passwords_at_the_sign_in_form_are_committed_and_lock_the_account(engine):
    """What the sign-in form calls: each failure is committed although SignInError is raised,
    so eight wrong passwords lock the account and the right one is refused (before, the count
    was rolled back with the error and the ninth attempt signed in)."""
    now = datetime(2021, 8, 1, 8, 0, tzinfo=UTC)
    with engine.begin() as connection:
        create_user(connection, "officer", "the right password", "ward_officer", None, "26878")
    for n in range(1, 9):
        with pytest.raises(SignInError):
            sign_in(engine, "officer", "a wrong password", now + timedelta(seconds=n))
        if n == 3:
            with engine.connect() as connection:
                assert connection.scalar(select(app_user.c.failed_logins)) == 3
    with pytest.raises(SignInError, match="too many failed"):
        sign_in(engine, "officer", "the right password", now + timedelta(minutes=1))
    with engine.connect() as connection:
        locked_until = connection.scalar(select(app_user.c.locked_until))
    assert locked_until == now + timedelta(seconds=5) + timedelta(minutes=15)
    account = sign_in(engine, "officer", "the right password", now + timedelta(minutes=16))
    assert account.username == "officer"


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(engine):
    with (
        engine.begin() as connection,
        pytest.raises(SignInError, match="wrong username or password"),
    ):
        authenticate(connection, "nobody", "whatever it is")


def test_audit_records_are_listed_newest_first(engine):
    at = datetime(2021, 8, 1, 8, 0, tzinfo=UTC)
    with engine.begin() as connection:
        record(
            connection, "epi", "trace", "case 7", case_id=7, purpose="cluster at Bình Điền", at=at
        )
        record(
            connection,
            "epi",
            "export",
            "contacts of case 7",
            case_id=7,
            row_count=42,
            at=at + timedelta(minutes=1),
        )
        record(
            connection,
            "officer",
            "view",
            "check-ins at CHO-1",
            row_count=3,
            at=at + timedelta(minutes=2),
        )
        with pytest.raises(ValueError, match="unknown audit action"):
            record(connection, "x", "peek", "y")
    with engine.connect() as connection:
        everything = list_audit(connection, at, at + timedelta(hours=1))
        epi = list_audit(connection, at, at + timedelta(hours=1), username="epi")
        count = len(connection.execute(select(audit_log.c.id)).all())
    assert list(everything["action"]) == ["view", "export", "trace"]
    assert list(epi["row_count"]) == [42, 0]
    assert epi.iloc[1]["purpose"] == "cluster at Bình Điền"
    assert count == 3


def test_the_database_knows_the_same_roles_and_statuses_as_the_rules():
    def allowed(table, name):
        check = next(
            c
            for c in table.constraints
            if isinstance(c, CheckConstraint) and str(c.name).endswith(name)
        )
        return set(str(check.sqltext).split("IN (")[1].rstrip(")").replace("'", "").split(","))

    assert allowed(app_user, "role") == set(ROLES)
    assert allowed(follow_up, "status") == set(STATUSES)
