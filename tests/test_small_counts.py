"""Small counts: the command centre and leadership see a count of 1 to 4 as "<5" on every page
(tiles, changes, rates, tables, charts, maps, the daily report); other roles see it exactly.

The scenario, on 10 August 2021 in Gò Vấp: ward A has 3 check-ins (1 at risk) and ward B has 12
(6 at risk); the day before, ward B had 10 and ward A none.
"""

import base64
import json
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import folium
import numpy as np
import pandas as pd
import pytest
import streamlit_folium
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

import reports.daily_report
from config.settings import get_settings
from db.engine import make_engine
from db.schema import venue
from geo.maps import PALETTE, SUPPRESSED_COLOUR, choropleth, city_shapes
from queries.area import wards_by_district
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.access import Scope
from rules.disclosure import (
    HIDDEN,
    drawable,
    hidden_on_map,
    shown_count,
    shown_rate,
    suppresses_small_counts,
    threshold_for,
    without_small,
)
from rules.local_time import today_local
from tests.checkin_rows import checkin_frame
from tests.conftest import REPO

LOCAL = timezone(timedelta(hours=7))
SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2021, 8, 10)
GO_VAP = "764"
WARD_A, WARD_B = wards_by_district()[GO_VAP][:2]
COMMAND = Scope("screen:Phòng chỉ huy 1", "command_centre")
LEADER = Scope("leader", "leadership")
EPI = Scope("epi", "epidemiologist")


# The rule, on its own


def test_the_roles_that_see_small_counts_suppressed():
    assert [r for r in ("admin", "command_centre", "leadership", "district_officer",
                        "ward_officer", "epidemiologist", "venue_staff")
            if suppresses_small_counts(r)] == ["command_centre", "leadership"]  # fmt: skip
    assert suppresses_small_counts(None)  # nobody signed in: the safe side
    assert threshold_for("leadership", 5) == 5 and threshold_for("command_centre", 10) == 10
    assert threshold_for("epidemiologist", 5) == 1  # 1: no count is small, all exact


def test_counts_from_one_to_four_show_as_below_five():
    assert [shown_count(c, 5) for c in (0, 1, 4, 5, 12, 1234)] == [
        "0", "<5", "<5", "5", "12", "1,234",
    ]  # fmt: skip
    assert [shown_count(c, 1) for c in (0, 1, 3)] == ["0", "1", "3"]


def test_a_rate_is_hidden_when_its_numerator_is_small():
    assert shown_rate(1, 1 / 3, 5) == HIDDEN == "—"  # 33.3 % of 3 gives the 1 away
    assert shown_rate(6, 0.5, 5) == "50.0%"
    assert shown_rate(0, 0.0, 5) == "0.0%"
    assert shown_rate(1, 1 / 3, 1) == "33.3%"


def test_what_the_map_and_charts_leave_out():
    table = pd.DataFrame({"declarations": [3, 12, 0], "at_risk": [1, 6, 0],
                          "risk_rate": [1 / 3, 0.5, 0.0]})  # fmt: skip
    rates = {"risk_rate": "at_risk"}
    assert hidden_on_map(table, "declarations", rates, 5).tolist() == [True, False, False]
    assert hidden_on_map(table, "risk_rate", rates, 5).tolist() == [True, False, False]
    assert hidden_on_map(table, "declarations", rates, 1).tolist() == [False, False, False]
    assert drawable(pd.Series([3, 12, 0]), 5).tolist()[1:] == [12.0, 0.0]
    assert np.isnan(drawable(pd.Series([3, 12, 0]), 5).iloc[0])
    points = pd.DataFrame({"lat": [1.0, 2.0], "lon": [1.0, 2.0], "weight": [4, 5]})
    assert without_small(points, "weight", 5)["weight"].tolist() == [5]


def test_suppressed_areas_form_their_own_class_outside_the_legend():
    shapes = city_shapes(None).wards
    shapes = shapes[shapes["code"].isin([WARD_A, WARD_B])][["code", "name", "geometry"]]
    figures = pd.DataFrame({"code": [WARD_A, WARD_B], "declarations": [3, 12],
                            "hidden": [True, False]})  # fmt: skip
    fig, bounds, colours = choropleth(shapes, figures, "declarations", [], settings().map,
                                      hidden="hidden")  # fmt: skip
    assert bounds == [5.0, 10.0, 15.0] and colours[-1] == PALETTE[-1]  # round, from ward B
    assert map_areas(fig)[WARD_A]["fill"] == SUPPRESSED_COLOUR
    fig, _, colours = choropleth(shapes, figures.drop(columns="hidden"), "declarations", [],
                                 settings().map)  # fmt: skip
    # without the rule the small ward would be coloured as "1–5", which tells its count
    assert map_areas(fig)[WARD_A]["fill"] == colours[0]


