"""Ward hot spots: queen neighbours on hand-drawn grids of square wards, Gi* with FDR on a
planted block and on uniform cities, the per-ward counts on both engines, and the Map page and
the wall showing them for the demo city in both languages."""

from __future__ import annotations

import json
import shutil
import warnings
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from config.settings import get_settings
from db.engine import make_engine
from db.schema import ward_day
from geo.hot_spot_layer import add_hot_spots, hot_spot_legend
from geo.hot_spots import RESULT_COLUMNS, city_wards, hot_spots
from geo.ward_neighbours import city_graph, queen_graph, ward_weights
from queries.hot_spots import ward_counts
from rules.access import Scope
from rules.local_time import local_day_bounds
from tests import page_runs
from tests.conftest import opened
from tests.page_runs import point_app_at, read_in
from tests.test_every_page_in_both_languages import problems, shown_on

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")


def grid(rows: int, columns: int) -> gpd.GeoDataFrame:
    """Unit squares; ward "rc" is row r (from the bottom), column c."""
    return gpd.GeoDataFrame(
        {
            "code": [f"{r}{c}" for r in range(rows) for c in range(columns)],
            "geometry": [box(c, r, c + 1, r + 1) for r in range(rows) for c in range(columns)],
        }
    )


def names(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"code": codes, "name": [f"Ward {c}" for c in codes], "district_code": "760",
         "district_name": "Quận 1"}
    )  # fmt: skip


# Neighbours ---------------------------------------------------------------------------------


def test_queen_neighbours_of_a_3_by_3_grid_share_an_edge_or_a_corner():
    graph = queen_graph(grid(3, 3))
    assert graph.neighbours["00"] == ("01", "10", "11")  # a corner: 3
    assert graph.neighbours["01"] == ("00", "02", "10", "11", "12")  # an edge: 5
    assert graph.neighbours["11"] == ("00", "01", "02", "10", "12", "20", "21", "22")  # all 8


def test_an_island_gets_its_three_nearest_wards_both_ways():
    # A 2×2 block and a square ward far to the right of 01 (centroid 1.5, 0.5).
    shapes = pd.concat(
        [grid(2, 2), gpd.GeoDataFrame({"code": ["X"], "geometry": [box(9, 0, 10, 1)]})],
        ignore_index=True,
    )
    graph = queen_graph(shapes)
    assert graph.neighbours["X"] == ()
    made = ward_weights(graph, ["00", "01", "10", "11", "X"])
    assert made.islands == ("X",)
    # Nearest to (9.5, 0.5): 01 (8), 11 (8.06), 00 (9); 10 (9.06) is fourth.
    assert made.weights.neighbors["X"] == ["00", "01", "11"]
    assert made.weights.neighbors["01"] == ["00", "10", "11", "X"]
    assert made.weights.neighbors["10"] == ["00", "01", "11"]
    assert made.weights.islands == []


def test_a_ward_whose_neighbours_are_all_left_out_is_not_dropped():
    graph = queen_graph(grid(3, 3))
    # 00's only neighbours (01, 10, 11) had no declaration.
    made = ward_weights(graph, ["00", "02", "12", "20", "21", "22"])
    assert made.islands == ("00",)
    # Nearest to (0.5, 0.5): 02 and 20 (2), then 12 and 21 (2.24, the lower code first).
    assert made.weights.neighbors["00"] == ["02", "12", "20"]
    assert made.weights.n == 6


def test_the_city_graph_has_every_ward_and_no_island():
    graph = city_graph(None)
    assert len(graph.codes) == 273
    assert all(graph.neighbours[code] for code in graph.codes)
    assert city_graph(None) is graph  # built once


# Gi* and FDR --------------------------------------------------------------------------------

EIGHT = grid(8, 8)
CODES = list(EIGHT["code"])
BLOCK = {f"{r}{c}" for r in (2, 3, 4) for c in (2, 3, 4)}


def counts(at_risk: list[int], declarations: int = 100) -> pd.DataFrame:
    return pd.DataFrame({"ward_code": CODES, "declarations": declarations, "at_risk": at_risk})


def background(i: int) -> int:
    """1, 2 or 3 at-risk of 100: a low share that varies from ward to ward."""
    return 1 + (i * 7) % 3


