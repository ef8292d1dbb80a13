"""Declarations through the row write path, on both databases: rollups as the bulk path keeps
them, a submission stored once, nothing disclosed or changed about a known person, the
declarer recorded, and many writers at once without a lock error."""

import subprocess
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from db.schema import (
    advance_declaration,
    alert,
    checkin,
    checkin_identity,
    person,
    venue_day,
    venue_hour,
    ward_day,
    ward_hour,
)
from ingest.forms import validate_declarant
from queries.cases import register_case
from queries.declarations import confirm_advance, declare, declare_in_advance
from queries.integrity import rollup_mismatches
from queries.writes import resolve_people
from tests.command_line import start_manage
from tests.venue_rows import add_venues, market_row

KEY = b"test key"
AT = datetime(2021, 7, 20, 1, 30, tzinfo=UTC)  # 08:30 in Ho Chi Minh City


def someone(name, phone, **details):
    declarant, errors = validate_declarant(name, phone, **details)
    assert errors == {}
    return declarant


@pytest.fixture
def market(engine):
    with engine.begin() as connection:
        return add_venues(
            connection,
            market_row("M1", "Chợ Tân Định", "26734"),
            market_row("M2", "Chợ Bến Thành", "26743"),
        )


def count(engine, table):
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def test_declarations_keep_every_rollup_equal_to_the_check_ins(engine, market):
    an = someone("Nguyễn Văn An", "0903000001", symptoms=("cough",))
    binh = someone("Trần Thị Bình", "0903000002", symptoms=("fever",), exposures=("lockdown_area",))
    with engine.begin() as connection:
        declare(connection, market["M1"], [an], "self", AT, "s1", KEY)
        declare(connection, market["M1"], [binh, an], "proxy", AT + timedelta(minutes=5), "s2",
                KEY, declared_by=an)  # fmt: skip
        declare(connection, market["M2"], [an], "self", AT + timedelta(hours=20), "s3", KEY)
    with engine.connect() as connection:
        assert rollup_mismatches(connection) == []
        hour = connection.execute(
            select(venue_hour.c.checkins, venue_hour.c.at_risk, venue_hour.c.high_risk).where(
                venue_hour.c.venue_id == market["M1"]
            )
        ).all()
        assert hour == [(3, 3, 1)]
        assert connection.scalar(select(func.sum(ward_hour.c.checkins))) == 4
        # 20 hours later is the next local day: two days for the ward rollup, one per venue.
        assert connection.scalar(select(func.count()).select_from(ward_day)) == 2
        first = connection.scalar(
            select(venue_day.c.first_hour_start).where(venue_day.c.venue_id == market["M1"])
        )
        assert first == datetime(2021, 7, 20, 1, tzinfo=UTC)


def test_the_same_submission_twice_is_stored_once_and_confirmed_the_same(engine, market):
    an = someone("Nguyễn Văn An", "0903000001", symptoms=("cough",))
    with engine.begin() as connection:
        first = declare(connection, market["M1"], [an], "self", AT, "tap", KEY)
    with engine.begin() as connection:
        again = declare(
            connection, market["M1"], [an], "self", AT + timedelta(seconds=3), "tap", KEY
        )
    assert again == first
    assert count(engine, checkin) == 1
    with engine.connect() as connection:
        assert connection.scalar(select(venue_hour.c.checkins)) == 1


def test_a_known_case_declared_by_a_stranger_shows_only_the_answers_risk_and_alerts_quietly(
    engine, market
):
    with engine.begin() as connection:
        [case_person] = map(int, resolve_people(
            connection,
            pd.DataFrame(
                {"phone": ["+84903000009"], "full_name": ["Lê Văn Ca"], "id_number": ["079201000001"],
                 "birth_year": [1980], "home_ward_code": ["26734"]}
            ),
        ))  # fmt: skip
        register_case(
            connection, int(case_person), "confirmed", date(2021, 7, 18), None, None, "epi"
        )
    stranger = someone("Phạm Thị Lạ", "0903000010", symptoms=("cough",))
    typed_as_case = someone(
        "Lê Văn Ca", "0903 000 009", symptoms=("cough",), id_number="079999999999",
        birth_year=2001, home_ward_code="26743",
    )  # fmt: skip
    with engine.begin() as connection:
        [plain] = declare(connection, market["M1"], [stranger], "self", AT, "a", KEY)
        [known] = declare(connection, market["M1"], [typed_as_case], "self", AT, "b", KEY)

    assert known.answers_risk == plain.answers_risk  # what the public page is built from
    assert (known.answers_risk.level, known.answers_risk.reasons) == (1, ("symptom:cough",))
    assert (known.risk.level, known.risk.alert) == (2, True)  # for staff and the authorities
    with engine.connect() as connection:
        assert connection.execute(select(alert.c.person_id, alert.c.reason)).all() == [
            (case_person, "open_case")
        ]
        stored = connection.execute(
            select(person.c.id_number, person.c.birth_year, person.c.home_ward_code).where(
                person.c.id == case_person
            )
        ).one()
        assert tuple(stored) == ("079201000001", 1980, "26734")  # unchanged
        declared = connection.execute(
            select(checkin_identity.c.id_number, checkin_identity.c.birth_year,
                   checkin_identity.c.home_ward_code)
            .where(checkin_identity.c.checkin_id == known.checkin_id)
        ).one()  # fmt: skip
        assert tuple(declared) == ("079999999999", 2001, "26743")  # kept with the check-in