def settings():
    return get_settings()


# The pages, on both engines


def build_city(database_url, day):
    """Ward A: 3 check-ins on day (1 at risk); ward B: 12 on day (6 at risk), 10 the day before.
    All in the first minutes after midnight, so that today's are never in the future."""
    at = lambda day, minute: datetime(day.year, day.month, day.day, 0, minute, tzinfo=LOCAL)  # noqa: E731
    with make_engine(database_url).begin() as connection:
        upsert_venues(connection, pd.DataFrame([dict(
            venue_ref=ref, name=f"Chợ {ref}", sector="public", kind="market", address="",
            ward_code=code, lat=10.83, lon=106.67, dwell_minutes=60,
            registered_on=date(2021, 6, 1), active=True,
        ) for ref, code in (("A", WARD_A), ("B", WARD_B))]))  # fmt: skip
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        people = resolve_people(connection, pd.DataFrame({
            "phone": [f"+849030000{i:02d}" for i in range(25)],
            "full_name": [f"Người {i}" for i in range(25)],
        }))  # fmt: skip
        rows = [
            *(dict(person_id=people[i], venue_id=venues["A"], checked_in_at=at(day, i),
                   channel="self", risk_level=1 if i == 0 else 0) for i in range(3)),
            *(dict(person_id=people[3 + i], venue_id=venues["B"], checked_in_at=at(day, i),
                   channel="self", risk_level=1 if i < 6 else 0) for i in range(12)),
            *(dict(person_id=people[15 + i], venue_id=venues["B"],
                   checked_in_at=at(day - timedelta(days=1), i), channel="self")
              for i in range(10)),
        ]  # fmt: skip
        write_checkins(connection, checkin_frame(rows))
    return database_url


@pytest.fixture
def city(database_url):
    return build_city(database_url, DAY)


@pytest.fixture
def open_page(monkeypatch, city):
    """Open a page as a role on the scenario; returns the app, the daily report the page
    offered (overview) and the folium map it drew (map)."""
    monkeypatch.setenv("KBYT_DATABASE_URL", city)
    monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
    get_settings.cache_clear()
    drawn: dict = {}
    real_render = reports.daily_report.render

    def render(*args, **kwargs):
        drawn["report"] = real_render(*args, **kwargs)
        return drawn["report"]

    def st_folium(fig, **_kwargs):
        drawn["map"] = fig
        return None

    monkeypatch.setattr(reports.daily_report, "render", render)
    monkeypatch.setattr(streamlit_folium, "st_folium", st_folium)

    def open_(page, scope, ward=None):
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
        app.session_state["scope"] = scope
        params = {"from": DAY.isoformat(), "to": DAY.isoformat(), "district": GO_VAP}
        for name, value in (params | ({"ward": ward} if ward else {})).items():
            app.query_params[name] = value
        app.run()
        app.switch_page(f"app_pages/{page}.py")  # the command centre starts on the wall
        app.run()
        assert not app.exception, app.exception
        return app, drawn

    yield open_
    get_settings.cache_clear()


def tiles(app):
    return {m.label: (m.value, m.proto.delta or None) for m in app.metric}


def table_rows(app):
    frame = app.dataframe[0].value
    return {row.iloc[0]: list(row.iloc[1:]) for _, row in frame.iterrows()}


def chart_values(app):
    """The y values of each trace of the trend chart, decoded as Plotly sends them."""
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    values = []
    for trace in spec["data"]:
        y = trace["y"]
        if isinstance(y, dict):
            y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
        values.append([None if v is None or np.isnan(v) else v for v in y])
    # customdata: [the day, the figure as shown]
    return values, [[shown for _, shown in trace["customdata"]] for trace in spec["data"]]


WARD_NAMES = {code: name for code, name in zip(*[city_shapes(None).wards[c]
              for c in ("code", "name")], strict=True)}  # fmt: skip