def test_a_planted_block_of_high_shares_is_found_hot():
    # 20 % at risk in the 3×3 block of rows and columns 2-4, 1-3 % elsewhere.
    planted = counts([20 if code in BLOCK else background(i) for i, code in enumerate(CODES)])
    result = hot_spots(planted, queen_graph(EIGHT), names(CODES))
    assert list(result.columns) == RESULT_COLUMNS
    # The block's centre (all of its 9-ward neighbourhood high) and the 4 wards beside it
    # (6 of 9 high) are hot; the block's corners (4 of 9 high) are not significant.
    assert sorted(result.loc[result["hot"], "ward_code"]) == ["23", "32", "33", "34", "43"]
    assert result["cold"].sum() == 0
    assert result.loc[0, "ward_code"] == "33"
    assert result.loc[0, "z"] == pytest.approx(7.879442, abs=1e-6)
    assert (result.loc[result["hot"], "q"] < 0.05).all()
    assert list(result["z"]) == sorted(result["z"], reverse=True)
    again = hot_spots(planted, queen_graph(EIGHT), names(CODES))
    pd.testing.assert_frame_equal(result, again)  # the seed makes p the same


def test_a_city_of_low_shares_has_no_hot_or_cold_ward():
    result = hot_spots(counts([background(i) for i in range(64)]), queen_graph(EIGHT), names(CODES))
    assert not result["hot"].any() and not result["cold"].any()
    assert result["q"].min() == 1.0


def test_a_uniform_city_is_not_tested_at_all():
    result = hot_spots(counts([2] * 64), queen_graph(EIGHT), names(CODES))
    assert not result["hot"].any() and not result["cold"].any()
    assert result["z"].isna().all() and result["q"].isna().all()
    assert (result["share"] == 0.02).all()


def test_wards_without_declarations_are_left_out_not_counted_as_zero():
    some = counts([20 if code in BLOCK else background(i) for i, code in enumerate(CODES)])
    some = some[~some["ward_code"].isin(["00", "77"])]
    result = hot_spots(some, queen_graph(EIGHT), names(CODES)).set_index("ward_code")
    assert result.loc[["00", "77"], "declarations"].tolist() == [0, 0]
    assert result.loc[["00", "77"], ["share", "z", "p", "q"]].isna().all().all()
    assert not result.loc[["00", "77"], ["hot", "cold"]].any().any()
    assert result["z"].notna().sum() == 62


def test_quiet_wards_among_quiet_neighbours_are_not_cold():
    # Ties: a share of 0 among neighbours at 0. esda's own p_sim called them cold at p = 0.001.
    shares = [0 if code not in BLOCK else 20 for code in CODES]
    result = hot_spots(counts(shares), queen_graph(EIGHT), names(CODES))
    assert result["cold"].sum() == 0


