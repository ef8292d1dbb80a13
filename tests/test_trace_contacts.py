"""A trace's contacts on both databases: exactly what the readable rules of rules.exposure
(ExposureIndex, ContactLedger) give when every check-in is attributed one by one, path and
venue order included; and the lazy Contacts sequence behaves as the tuple it stands for."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.schema import case_record, checkin, person, venue
from queries.trace import TraceRules, case_window, trace
from queries.trace_contacts import Contact, Step
from rules.exposure import MINUTE, presence, widen
from rules.exposure_spec import ContactLedger, ExposureIndex, cut
from tests.test_trace import WORKED_EXAMPLE, at, build, epoch_checkins, run


def ledger_trace(checkins, dwell, people, refs, case_id, since, until, rules):
    """The contacts of a depth-2 trace as the rules of rules.exposure give them, one check-in
    at a time, in the trace's order (level, first exposure, name, person id)."""
    cap, minimum = rules.max_presence_hours, rules.min_overlap_minutes
    ledger = ContactLedger(case_id)

    def probe(level, exposures, skip):
        indexes = {v: ExposureIndex(items) for v, items in exposures.items()}
        for p, v, i, o in checkins:
            if p not in skip and v in indexes:
                found = indexes[v].attribute(presence(i, o, dwell[v], cap), minimum)
                if found is not None:
                    ledger.add(p, level, v, found)

    low, high = int(since.timestamp()), int(until.timestamp())
    exposures = {}
    for p, v, i, o in checkins:
        if p == case_id and low <= i < high:
            exposures.setdefault(v, []).append(
                (widen(presence(i, o, dwell[v], cap), rules.buffer_minutes), p)
            )
    probe(1, exposures, {case_id})
    f1 = ledger.at_level(1)
    exposures = {}
    for p, v, i, o in checkins:
        if p in f1 and i < high:
            part = cut(widen(presence(i, o, dwell[v], cap), rules.buffer_minutes), f1[p].first_at)
            if part is not None and part.seconds >= minimum * MINUTE:
                exposures.setdefault(v, []).append((part, p))
    probe(2, exposures, {case_id, *f1})

    def step(found):
        phone, name = people[found.source]
        at_ = datetime.fromtimestamp(found.first_at, UTC)
        return Step(found.source, name, phone, refs[found.first_venue], at_)

    contacts = []
    for pid, found in ledger.findings.items():
        via = (step(found),) if found.level == 1 else (step(f1[found.source]), step(found))
        phone, name = people[pid]
        venues = tuple(refs[v] for v in found.venues_in_order())
        contacts.append(
            Contact(pid, phone, name, found.level, via[-1].at, found.overlap_minutes, venues, via)
        )
    return sorted(contacts, key=lambda c: (c.level, c.first_exposure, c.full_name, c.person_id))


def test_the_contacts_are_those_of_the_rules_attributed_one_by_one(demo_engine):
    rules = TraceRules()
    with demo_engine.connect() as connection:
        checkins = epoch_checkins(connection)
        dwell = dict(connection.execute(select(venue.c.id, venue.c.dwell_minutes)).all())
        refs = dict(connection.execute(select(venue.c.id, venue.c.venue_ref)).all())
        people = {
            pid: (phone, name)
            for pid, phone, name in connection.execute(
                select(person.c.id, person.c.phone, person.c.full_name)
            )
        }
        cases = connection.execute(select(case_record).order_by(case_record.c.id)).all()
        now = datetime.fromtimestamp(max(i for _, _, i, _ in checkins) + 1, UTC)
        compared = 0
        for case in cases[1::5]:
            since, until = case_window(case, rules, now)
            result = trace(connection, case.person_id, since, until, rules, depth=2)
            expected = ledger_trace(
                checkins, dwell, people, refs, case.person_id, since, until, rules
            )
            assert list(result.contacts) == expected
            compared += len(expected)
    assert compared > 100


@pytest.fixture
def worked(engine):
    ids = build(engine, WORKED_EXAMPLE)
    return ids, run(engine, ids["A"], depth=2)


def test_contacts_are_a_sequence_equal_to_the_tuple_they_stand_for(worked):
    ids, result = worked
    everyone = tuple(result.contacts)
    assert [c.full_name for c in everyone] == ["D", "H", "C", "B", "E"]
    assert len(result.contacts) == 5 and result.contacts == everyone and everyone == result.contacts
    assert result.contacts[-1] == everyone[-1] and result.contacts[1] == everyone[1]
    assert result.contacts[1:4] == everyone[1:4] and len(result.contacts[1:4]) == 3
    assert result.contacts[::-2] == everyone[::-2]
    assert result.contacts != everyone[:4] and result.contacts != "DHCBE"
    with pytest.raises(IndexError):
        result.contacts[5]
    assert result.level(1) == everyone[:3] and result.level(2) == everyone[3:]
    assert result.level(3) == () and len(result.level(3)) == 0
    assert result.contacts.index(everyone[2]) == 2 and everyone[3] in result.contacts
    assert hash(result.contacts) == hash(everyone)


def test_a_contact_is_found_by_person_and_built_alone(worked):
    ids, result = worked
    e = result.contact(ids["E"])
    assert (e.full_name, e.level, e.first_exposure, e.overlap_minutes, e.venues) == (
        "E", 2, at(12, 10), 5, ("O",),
    )  # fmt: skip
    assert [(s.through_name, s.venue_ref, s.at) for s in e.via] == [
        ("A", "M", at(9, 14)),
        ("C", "O", at(12, 10)),
    ]
    assert result.contact(ids["F"]) is None and result.contact(ids["A"]) is None
    assert result.contact(10**9) is None


def test_small_batches_gathered_as_they_come_change_nothing(demo_engine, monkeypatch):
    import queries.trace

    rules = TraceRules()
    with demo_engine.connect() as connection:
        now = connection.scalar(select(func.max(checkin.c.checked_in_at)))
        cases = connection.execute(select(case_record).order_by(case_record.c.id)).all()
        since, until = case_window(cases[0], rules, now + timedelta(seconds=1))
        whole = trace(connection, cases[0].person_id, since, until, rules, depth=2)
        monkeypatch.setattr(queries.trace, "BATCH", 7)
        monkeypatch.setattr(queries.trace, "COMPACT_ROWS", 50)
        bit_by_bit = trace(connection, cases[0].person_id, since, until, rules, depth=2)
    assert len(whole.level(2)) > 100
    assert list(bit_by_bit.contacts) == list(whole.contacts)
