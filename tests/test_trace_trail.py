"""The trace panel tells the truth when following a contact (issue 14, part 2), on both
databases, with a scenario small enough to check by hand. Buffer 0 so that overlaps are the
plain ones (local times, two days ago):

- An (the case): X 08:00–09:00, Z 14:00–14:30
- Bình: X 08:30–09:30 (30 min with An: F1), then Y 12:00–13:00
- Cúc: X 10:00–11:00 (after An left: nobody's contact of An)
- Dũng: Y 12:40–13:40 (20 min with Bình: F2 of An through Bình)
- Em: Z 14:00–14:30 (F1 of An), and Y 12:50–13:10 (10 min with Bình: already traced, F1)
"""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from config.settings import get_settings
from db.schema import audit_log, venue
from queries.cases import register_case
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.access import Scope
from tests.checkin_rows import checkin_frame
from tests.page_runs import open_page, point_app_at

SAIGON = get_settings().zone
DAY = (datetime.now(SAIGON) - timedelta(days=2)).date()
DATE = f"{DAY:%d/%m/%Y}"
PURPOSE = "Ca An: tìm người tiếp xúc tại chợ"


def at(hours, minutes=0):
    return datetime(DAY.year, DAY.month, DAY.day, hours, minutes, tzinfo=SAIGON).astimezone(UTC)


VISITS = [
    ("An", "X", at(8), at(9)),
    ("An", "Z", at(14), at(14, 30)),
    ("Bình", "X", at(8, 30), at(9, 30)),
    ("Bình", "Y", at(12), at(13)),
    ("Cúc", "X", at(10), at(11)),
    ("Dũng", "Y", at(12, 40), at(13, 40)),
    ("Em", "Z", at(14), at(14, 30)),
    ("Em", "Y", at(12, 50), at(13, 10)),
]


@pytest.fixture
def scenario(monkeypatch, engine, database_url):
    point_app_at(monkeypatch, database_url, TRACE__BUFFER_MINUTES="0")
    names = list(dict.fromkeys(name for name, *_ in VISITS))
    with engine.begin() as connection:
        upsert_venues(
            connection,
            pd.DataFrame(
                [
                    dict(venue_ref=ref, name=f"Chợ {ref}", sector="public", kind="market",
                         address="", ward_code="26734", lat=10.79 + i / 100, lon=106.69,
                         dwell_minutes=60, registered_on=DAY - timedelta(days=30), active=True)
                    for i, ref in enumerate("XYZ")
                ]
            ),
        )  # fmt: skip
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        ids = resolve_people(
            connection,
            pd.DataFrame(
                {"phone": [f"+849030000{i:02d}" for i in range(len(names))], "full_name": names}
            ),
        )
        people = dict(zip(names, (int(i) for i in ids), strict=True))
        write_checkins(
            connection,
            checkin_frame(
                [
                    dict(person_id=people[n], venue_id=venues[v], channel="self",
                         checked_in_at=start, checked_out_at=end)
                    for n, v, start, end in VISITS
                ]
            ),
        )  # fmt: skip
        case_id = register_case(connection, people["An"], "confirmed", None, DAY, None, "epi")

    def open_case():
        app = open_page("trace", Scope("epi", "epidemiologist"), {"case": str(case_id)})
        app.text_input(key="trace_purpose").input(PURPOSE).run()
        app.button(key="trace_run").click().run()
        assert not app.exception, app.exception
        return app

    yield open_case, people, case_id
    get_settings.cache_clear()


def contacts(app):
    """The contact table as {name: (level, note, where, when, minutes)}."""
    table = app.dataframe(key=next(d.key for d in app.dataframe if d.key.startswith("contacts_")))
    return {
        row["Họ tên"]: (
            row["Mức"], row["Ghi chú"], row["Nơi tiếp xúc"], row["Thời gian tiếp xúc"],
            row["Phút trùng"],
        )
        for _, row in table.value.iterrows()
    }  # fmt: skip


def follow(app, person_id):
    key = next(s.key for s in app.selectbox if (s.key or "").startswith("trace_follow_who_"))
    app.selectbox(key=key).select(person_id).run()  # choosing is following: one action
    assert not app.exception, app.exception
    return app


def test_each_contact_row_says_where_when_and_how_long(scenario):
    open_case, _, _ = scenario
    app = open_case()
    assert contacts(app) == {
        "Bình": ("F1", "", "Chợ X", f"08:30–09:00 {DATE}", 30),
        "Em": ("F1", "", "Chợ Z", f"14:00–14:30 {DATE}", 30),
    }


def test_present_at_a_place_counts_the_people_who_overlapped_the_case(scenario):
    open_case, people, case_id = scenario
    app = open_case()
    app.selectbox(key=f"trace_place_{people['An']}").select("X").run()
    assert not app.exception, app.exception
    assert "**Có mặt tại Chợ X cùng lúc với An (1 người)**" in [m.value for m in app.markdown]
    present = next(
        d.value
        for d in app.dataframe
        if list(d.value.columns) == ["Họ tên", "Điện thoại", "Phút trùng"]
    )
    assert present.values.tolist() == [["Bình", "+84903000001", 30]]  # Cúc came after An left


def test_following_a_contact_keeps_the_levels_and_names_of_the_case(scenario):
    open_case, people, case_id = scenario
    app = follow(open_case(), people["Bình"])
    assert app.query_params["trail"] == str(people["Bình"])
    who = f"Bình (F1 của ca số {case_id}; đường truy vết: Ca bệnh: An → F1: Bình)"
    headings = [h.value for h in app.subheader]
    assert f"Các địa điểm {who} đã đến (2)" in headings
    assert f"Người tiếp xúc của {who}: 1 F2; 1 đã có trong truy vết trước" in headings
    # An is the case, never Bình's contact; Em was listed as An's F1 and stays F1.
    assert contacts(app) == {
        "Dũng": ("F2", "", "Chợ Y", f"12:40–13:00 {DATE}", 20),
        "Em": ("F1", "Đã truy vết (F1)", "Chợ Y", f"12:50–13:00 {DATE}", 10),
    }
    app.selectbox(key=f"trace_place_{people['Bình']}").select("Y").run()
    assert "**Có mặt tại Chợ Y cùng lúc với Bình (2 người)**" in [m.value for m in app.markdown]


def test_f2_runs_from_one_control_once_f1_is_shown(scenario, engine):
    open_case, _, case_id = scenario
    app = open_case()
    app.button(key="trace_next_level").click().run()
    assert not app.exception, app.exception
    assert app.query_params["depth"] == "2"
    assert f"Người tiếp xúc của ca số {case_id} An: 2 F1, 1 F2" in [h.value for h in app.subheader]
    with engine.connect() as connection:
        traces = connection.scalar(
            select(audit_log.c.id)
            .where(audit_log.c.action == "trace")
            .order_by(audit_log.c.id.desc())
        )
    assert traces is not None
