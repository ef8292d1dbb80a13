"""Small counts: the command centre and leadership see a count of 1 to 4 as "<5" on every page
(tiles, changes, rates, tables, charts, maps, the daily report); other roles see it exactly."""

import numpy as np
import pandas as pd

from config.settings import get_settings
from geo.maps import PALETTE, choropleth, city_shapes
from queries.area import wards_by_district
from rules.disclosure import (
    HIDDEN,
    drawable,
    hidden_on_map,
    shown_average,
    shown_change,
    shown_count,
    shown_rate,
    suppressed_table,
    suppresses_small_counts,
    threshold_for,
    without_small,
)

GO_VAP = "764"
WARD_A, WARD_B = wards_by_district()[GO_VAP][:2]


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


def test_a_change_is_hidden_when_either_day_is_small():
    assert shown_change(15, 10, 5) == "+5"
    assert shown_change(10, 15, 5) == "-5"
    assert shown_change(0, 12, 5) == "-12"  # zero identifies nobody
    assert shown_change(3, 0, 5) is None  # today small
    assert shown_change(12, 3, 5) is None  # yesterday small: 12 exact and +9 give 3 away
    assert shown_change(3, 0, 1) == "+3"


def test_a_rate_is_hidden_when_its_numerator_is_small():
    assert shown_rate(1, 1 / 3, 5) == HIDDEN == "—"  # 33.3 % of 3 gives the 1 away
    assert shown_rate(6, 0.5, 5) == "50.0%"
    assert shown_rate(0, 0.0, 5) == "0.0%"
    assert shown_rate(1, 1 / 3, 1) == "33.3%"


def test_an_average_is_suppressed_when_the_total_behind_it_is_small():
    assert shown_average(3 / 7, 7, 5) == "<5"  # 0.43 a day is 3 in the week
    assert shown_average(10 / 7, 7, 5) == "1"
    assert shown_average(0.0, 7, 5) == "0"
    assert shown_average(3 / 7, 7, 1) == "0"


def test_a_table_of_counts_and_rates_for_display():
    table = pd.DataFrame({
        "name": ["A", "B", "C"], "declarations": [3, 12, 0], "at_risk": [1, 6, 0],
        "risk_rate": [1 / 3, 0.5, 0.0],
    })  # fmt: skip
    shown = suppressed_table(table, ("declarations", "at_risk"), {"risk_rate": "at_risk"}, 5)
    assert shown.to_dict("list") == {
        "name": ["A", "B", "C"],
        "declarations": ["<5", "12", "0"],
        "at_risk": ["<5", "6", "0"],
        "risk_rate": ["—", "50.00%", "0.00%"],
    }
    exact = suppressed_table(table, ("declarations", "at_risk"), {"risk_rate": "at_risk"}, 1)
    assert exact["declarations"].tolist() == ["3", "12", "0"]
    assert exact["risk_rate"].tolist() == ["33.33%", "50.00%", "0.00%"]
    assert table["declarations"].tolist() == [3, 12, 0]  # the input is not changed


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
    _, bounds, colours = choropleth(shapes, figures, "declarations", [], settings().map,
                                    hidden="hidden")  # fmt: skip
    assert bounds == [12.0] and colours == [PALETTE[-1]]
    _, bounds, _ = choropleth(shapes, figures.drop(columns="hidden"), "declarations", [],
                              settings().map)  # fmt: skip
    assert bounds[0] < 5  # without the rule the first class would reveal the small ward


def settings():
    return get_settings()