def test_wards_with_declarations_in_two_separate_groups_are_tested_without_a_warning():
    # Early in the day only two corners of the grid have declared: their wards have queen
    # neighbours, so no island links them, and the weights fall into two parts. Gi* is local:
    # each ward's z needs only its own neighbourhood; libpysal's "not fully connected"
    # warning (in the app's log, and in the tests' at 07:30 in Saigon) says nothing wrong.
    corners = ["00", "01", "10", "66", "67", "76"]
    some = counts([9 if code in corners[:3] else 1 for code in CODES])
    some = some[some["ward_code"].isin(corners)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = hot_spots(some, queen_graph(EIGHT), names(CODES)).set_index("ward_code")
    assert result["z"].notna().sum() == 6
    assert not result.loc[corners, "island"].any()


# The query on both engines ------------------------------------------------------------------

TAN_DINH, DA_KAO, BEN_NGHE = "26734", "26737", "26740"
DAY = date(2021, 7, 20)


def test_ward_counts_sum_the_days_of_the_window_in_the_area(engine):
    def row(day: date, ward: str, checkins: int, at_risk: int) -> dict:
        start = local_day_bounds(day, SAIGON)[0]
        return {"day_start": start, "ward_code": ward, "checkins": checkins,
                "at_risk": at_risk, "high_risk": 0}  # fmt: skip

    with engine.begin() as connection:
        connection.execute(
            ward_day.insert(),
            [
                row(DAY - timedelta(days=3), TAN_DINH, 1000, 900),  # before the window
                row(DAY - timedelta(days=2), TAN_DINH, 10, 1),
                row(DAY - timedelta(days=1), TAN_DINH, 20, 2),
                row(DAY, TAN_DINH, 30, 3),
                row(DAY, DA_KAO, 40, 0),
                row(DAY, BEN_NGHE, 50, 5),
                row(DAY + timedelta(days=1), BEN_NGHE, 1000, 900),  # after it
            ],
        )
    with engine.connect() as connection:
        three = ward_counts(connection, DAY - timedelta(days=2), DAY, SAIGON, None)
        one = ward_counts(connection, DAY, DAY, SAIGON, frozenset({TAN_DINH, DA_KAO}))
        none = ward_counts(connection, DAY, DAY, SAIGON, frozenset())
    assert three.to_dict("records") == [
        {"ward_code": TAN_DINH, "declarations": 60, "at_risk": 6},
        {"ward_code": DA_KAO, "declarations": 40, "at_risk": 0},
        {"ward_code": BEN_NGHE, "declarations": 50, "at_risk": 5},
    ]
    assert one.to_dict("records") == [
        {"ward_code": TAN_DINH, "declarations": 30, "at_risk": 3},
        {"ward_code": DA_KAO, "declarations": 40, "at_risk": 0},
    ]
    assert none.empty and list(none.columns) == ["ward_code", "declarations", "at_risk"]


# The pages on the demo city -----------------------------------------------------------------


def expected_hot(url: str, last: date, days: int) -> pd.DataFrame:
    config = get_settings().hot_spots
    with make_engine(url).connect() as connection:
        counted = ward_counts(connection, last - timedelta(days=days - 1), last, SAIGON, None)
    return hot_spots(
        counted, city_graph(None), city_wards(), alpha=config.alpha,
        permutations=config.permutations, seed=config.seed,
    )  # fmt: skip


HEADING = {"vi": "Điểm nóng theo phường", "en": "Ward hot spots"}
NO_HOT = {
    "vi": "Không có phường nào là điểm nóng ({cold} phường là điểm lạnh).",
    "en": "No ward is a hot spot ({cold} wards are cold spots).",
}
HEADERS = {
    "vi": ["Phường/Xã", "Quận/Huyện", "Khai báo", "Nguy cơ", "Tỉ lệ", "Điểm z",
           "Giá trị p", "Giá trị q (FDR)"],
    "en": ["Ward", "District", "Declarations", "At risk", "Rate", "z-score", "p-value",
           "q-value (FDR)"],
}  # fmt: skip


@pytest.fixture
def open_page(monkeypatch, sqlite_demo_url):
    point_app_at(monkeypatch, sqlite_demo_url)

    def open_(page: str, language: str, scope: Scope, params: dict | None = None):
        return page_runs.open_page(
            page, scope, {**read_in(monkeypatch, language), **(params or {})}, timeout=120
        )

    yield open_
    get_settings.cache_clear()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_map_page_shows_the_hot_spots_of_the_demo_city(open_page, language):
    yesterday = datetime.now(UTC).astimezone(SAIGON).date() - timedelta(days=1)
    app = open_page(
        "map", language, Scope("admin", "admin"),
        {"from": (yesterday - timedelta(days=6)).isoformat(), "to": yesterday.isoformat()},
    )  # fmt: skip
    app.radio(key="map_hot_window").set_value(3).run()
    app.toggle(key="map_hot_spots").set_value(True).run()
    assert not app.exception, app.exception
    expected = expected_hot(get_settings().database_url, yesterday, 3)
    assert HEADING[language] in [heading.value for heading in app.main.subheader]
    # The small demo city (about 10 declarations a ward a day, 1 % at risk) has no hot ward:
    # the page says so rather than showing an empty table.
    assert not expected["hot"].any() and expected["z"].notna().sum() == 273
    # The page's tables are the space-time clusters' panel: none has the hot spots' q column.
    q_column = {"vi": "Giá trị q (FDR)", "en": "q-value (FDR)"}[language]
    assert not [table for table in app.dataframe if q_column in table.value.columns]
    no_hot = NO_HOT[language].format(cold=int(expected["cold"].sum()))
    assert no_hot in [note.value for note in app.info]
    assert problems(shown_on(app), language) == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_wall_shows_todays_hot_spots_without_error(open_page, language):
    app = open_page("wall", language, Scope("wall", "command_centre"))
    assert not app.exception, app.exception
    assert problems(shown_on(app), language) == []


def planted_city(wards: pd.DataFrame) -> pd.DataFrame:
    """Quận 1's ten wards at 20 % at risk, every other ward at 1-3 %."""
    quan_1 = set(wards.loc[wards["district_code"] == "760", "code"])
    return pd.DataFrame(
        {
            "ward_code": wards["code"],
            "declarations": 1000,
            "at_risk": [200 if c in quan_1 else 10 + (int(c) * 7) % 21 for c in wards["code"]],
        }
    )


@pytest.fixture
def planted_url(templates, tmp_path, monkeypatch):
    """A migrated SQLite database whose ward_day holds the planted city yesterday and today."""
    path = tmp_path / "planted.db"
    shutil.copy(templates["sqlite"], path)
    url = f"sqlite:///{path}"
    today = datetime.now(UTC).astimezone(SAIGON).date()
    rows = planted_city(city_wards())
    with opened(url) as engine, engine.begin() as connection:
        connection.execute(
            ward_day.insert(),
            [
                {
                    "day_start": local_day_bounds(day, SAIGON)[0],
                    "ward_code": r.ward_code,
                    "checkins": r.declarations,
                    "at_risk": r.at_risk,
                    "high_risk": 0,
                }  # fmt: skip
                for day in (today - timedelta(days=1), today)
                for r in rows.itertuples()
            ],
        )
    point_app_at(monkeypatch, url)
    yield url, today - timedelta(days=1)
    get_settings.cache_clear()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_map_page_lists_the_hot_wards_of_a_planted_city_by_z(
    planted_url, monkeypatch, language
):
    url, yesterday = planted_url
    app = page_runs.open_page(
        "map", Scope("admin", "admin"),
        {**read_in(monkeypatch, language), "from": yesterday.isoformat(),
         "to": yesterday.isoformat()},
        timeout=120,
    )  # fmt: skip
    expected = expected_hot(url, yesterday, 1)
    hot = expected[expected["hot"]]
    shown = app.dataframe[0].value
    assert list(shown.columns) == HEADERS[language]
    assert list(shown.iloc[:, 0]) == list(hot["ward_name"])
    assert {"Phường Bến Thành", "Phường Phạm Ngũ Lão", "Phường Cầu Ông Lãnh",
            "Phường Cô Giang"} <= set(shown.iloc[:, 0])  # fmt: skip
    assert list(shown.iloc[:, 2]) == ["1.000" if language == "vi" else "1,000"] * len(hot)
    assert problems(shown_on(app), language) == []


def test_the_wall_draws_the_hot_wards_of_a_planted_city(planted_url, monkeypatch):
    app = page_runs.open_page("wall", Scope("wall", "command_centre"), timeout=120)
    assert not app.exception, app.exception
    (the_map,) = app.get("component_instance")
    script = json.loads(the_map.proto.json_args)["script"]
    assert script.count('"colour": "#f2cc60"') == 9  # the nine hot wards, in the wall's amber
    # Named beside the map, in the same amber.
    (line,) = [
        html.proto.body for html in app.get("html") if '<div class="wall-hot"' in html.proto.body
    ]
    assert "background:#f2cc60" in line and "Điểm nóng hôm nay (Gi*)" in line
    assert "9 phường: Phạm Ngũ Lão, Cầu Ông Lãnh, Bến Thành +6" in line


def test_the_city_of_273_wards_finds_a_planted_district():
    # Gi* over the whole city with the Voronoi shapes' queen neighbours.
    wards = city_wards()
    quan_1 = set(wards.loc[wards["district_code"] == "760", "code"])
    graph = city_graph(None)
    result = hot_spots(planted_city(wards), graph, wards)
    hot = set(result.loc[result["hot"], "ward_code"])
    beside = {other for code in quan_1 for other in graph.neighbours[code]}
    # The wards of Quận 1 whose whole neighbourhood is in Quận 1 are hot (Bến Thành, Phạm Ngũ
    # Lão, Cầu Ông Lãnh, Cô Giang); nothing away from Quận 1 and its neighbours is.
    assert {"26743", "26749", "26752", "26755"} <= hot <= quan_1 | beside
    assert not (result["cold"] & result["ward_code"].isin(quan_1)).any()


def test_the_layer_draws_only_hot_and_cold_wards_and_no_clickable_code():
    import folium

    result = pd.DataFrame(
        {"ward_code": ["00", "01", "02"], "ward_name": ["A & B", "C", "D"],
         "hot": [True, False, False], "cold": [False, True, False]}
    )  # fmt: skip
    fig = folium.Map(tiles=None)
    drawn = add_hot_spots(fig, grid(1, 3), result, [("ward_name", "")])
    assert drawn == 2
    layer = next(c for c in fig._children.values() if isinstance(c, folium.GeoJson))
    features = layer.data["features"]
    assert [f["properties"] for f in features] == [
        {"ward_name": "A &amp; B", "colour": "#6a1b9a"},
        {"ward_name": "C", "colour": "#1565c0"},
    ]
    assert hot_spot_legend("Hot <today>", "2 wards: A", "") == (
        '<b style="margin-top:.8vh">Hot &lt;today&gt;</b>'
        '<i style="background:#f2cc60;border-color:#f2cc60"></i>2 wards: A'
    )