def test_a_new_person_is_created_with_what_they_declared(engine, market):
    an = someone("Nguyễn Văn An", "0903000001", id_number="079201000002", birth_year=1990)
    with engine.begin() as connection:
        declare(connection, market["M1"], [an], "self", AT, "s", KEY)
    with engine.connect() as connection:
        row = connection.execute(select(person.c.id_number, person.c.birth_year)).one()
    assert tuple(row) == ("079201000002", 1990)


def test_a_proxy_declaration_records_the_declarer_on_every_dependant(engine, market):
    declarer = someone("Trần Văn Bình", "0912000111")
    dependants = [someone("Trần Thị Cúc", "0912000111"), someone("Trần Văn Dũng", "0988777666")]
    with engine.begin() as connection:
        declare(connection, market["M1"], dependants, "proxy", AT, "p", KEY, declared_by=declarer)
        stored = connection.execute(
            select(person.c.full_name, checkin.c.declared_by_person_id)
            .join(person, person.c.id == checkin.c.person_id)
            .order_by(checkin.c.id)
        ).all()
        declarer_id = connection.scalar(
            select(person.c.id).where(person.c.full_name == "Trần Văn Bình")
        )
    assert stored == [("Trần Thị Cúc", declarer_id), ("Trần Văn Dũng", declarer_id)]


def test_an_advance_declaration_sent_twice_gives_one_code(engine, market):
    em = someone("Lê Thị Em", "0977000222", id_number="079201000003")
    with engine.begin() as connection:
        first = declare_in_advance(connection, market["M1"], em, AT, submission="adv")
        second = declare_in_advance(connection, market["M1"], em, AT, submission="adv")
    assert first == second and count(engine, advance_declaration) == 1
    with engine.begin() as connection:
        confirmed = confirm_advance(connection, first, None, "staff", AT + timedelta(hours=1), KEY)
        declared = connection.scalar(
            select(checkin_identity.c.id_number).where(
                checkin_identity.c.checkin_id == confirmed.checkin_id
            )
        )
    assert declared == "079201000003"


def declare_from_threads(engine, threads: int, each: int, venue_of) -> list[str]:
    """`threads` threads at once, each declaring `each` people one after another (the nth at
    venue venue_of(n)), each declaration its own transaction; returns the first line of every
    failure."""
    failures: list[str] = []

    def work(thread: int) -> None:
        for n in range(each):
            declarant = someone(f"Người {thread} {n}", f"0903{thread:03d}{n:03d}")
            try:
                with engine.begin() as connection:
                    declare(connection, venue_of(n), [declarant], "self", AT, uuid.uuid4().hex, KEY)
            except Exception as error:  # noqa: BLE001 - every failure is the finding
                failures.append(str(error).splitlines()[0])

    started = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return failures


def test_many_writers_at_once_all_succeed(engine, market):
    """8 threads × 25 declarations: on SQLite each transaction takes the write lock up front
    and waits for it; none may fail with 'database is locked'."""
    failures = declare_from_threads(
        engine, threads=8, each=25, venue_of=lambda n: market["M1" if n % 2 else "M2"]
    )
    assert failures == []
    assert count(engine, checkin) == 200
    with engine.connect() as connection:
        assert rollup_mismatches(connection) == []


def test_a_dashboard_reading_does_not_hold_up_a_declaration(engine, market):
    """A read left open (a deferred transaction) while another connection declares."""
    an = someone("Nguyễn Văn An", "0903000001")
    with engine.connect() as reader:
        reader.execute(select(func.count()).select_from(checkin)).scalar()
        with engine.begin() as connection:
            declare(connection, market["M1"], [an], "self", AT, "r", KEY)
        assert reader.in_transaction()
    assert count(engine, checkin) == 1


def test_declarations_go_on_beside_an_import_and_a_purge_in_other_processes(
    engine, database_url, market, tmp_path
):
    """An operator imports 30,000 check-ins and purges old ones from the command line while
    phones declare: on SQLite the processes queue on the write lock; nobody fails."""
    lines = ["external_id,venue_ref,phone,full_name,checked_in_at"]
    lines += [
        f"I-{n},M{1 + n % 2},+849{n:08d},Người nhập {n},2021-07-19T{8 + n % 10:02d}:00:00+07:00"
        for n in range(30_000)
    ]
    (tmp_path / "checkins.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    operator = [
        start_manage(
            *args, database_url=database_url, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for args in (
            ["import-checkins", str(tmp_path / "checkins.csv"), "--chunk-size", "5000"],
            ["purge", "--days", "28", "--now", "2021-08-01T00:00:00+07:00"],
        )
    ]
    failures = declare_from_threads(engine, threads=4, each=20, venue_of=lambda n: market["M1"])
    outputs = [process.communicate(timeout=300)[0] for process in operator]
    assert [process.returncode for process in operator] == [0, 0], outputs
    assert failures == []
    # The purge's cutoff (4 July) is before every row: it takes the write lock, deletes nothing.
    assert count(engine, checkin) == 30_000 + 80
    with engine.connect() as connection:
        assert rollup_mismatches(connection) == []
