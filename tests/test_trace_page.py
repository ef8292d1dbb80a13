"""The trace panel under AppTest on the demo city: a trace needs a case and a purpose, runs F1
and F2, is audited with its case, stores the contacts, and can follow a contact in turn."""

import pytest
from sqlalchemy import func, select

from config.settings import get_settings
from db.engine import make_engine
from db.schema import audit_log, case_record, person, traced_contact, venue
from rules.access import Scope
from tests.page_runs import open_page, point_app_at

EPI = Scope("epi", "epidemiologist")
PURPOSE = "Cụm chợ Bình Điền: tìm người tiếp xúc"


@pytest.fixture
def trace_page(monkeypatch, demo_copy_url):
    point_app_at(monkeypatch, demo_copy_url)
    engine = make_engine(demo_copy_url)
    with engine.connect() as connection:
        market = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == "CDM-BD"))
        # The wholesale-market trader: the first demo case.
        case_id = connection.scalar(select(func.min(case_record.c.id)))

    def open_(params):
        return open_page("trace", EPI, params, timeout=120)

    yield open_, engine, case_id, market
    engine.dispose()
    get_settings.cache_clear()


def audit(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(
                audit_log.c.username, audit_log.c.action, audit_log.c.case_id, audit_log.c.purpose
            )
        ).all()


def test_no_trace_without_a_stated_purpose(trace_page):
    open_, engine, case_id, _ = trace_page
    app = open_({"case": str(case_id)})
    assert app.info[0].value.startswith("Nêu mục đích truy vết")
    app.text_input(key="trace_purpose").input("xem thử").run()  # too short to mean anything
    assert [b for b in app.button if b.key == "trace_run"] == []
    # Opening the case shows its name: one view row, and no trace without a purpose.
    assert audit(engine) == [("epi", "view", case_id, "")]


def test_a_trace_shows_visits_and_contacts_and_is_audited_with_its_case(trace_page):
    open_, engine, case_id, _ = trace_page
    app = open_({"case": str(case_id), "depth": "2"})
    app.text_input(key="trace_purpose").input(PURPOSE).run()
    app.button(key="trace_run").click().run()
    assert not app.exception
    headings = [h.value for h in app.subheader]
    assert headings[0].startswith(f"Ca số {case_id}: ")
    assert any(h.startswith(f"Các địa điểm ca số {case_id} ") for h in headings)
    contacts_heading = next(h for h in headings if h.startswith("Người tiếp xúc của ca số "))
    f1 = int(contacts_heading.split(": ")[-1].split(" F1")[0].replace(".", ""))
    assert f1 > 0
    assert audit(engine) == [("epi", "view", case_id, ""), ("epi", "trace", case_id, PURPOSE)]
    with engine.connect() as connection:
        stored = connection.execute(
            select(traced_contact.c.level, func.count())
            .where(traced_contact.c.case_id == case_id)
            .group_by(traced_contact.c.level)
        ).all()
    assert dict(stored)[1] == f1 and dict(stored).get(2, 0) > 0


def test_following_a_contact_in_turn_keeps_the_levels_of_the_case(trace_page):
    open_, engine, case_id, _ = trace_page
    app = open_({"case": str(case_id)})
    app.text_input(key="trace_purpose").input(PURPOSE).run()
    app.button(key="trace_run").click().run()
    first_contact = app.dataframe[-1].value.iloc[0]
    with engine.connect() as connection:
        contact_id = connection.scalar(
            select(person.c.id).where(
                person.c.full_name == first_contact["Họ tên"],
                person.c.phone == first_contact["Điện thoại"],
            )
        )
    app.query_params["trail"] = str(contact_id)
    app.run()
    assert not app.exception
    assert any(b.label.startswith("Ca bệnh: ") for b in app.button)  # the breadcrumb back
    table = app.dataframe[-1].value
    # New people are the case's F2; people the case's trace listed keep their level, marked.
    assert set(table[table["Ghi chú"] == ""]["Mức"]) <= {"F2"}
    assert set(table[table["Ghi chú"] != ""]["Mức"]) <= {"F1", "F2"}
    assert [a for _, a, _, _ in audit(engine) if a != "view"] == ["trace", "trace"]


def test_someone_from_the_risk_list_who_is_not_a_case_can_be_registered_at_once(trace_page):
    open_, engine, _, _ = trace_page
    with engine.connect() as connection:
        not_a_case = connection.execute(
            select(person.c.id, person.c.full_name, person.c.phone)
            .where(~person.c.id.in_(select(case_record.c.person_id)))
            .limit(1)
        ).one()
    app = open_({"person": str(not_a_case.id)})
    assert app.info[0].value.startswith(not_a_case.full_name.split()[0])
    form_values = {w.label: w.value for w in app.text_input}
    assert form_values["Số điện thoại"] == not_a_case.phone
    assert form_values["Họ và tên"] == not_a_case.full_name


def test_another_case_can_be_chosen_from_an_open_one(trace_page):
    open_, _, case_id, _ = trace_page
    app = open_({"case": str(case_id), "depth": "2"})
    app.button(key="trace_other_case").click().run()
    assert not app.exception
    assert "case" not in app.query_params and "depth" not in app.query_params
    assert [w.label for w in app.text_input][0] == "Tìm ca bệnh (mã ca, số điện thoại hoặc họ tên)"
    assert any(b.key == "trace_open" for b in app.button)  # the picker's list is back
