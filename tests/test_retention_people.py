"""Retention forgets people whom nothing refers to any more, whoever they are: not only the
people of the check-ins purged now (tests/test_retention.py) but someone known only from an
advance declaration, or left behind by an earlier purge."""

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import exists, func, select, text

from db.schema import (
    advance_declaration,
    alert,
    case_record,
    checkin,
    follow_up,
    metadata,
    person,
    traced_contact,
    venue,
)
from queries.checkin_rows import person_id
from queries.declarations import declare_in_advance
from queries.retention import PERSON_REFERENCES, purge
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.declarant import Declarant
from tests.checkin_rows import checkin_frame

NOW = datetime(2021, 9, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=28, seconds=1)  # past the 28 days
RECENT = NOW - timedelta(days=1)


def declarant(full_name: str, phone: str, id_number: str | None = None) -> Declarant:
    return Declarant(full_name, phone, id_number, None, None, (), ())


def city(engine) -> int:
    """One market and its venue id."""
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([dict(
            venue_ref="M1", name="Chợ", sector="public", kind="market", address="", ward_code="26734",
            lat=10.79, lon=106.69, dwell_minutes=60, registered_on=date(2021, 6, 1), active=True,
        )]))  # fmt: skip
        return connection.scalar(select(venue.c.id))


def people(engine) -> dict[str, str | None]:
    """Everyone stored, by name, with their ID number: read after the transaction ended."""
    with engine.connect() as connection:
        return dict(connection.execute(select(person.c.full_name, person.c.id_number)).all())


def test_a_person_known_only_from_an_expired_advance_declaration_is_forgotten_with_it(engine):
    venue_id = city(engine)
    with engine.begin() as connection:
        # Declared in advance 28 days and a second ago, never came: the ID number is on file.
        declare_in_advance(connection, venue_id, declarant("Chỉ khai trước", "+84903000001",
                                                           "079201000001"), OLD)  # fmt: skip
        # Declared in advance yesterday by a relative: both are still referred to.
        declare_in_advance(
            connection, venue_id, declarant("Khai trước hôm qua", "+84903000002"), RECENT,
            declared_by=declarant("Người khai hộ", "+84903000003"),
        )  # fmt: skip
    before = people(engine)
    with engine.begin() as connection:
        report = purge(connection, NOW, 28)
    with engine.connect() as connection:
        declarations = connection.execute(select(advance_declaration.c.created_at)).scalars().all()
    assert before["Chỉ khai trước"] == "079201000001"
    assert (report.advance_declarations, report.people, report.checkins) == (1, 1, 0)
    assert people(engine) == {"Khai trước hôm qua": None, "Người khai hộ": None}
    assert [at.astimezone(UTC) for at in declarations] == [RECENT]


def test_people_referred_to_by_anything_are_kept_and_people_referred_to_by_nothing_go(engine):
    """Each kind of reference keeps its person; a person left by an earlier purge (no
    reference at all, no purged row of theirs now) goes."""
    venue_id = city(engine)
    names = [
        "Lượt mới", "Khai hộ lượt mới", "Ca bệnh", "Theo dõi", "Không ai nhắc tới", "Lượt cũ",
        "Tiếp xúc", "Cảnh báo",
    ]  # fmt: skip
    with engine.begin() as connection:
        ids = [int(i) for i in resolve_people(connection, pd.DataFrame({
            "phone": [f"+8490310000{i}" for i in range(len(names))], "full_name": names,
        }))]  # fmt: skip
        write_checkins(connection, checkin_frame([
            dict(person_id=ids[0], venue_id=venue_id, checked_in_at=RECENT, channel="proxy",
                 declared_by_person_id=ids[1]),
            dict(person_id=ids[5], venue_id=venue_id, checked_in_at=OLD, channel="self"),
        ]))  # fmt: skip
        case_id = connection.execute(
            case_record.insert()
            .values(
                person_id=ids[2],
                status="confirmed",
                onset_date=date(2021, 8, 1),
                created_at=OLD,
                created_by="epi",
            )
            .returning(case_record.c.id)
        ).scalar_one()
        connection.execute(
            traced_contact.insert().values(
                case_id=case_id,
                person_id=ids[6],
                level=1,
                first_exposure_at=OLD,
                traced_at=OLD,
            )
        )
        connection.execute(alert.insert().values(
            checkin_id=0, person_id=ids[7], venue_id=venue_id, raised_at=RECENT, reason="open_case",
        ))  # fmt: skip
        connection.execute(follow_up.insert().values(
            person_id=ids[3], status="contacted", at=OLD, by="officer",
        ))  # fmt: skip
    with engine.begin() as connection:
        report = purge(connection, NOW, 28)
    assert (report.checkins, report.people) == (1, 2)
    assert sorted(people(engine)) == sorted(
        ["Lượt mới", "Khai hộ lượt mới", "Ca bệnh", "Theo dõi", "Tiếp xúc", "Cảnh báo"]
    )


def test_a_purge_whose_transaction_fails_forgets_nobody(engine):
    venue_id = city(engine)
    with engine.begin() as connection:
        declare_in_advance(connection, venue_id, declarant("Chỉ khai trước", "+84903000001",
                                                           "079201000001"), OLD)  # fmt: skip

    class Interrupted(Exception):
        pass

    with pytest.raises(Interrupted), engine.begin() as connection:
        assert purge(connection, NOW, 28).people == 1
        raise Interrupted  # e.g. the audit row cannot be written
    with engine.connect() as connection:
        declarations = connection.execute(select(advance_declaration.c.code)).all()
    assert people(engine) == {"Chỉ khai trước": "079201000001"}
    assert len(declarations) == 1