@pytest.mark.parametrize("scope", [COMMAND, LEADER], ids=["command_centre", "leadership"])
def test_the_overview_shows_a_small_ward_as_below_five(open_page, scope):
    district, _ = open_page("overview", scope)
    assert tiles(district)["Lượt khai báo"] == ("15", "+5")
    assert tiles(district)["Khai báo có nguy cơ"] == ("7 (46,67 %)", "+7")
    assert table_rows(district) == {
        # declarations, at risk, cases, active units, rate
        WARD_NAMES[WARD_B]: ["12", "6", "0", "<5", "50,00 %"],
        WARD_NAMES[WARD_A]: ["<5", "<5", "0", "<5", "—"],
    }

    ward, drawn = open_page("overview", scope, ward=WARD_A)
    assert tiles(ward)["Lượt khai báo"] == ("<5", None)  # 3 against 0: no "+3"
    assert tiles(ward)["Khai báo có nguy cơ"] == ("<5 (—)", None)
    assert tiles(ward)["Đơn vị có khai báo"] == ("<5", None)
    assert any("“<5”" in caption.value for caption in ward.main.caption)
    assert chart_values(ward) == ([[None], [None]], [["<5"], ["<5"]])
    report = drawn["report"]
    assert "<b>&lt;5</b>" in report and "<b>&lt;5 (—)</b>" in report
    assert "<td>&lt;5</td>" in report and "10/08: &lt;5</title>" in report
    assert not re.search(r">[1-4](<| \()|: [1-4]<|\d%<", report)  # no 1..4, no % change


def test_an_epidemiologist_sees_the_exact_small_counts(open_page):
    district, _ = open_page("overview", EPI)
    assert table_rows(district)[WARD_NAMES[WARD_A]][:2] == ["3", "1"]
    ward, drawn = open_page("overview", EPI, ward=WARD_A)
    assert tiles(ward)["Lượt khai báo"] == ("3", "+3")
    assert tiles(ward)["Khai báo có nguy cơ"] == ("1 (33,33 %)", "+1")
    assert chart_values(ward) == ([[3.0], [1.0]], [["3"], ["1"]])
    assert "<b>3</b>" in drawn["report"] and "<td>3</td>" in drawn["report"]


def map_areas(fig):
    layer = next(c for c in fig._children.values() if isinstance(c, folium.GeoJson))
    return {f["properties"]["code"]: f["properties"] for f in layer.data["features"]}


@pytest.mark.parametrize("scope", [COMMAND, LEADER], ids=["command_centre", "leadership"])
def test_the_map_shows_a_small_ward_as_below_five_in_grey(open_page, scope):
    app, drawn = open_page("map", scope)
    areas = map_areas(drawn["map"])
    a, b = areas[WARD_A], areas[WARD_B]
    assert (a["declarations_text"], a["at_risk_text"], a["risk_rate_text"]) == (
        "&lt;5", "&lt;5", "—",
    )  # fmt: skip
    assert (b["declarations_text"], b["at_risk_text"], b["risk_rate_text"]) == (
        "12", "6", "50,00 %",
    )  # fmt: skip
    assert a["fill"] == SUPPRESSED_COLOUR and b["fill"] == PALETTE[-1]
    legend = next(m.value for m in app.markdown if m.value.startswith("**Chú giải**"))
    assert "&lt;5" in legend and "≤ 15" in legend  # round breaks: 5, 10, 15
    assert not re.search(r"≤ [0-4]\b", legend)


def test_the_map_shows_the_exact_small_count_to_an_epidemiologist(open_page):
    _, drawn = open_page("map", EPI)
    a = map_areas(drawn["map"])[WARD_A]
    assert (a["declarations_text"], a["risk_rate_text"]) == ("3", "33,33 %")
    assert a["fill"] in PALETTE


def test_the_wall_map_draws_a_small_ward_in_grey(monkeypatch, database_url):
    build_city(database_url, today_local(SAIGON))
    monkeypatch.setenv("KBYT_DATABASE_URL", database_url)
    monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
    get_settings.cache_clear()
    drawn = {}
    monkeypatch.setattr(streamlit_folium, "st_folium", lambda fig, **_: drawn.update(map=fig))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["scope"] = COMMAND
    app.query_params["district"] = GO_VAP
    app.run()
    app.switch_page("app_pages/wall.py")
    app.run()
    assert not app.exception, app.exception
    areas = map_areas(drawn["map"])
    assert (areas[WARD_A]["shown"], areas[WARD_A]["fill"]) == ("&lt;5", SUPPRESSED_COLOUR)
    assert (areas[WARD_B]["shown"], areas[WARD_B]["fill"]) == ("12", PALETTE[-1])
    get_settings.cache_clear()
