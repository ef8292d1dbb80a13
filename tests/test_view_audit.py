"""Every display of a name or a phone is one audit row per distinct view (issue 13B), on both
databases: the trace case picker, a person opened from the risk list (/trace?person=N), and
each area of the risk list. Reruns of a view write nothing more. Rows are read from the database
after the page's run, i.e. after the transaction that wrote them ended."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select

from config.settings import get_settings
from db.schema import audit_log, venue
from queries.cases import register_case
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.access import Scope
from tests import page_runs
from tests.checkin_rows import checkin_frame
from tests.page_runs import point_app_at

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
EPI = Scope("epi", "epidemiologist")
TAN_DINH, GO_VAP_16 = "26734", "26878"  # wards of Quận 1 (760) and Gò Vấp (764)


def venue_row(ref: str, ward: str) -> dict:
    return dict(
        venue_ref=ref, name=f"Chợ {ref}", sector="public", kind="market", address="",
        ward_code=ward, lat=10.8, lon=106.68, dwell_minutes=60,
        registered_on=date(2021, 6, 1), active=True,
    )  # fmt: skip


@pytest.fixture
def city(engine):
    """Yesterday, An checked in at risk at a market of Quận 1 and Bình at a market of Gò Vấp;
    An is a confirmed case, Bình is not. Returns (An's id, Bình's id)."""
    yesterday = datetime.now(SAIGON).date() - timedelta(days=1)
    nine = datetime.combine(yesterday, time(9), tzinfo=SAIGON)
    with engine.begin() as connection:
        upsert_venues(
            connection, pd.DataFrame([venue_row("M1", TAN_DINH), venue_row("M764", GO_VAP_16)])
        )
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        an, binh = (
            int(i)
            for i in resolve_people(
                connection,
                pd.DataFrame(
                    {"phone": ["+84903000001", "+84903000002"], "full_name": ["An", "Bình"]}
                ),
            )
        )
        write_checkins(
            connection,
            checkin_frame(
                [
                    dict(person_id=an, venue_id=venues["M1"], channel="self", checked_in_at=nine,
                         checked_out_at=None, risk_level=2, risk_reasons="fever;contact"),
                    dict(person_id=binh, venue_id=venues["M764"], channel="self",
                         checked_in_at=nine, checked_out_at=None, risk_level=1,
                         risk_reasons="fever"),
                ]
            ),
        )  # fmt: skip
        register_case(connection, an, "confirmed", yesterday, None, None, "setup")
    return an, binh


@pytest.fixture
def open_page(monkeypatch, database_url):
    point_app_at(monkeypatch, database_url)
    yield lambda page, params=None: page_runs.open_page(page, EPI, params)
    get_settings.cache_clear()


def views(engine):
    """The committed view rows: (username, subject, row count), in order."""
    with engine.connect() as connection:
        return connection.execute(
            select(audit_log.c.username, audit_log.c.subject, audit_log.c.row_count)
            .where(audit_log.c.action == "view")
            .order_by(audit_log.c.id)
        ).all()


def test_opening_the_trace_case_picker_writes_one_view_row(city, open_page, engine):
    app = open_page("trace")
    assert any(b.key == "trace_open" for b in app.button)  # the list of cases is shown
    assert views(engine) == [("epi", "case picker: ", 1)]
    app.run()  # a plain rerun is the same view
    assert views(engine) == [("epi", "case picker: ", 1)]


def test_a_person_opened_from_the_risk_list_is_one_view_row(city, open_page, engine):
    _, binh = city
    app = open_page("trace", {"person": str(binh)})
    assert app.info[0].value.startswith("Bình")  # their name is on the screen
    app.run()
    person_rows = [row for row in views(engine) if row[1] == f"person {binh}"]
    assert person_rows == [("epi", f"person {binh}", 1)]


def test_each_area_of_the_risk_list_is_one_view_row_and_a_rerun_none(city, open_page, engine):
    app = open_page("risk")
    first, last = app.session_state["filter"].first_day, app.session_state["filter"].last_day
    days = f"{first}..{last}"
    assert views(engine) == [("epi", f"risk list city {days} page 1", 2)]
    app.selectbox(key="filter_district").select("764").run()
    app.selectbox(key="filter_district").select("760").run()
    app.run()  # a plain rerun
    app.selectbox(key="filter_district").select("764").run()  # an area already seen
    assert not app.exception, app.exception
    assert views(engine) == [
        ("epi", f"risk list city {days} page 1", 2),
        ("epi", f"risk list 764 {days} page 1", 1),
        ("epi", f"risk list 760 {days} page 1", 1),
    ]