def test_every_reference_to_a_person_in_the_schema_is_one_the_purge_checks():
    """A new table pointing at person must be added to PERSON_REFERENCES, or the purge would
    delete people it still names. The check-in table points at people without a foreign key."""
    foreign_keys = {
        key.parent
        for table in metadata.tables.values()
        for key in table.foreign_keys
        if key.column is person.c.id
    }
    assert set(PERSON_REFERENCES) == foreign_keys | {
        checkin.c.person_id,
        checkin.c.declared_by_person_id,
    }
    assert len(PERSON_REFERENCES) == 8


def _purge_waits_or_ends(engine, purging: threading.Thread) -> None:
    """Until the purge has ended, or waits on a lock held by another transaction (nothing
    else in this test's database waits on one)."""
    deadline = time.monotonic() + 60
    while purging.is_alive() and time.monotonic() < deadline:
        with engine.connect() as connection:
            waiting = connection.scalar(
                select(func.count())
                .select_from(text("pg_stat_activity"))
                .where(text("wait_event_type = 'Lock' AND datname = current_database()"))
            )
        if waiting:
            return
        time.sleep(0.05)


@pytest.mark.parametrize("writer", ["declaration", "import"])
def test_a_person_found_by_a_writer_while_the_purge_runs_is_kept(postgresql_engine, writer):
    """A returning visitor whose only check-in is a month old declares while the nightly
    purge runs: the writer has found them and not yet committed their new check-in when the
    purge decides whom nothing refers to. The purge waits for the writer; the person stays,
    with both check-ins' fate as it should be (the old one purged), and no check-in points at
    a person who is gone."""
    engine = postgresql_engine
    venue_id = city(engine)
    phone, name = "+84903000009", "Khách quay lại"
    with engine.begin() as connection:
        [returning] = resolve_people(
            connection, pd.DataFrame({"phone": [phone], "full_name": [name]})
        )
        write_checkins(connection, checkin_frame([dict(
            person_id=int(returning), venue_id=venue_id, checked_in_at=OLD, channel="self",
        )]))  # fmt: skip
    reports = []

    def purge_now() -> None:
        with engine.begin() as connection:
            reports.append(purge(connection, NOW, 28))

    with engine.connect() as connection, connection.begin():
        if writer == "declaration":
            found = person_id(connection, phone, name)
        else:
            frame = pd.DataFrame({"phone": [phone], "full_name": [name]})
            found = int(resolve_people(connection, frame)[0])
        purging = threading.Thread(target=purge_now)
        purging.start()
        _purge_waits_or_ends(engine, purging)
        write_checkins(connection, checkin_frame([dict(
            person_id=found, venue_id=venue_id, checked_in_at=RECENT, channel="self",
        )]))  # fmt: skip
    purging.join(60)
    assert not purging.is_alive() and len(reports) == 1
    with engine.connect() as connection:
        kept = connection.execute(select(checkin.c.person_id, checkin.c.checked_in_at)).all()
        gone = connection.scalar(
            select(func.count())
            .select_from(checkin)
            .where(~exists().where(person.c.id == checkin.c.person_id))
        )
    assert found == int(returning) and people(engine) == {name: None}
    assert [(pid, at.astimezone(UTC)) for pid, at in kept] == [(found, RECENT)]
    assert gone == 0 and (reports[0].checkins, reports[0].people) == (1, 0)


def test_a_file_re_imported_from_before_the_cutoff_while_the_purge_runs_fails_neither(
    postgresql_engine,
):
    """A partner sends last month's file again while the nightly purge runs. The import has
    found its people (and so holds its turn on them) when the purge starts; then it claims its
    keys, one of which, a month old, the purge is about to delete. Both finish: the purge waits
    for the import before it deletes anything, the import finds that key still stored (already
    present) and stores the new one, and the purge then forgets the old check-in and its key.
    Before, the purge deleted the key, then waited for the import's turn while the import
    waited for the deleted key: PostgreSQL ended one of them as a deadlock."""
    engine = postgresql_engine
    venue_id = city(engine)
    phone, name = "+84903000010", "Đối tác gửi lại"

    def partner_rows(person: int, keyed: list[tuple[str, datetime]]) -> pd.DataFrame:
        return checkin_frame([dict(
            person_id=person, venue_id=venue_id, checked_in_at=at, channel="import",
            source="partner", external_id=key,
        ) for key, at in keyed])  # fmt: skip

    with engine.begin() as connection:
        [sender] = resolve_people(connection, pd.DataFrame({"phone": [phone], "full_name": [name]}))
        write_checkins(connection, partner_rows(int(sender), [("P-1", OLD)]))
    reports = []

    def purge_now() -> None:
        with engine.begin() as connection:
            reports.append(purge(connection, NOW, 28))

    with engine.connect() as connection, connection.begin():
        frame = pd.DataFrame({"phone": [phone], "full_name": [name]})
        found = int(resolve_people(connection, frame)[0])
        purging = threading.Thread(target=purge_now)
        purging.start()
        _purge_waits_or_ends(engine, purging)
        skipped = write_checkins(connection, partner_rows(found, [("P-1", OLD), ("P-2", RECENT)]))
    purging.join(60)
    assert not purging.is_alive() and len(reports) == 1
    assert list(skipped) == [0]  # P-1: already present when the import claimed it
    with engine.connect() as connection:
        keys = connection.execute(text("SELECT external_id FROM checkin_key")).scalars().all()
        kept = connection.execute(select(checkin.c.external_id, checkin.c.checked_in_at)).all()
    assert keys == ["P-2"]
    assert [(key, at.astimezone(UTC)) for key, at in kept] == [("P-2", RECENT)]
    assert (reports[0].checkins, reports[0].people) == (1, 0) and people(engine) == {name: None}
