"""Honest KPIs for leadership (issue 14 part 4): the last full day by default, every figure with
its period, a day under way marked and not drawn as a fall, whole-number count axes, colours
that mean something, Vietnamese numbers and months. Pure rules and the figures built from them."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from config.settings import get_settings
from geo.maps import PALETTE, class_labels, classes, colour_for
from geo.wall_map import legend_html
from queries.kpis import DayFigures, Kpis
from reports.daily_report import render
from reports.figures import area_rows, change, count, rate, tiles
from reports.trend_chart import trend_figure
from rules.access import Scope
from rules.kpis import (
    RISE_MEANING,
    count_axis_step,
    default_day,
    is_partial,
    last_full_day,
    tone,
)
from tests.conftest import REPO

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
AT_0503 = datetime(2026, 12, 2, 5, 3, tzinfo=SAIGON)  # 22:03 UTC on 1 December
DEC_1, DEC_2 = date(2026, 12, 1), date(2026, 12, 2)


# --- which day -----------------------------------------------------------------------------


def test_at_0503_local_on_2_december_the_default_day_is_1_december():
    assert last_full_day(AT_0503) == DEC_1
    # the filter's usual week ends today: the report opens on the last day that has ended
    assert default_day(AT_0503, DEC_2 - timedelta(days=6), DEC_2) == DEC_1
    # the local day decides, not the UTC one (it is still 1 December in UTC)
    assert AT_0503.astimezone(ZoneInfo("UTC")).date() == DEC_1


def test_a_range_in_the_past_opens_on_its_last_day_and_today_alone_on_today():
    assert default_day(AT_0503, date(2026, 11, 20), date(2026, 11, 26)) == date(2026, 11, 26)
    assert default_day(AT_0503, DEC_2, DEC_2) == DEC_2  # nothing else to show: marked partial
    assert is_partial(DEC_2, AT_0503) and not is_partial(DEC_1, AT_0503)


# --- what a change means -------------------------------------------------------------------


def test_a_change_of_zero_is_neutral_whatever_the_figure():
    for rise in ("good", "bad", "neutral"):
        assert tone(38, 38, rise) == "neutral"
    assert change(38, 38) == "0"  # Streamlit draws the literal "0" with no arrow


def test_more_cases_or_risk_is_bad_news_and_more_declarations_is_neither():
    assert RISE_MEANING["new_cases"] == RISE_MEANING["at_risk"] == "bad"
    assert RISE_MEANING["declarations"] == "neutral"
    assert tone(40, 38, "bad") == "bad" and tone(30, 38, "bad") == "good"
    assert tone(129, 390, "neutral") == "neutral"  # the '▼67 %' in green was a clock, not news


def day(on, declarations, at_risk, new_cases=0, contacts=0, active=0):
    return DayFigures(on, declarations, at_risk, 0, new_cases, contacts, active)


def kpis_of(today, yesterday):
    return Kpis(today, yesterday, {}, {"health": 6272, "state": 3422, "public": 1204})


def test_the_tiles_in_vietnamese_with_signed_changes_and_tones():
    kpis = kpis_of(day(DEC_1, 6272, 55, 38, 0, 1204), day(DEC_1, 5068, 55, 31, 0, 1300))
    shown = {tile.key: tile for tile in tiles(kpis, 1, "vi")}
    assert shown["declarations"].value == "6.272"
    assert (shown["declarations"].change, shown["declarations"].tone) == ("+1.204", "neutral")
    assert shown["at_risk"].value == "55 (0,88 %)"
    assert (shown["at_risk"].change, shown["at_risk"].tone) == ("0", "neutral")
    assert (shown["new_cases"].change, shown["new_cases"].tone) == ("+7", "bad")
    assert (shown["active_units"].change, shown["active_units"].tone) == ("-96", "neutral")
    assert shown["units"].value == "6.272 / 3.422"
    english = {tile.key: tile for tile in tiles(kpis, 1, "en")}
    assert english["declarations"].value == "6,272" and english["at_risk"].value == "55 (0.88%)"


def test_small_counts_stay_withheld_in_the_new_formats():
    assert count(3, 5) == "<5" and count(0, 5) == "0" and count(6272, 5) == "6.272"
    assert change(3, 0, 5) is None and rate(3, 0.5, 5) == "—"
    table = pd.DataFrame({"code": ["a"], "name": ["Gò Vấp"], "declarations": [6272],
                          "at_risk": [3], "risk_rate": [3 / 6272], "cases": [0],
                          "active_units": [12]})  # fmt: skip
    row = area_rows(table, 5).iloc[0]
    assert (row.declarations, row.at_risk, row.risk_rate, row.active_units) == (
        "6.272", "<5", "—", "12",
    )  # fmt: skip


# --- the trend -----------------------------------------------------------------------------


def a_week(last, declarations, at_risk):
    days = [last - timedelta(days=i) for i in range(len(declarations) - 1, -1, -1)]
    return pd.DataFrame({"day": days, "declarations": declarations, "at_risk": at_risk})


LABELS = {"declarations": "Lượt khai báo", "at_risk": "Khai báo có nguy cơ",
          "partial": "Lượt khai báo hôm nay, đến 05:03", "until": "đến 05:03"}  # fmt: skip


def test_the_day_under_way_is_drawn_apart_and_labelled_until_the_hour():
    series = a_week(DEC_2, [390, 401, 388, 395, 402, 399, 129], [4, 3, 2, 4, 3, 2, 1])
    figure = trend_figure(series, LABELS, AT_0503)
    bars = [trace for trace in figure.data if trace.type == "bar"]
    whole, partial = bars
    assert list(whole.x) == series["day"].iloc[:-1].tolist()  # no drop to 129 on the line
    assert list(partial.x) == [DEC_2] and list(partial.text) == ["đến 05:03"]
    assert partial.marker.pattern.shape == "/" and partial.name == LABELS["partial"]
    line = next(t for t in figure.data if t.type == "scatter" and t.mode == "lines+markers")
    assert DEC_2 not in list(line.x)
    hollow = next(t for t in figure.data if t.type == "scatter" and t.mode == "markers")
    assert list(hollow.x) == [DEC_2] and hollow.marker.symbol == "circle-open"


def test_a_week_of_full_days_has_no_partial_mark():
    series = a_week(DEC_1, [390, 401, 388, 395, 402, 399, 400], [4, 3, 2, 4, 3, 2, 1])
    figure = trend_figure(series, LABELS, AT_0503)
    assert [trace.type for trace in figure.data] == ["bar", "scatter"]


@pytest.mark.parametrize("top", [0, 1, 2, 3, 4, 7, 12, 57, 129, 6272, 88_608])
def test_count_axis_ticks_are_whole_numbers(top):
    step = count_axis_step(top)
    assert isinstance(step, int) and step >= 1
    assert step * 5 >= top  # five ticks or fewer cover the axis


def test_the_chart_s_count_axes_tick_by_whole_numbers_from_zero():
    # 2 at-risk declarations a day at most: Plotly alone ticked 0, 0.286, 0.571 …
    series = a_week(DEC_1, [390, 401, 388, 395, 402, 399, 400], [0, 1, 2, 1, 0, 2, 1])
    figure = trend_figure(series, LABELS, AT_0503)
    for axis in (figure.layout.yaxis, figure.layout.yaxis2):
        assert axis.tickformat == ",d" and axis.tick0 == 0
        assert axis.dtick >= 1 and float(axis.dtick).is_integer()
    assert figure.layout.yaxis2.dtick == 1


def test_the_chart_writes_vietnamese_days_and_numbers():
    series = a_week(DEC_1, [6272] * 7, [55] * 7)
    figure = trend_figure(series, LABELS, AT_0503, language="vi")
    assert figure.layout.separators == ",."
    assert list(figure.layout.xaxis.ticktext)[-2:] == ["30 thg 11", "1 thg 12"]
    assert list(figure.data[0].customdata[-1]) == ["01/12/2026", "6.272"]
    english = trend_figure(series, LABELS, AT_0503, language="en")
    assert list(english.layout.xaxis.ticktext)[-1] == "1 Dec" and english.layout.separators == ".,"


def test_a_long_range_keeps_about_ten_day_ticks_ending_on_its_last_day():
    series = a_week(DEC_1, [400] * 92, [3] * 92)
    ticks = list(trend_figure(series, LABELS, AT_0503).layout.xaxis.tickvals)
    assert len(ticks) <= 10 and ticks[-1] == DEC_1


# --- the daily report ----------------------------------------------------------------------

REPORT_LABELS = {
    "title": "Báo cáo khai báo y tế", "generated": "Lập lúc", "trend": "Lượt khai báo theo ngày",
    "declarations": "Lượt khai báo", "at_risk": "Khai báo có nguy cơ", "new_cases": "Ca mới",
    "contacts_traced": "Người tiếp xúc đã truy vết", "active_units": "Đơn vị có khai báo",
    "units": "Đơn vị triển khai", "area": "Khu vực", "rate": "Tỉ lệ", "cases": "Ca bệnh",
    "period": "Ngày 01/12/2026", "against": "so với 30/11", "range": "7 ngày 26/11–02/12 (ngày 02/12 đến 05:03)",
    "until": "đến 05:03",
}  # fmt: skip
TABLE = pd.DataFrame({"code": ["764"], "name": ["Gò Vấp"], "declarations": [6272],
                      "at_risk": [55], "risk_rate": [55 / 6272], "cases": [2],
                      "active_units": [300]})  # fmt: skip


def test_the_report_names_its_periods_in_vietnamese_and_marks_today():
    kpis = kpis_of(day(DEC_1, 6272, 55, 38), day(DEC_1, 5068, 55, 31))
    series = a_week(DEC_2, [390, 401, 388, 395, 402, 399, 129], [4, 3, 2, 4, 3, 2, 1])
    report = render(kpis, series, TABLE, "Toàn thành phố", AT_0503, REPORT_LABELS)
    assert "<title>Báo cáo khai báo y tế — Ngày 01/12/2026 — Toàn thành phố</title>" in report
    assert "Lập lúc 05:03 02/12/2026" in report
    assert "<b>6.272</b>" in report and "<b>55 (0,88 %)</b>" in report
    assert '<span class="neutral">= 0</span>' in report  # no change: grey, no arrow
    assert '<span class="bad">▲ 7</span>' in report  # more new cases
    assert '<span class="neutral">▲ 1.204</span>' in report  # more declarations: neither
    assert "<td>6.272</td>" in report and "<td>0,88 %</td>" in report
    assert "02/12: 129 (đến 05:03)</title>" in report and ">đến 05:03</text>" in report
    assert "7 ngày 26/11–02/12 (ngày 02/12 đến 05:03)" in report


# --- the maps' colour classes --------------------------------------------------------------


def test_risk_shares_fall_in_equal_round_classes_from_zero():
    shares = pd.Series([0.0090, 0.0095, 0.0102, 0.0116])
    bounds, colours = classes(shares)
    assert bounds == [0.0025, 0.005, 0.0075, 0.01, 0.0125] and colours == list(PALETTE)
    # 0,90 % and 1,16 %: neighbouring classes, not the palette's two ends as with quantiles
    shade = [colours.index(colour_for(v, bounds, colours)) for v in shares]
    assert shade == [3, 3, 4, 4]
    assert class_labels(bounds, share=True) == [
        "≤ 0,25 %", "0,25–0,50 %", "0,50–0,75 %", "0,75–1,00 %", "1,00–1,25 %",
    ]  # fmt: skip
    assert class_labels(bounds, share=True, language="en")[-1] == "1.00–1.25%"


def test_counts_fall_in_whole_round_classes():
    bounds, colours = classes(pd.Series([12, 7, 3, 0]))
    assert bounds == [5, 10, 15] and colours == list(PALETTE[-3:])
    assert class_labels(bounds) == ["1–5", "6–10", "11–15"]
    bounds, _ = classes(pd.Series([6272, 1000, 20000]))
    assert bounds == [5000, 10000, 15000, 20000]
    assert class_labels(bounds)[1] == "5.001–10.000"
    assert classes(pd.Series([0, 0])) == ([], [])


def test_the_legend_shows_the_stated_breaks():
    bounds, colours = classes(pd.Series([0.0090, 0.0116]))
    legend = legend_html("Tỉ lệ nguy cơ", bounds, colours, labels=class_labels(bounds, True))
    for text in class_labels(bounds, True):
        assert text in legend
    assert "≤ 0,25 %" in legend and "0.0125" not in legend


# --- the overview page on the demo city (both engines) -------------------------------------


@pytest.fixture
def open_overview(monkeypatch, demo_url):
    monkeypatch.setenv("KBYT_DATABASE_URL", demo_url)
    monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
    get_settings.cache_clear()

    def open_(language="vi"):
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
        app.session_state["scope"] = Scope("lead", "leadership")
        if language == "en":
            app.query_params["lang"] = "en"
        app.run()  # the default filters: the last seven days, today included
        assert not app.exception, app.exception
        return app

    yield open_
    get_settings.cache_clear()


@pytest.fixture
def overview(open_overview):
    return open_overview()


def test_the_overview_opens_on_the_last_full_day_and_names_every_period(overview):
    now = datetime.now(UTC).astimezone(SAIGON)
    yesterday = now.date() - timedelta(days=1)
    assert overview.date_input(key="overview_day").value == yesterday
    headings = [h.value for h in overview.main.subheader]
    assert headings[0] == f"Ngày {yesterday:%d/%m/%Y}"
    week = f"7 ngày {now.date() - timedelta(days=6):%d/%m}–{now.date():%d/%m}"
    assert headings[1].startswith(f"Diễn biến theo ngày · {week} (ngày {now.date():%d/%m} đến ")
    assert any(c.value.startswith(week) for c in overview.main.caption)  # the table's period
    for metric in overview.metric:
        if metric.proto.delta:
            assert metric.proto.delta_description == f"so với {yesterday - timedelta(days=1):%d/%m}"


def test_the_overview_s_colours_numbers_and_axes(overview):
    tiles = {m.label: m.proto for m in overview.metric}
    grey = MetricProto.MetricColor.Value("GRAY")
    assert tiles["Lượt khai báo"].color == grey  # a rise or fall of declarations is not news
    for tile in tiles.values():
        if tile.delta == "0":
            assert tile.color == grey and tile.direction == MetricProto.MetricDirection.Value(
                "NONE"
            )
        assert "," not in tile.body.split("(")[0]  # 6.272, never 6,272
    spec = json.loads(overview.get("plotly_chart")[0].proto.spec)
    layout = spec["layout"]
    assert layout["separators"] == ",."
    for axis in ("yaxis", "yaxis2"):
        assert layout[axis]["tickformat"] == ",d" and layout[axis]["dtick"] >= 1
        assert float(layout[axis]["dtick"]).is_integer()
    assert all("thg" in text for text in layout["xaxis"]["ticktext"])
    partial = [trace for trace in spec["data"] if "hôm nay" in trace.get("name", "")]
    assert len(partial) == 1 and partial[0]["text"][0].startswith("đến ")


def test_the_overview_in_english_names_its_periods_and_months_in_english(open_overview):
    app = open_overview("en")
    now = datetime.now(UTC).astimezone(SAIGON)
    yesterday = now.date() - timedelta(days=1)
    headings = [h.value for h in app.main.subheader]
    assert headings[0] == f"Day {yesterday:%d/%m/%Y}"
    assert headings[1].startswith(f"By day · 7 days {now.date() - timedelta(days=6):%d/%m}–")
    tiles = {m.label: m.proto for m in app.metric}
    assert "." not in tiles["Declarations"].body  # 6,272 in English
    layout = json.loads(app.get("plotly_chart")[0].proto.spec)["layout"]
    assert layout["separators"] == ".," and "thg" not in " ".join(layout["xaxis"]["ticktext"])


def test_no_classes_have_no_labels() -> None:
    """An empty city has nothing to colour: the wall's legend is empty, not an error."""
    assert class_labels([]) == [] and class_labels([], share=True) == []
