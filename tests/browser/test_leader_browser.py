"""Leadership in a real browser (issue 14 part 4): the overview opens on the last full day and
names it, every figure says its period, numbers are written the Vietnamese way, the count axes
tick by whole numbers, today is marked as a day under way, and the forwarded report agrees."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser
SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
VI_COUNT = re.compile(r"^\d{1,3}(\.\d{3})*$")  # 6.272, never 6,272 or 0.286


def test_a_leader_reads_the_last_full_day_in_vietnamese(server, page, tmp_path):
    # Streamlit scrolls inside its main block: a tall window shows the whole page at once.
    page.set_viewport_size({"width": 1440, "height": 2300})
    sign_in(page, server.url, "leadership")
    today = datetime.now(UTC).astimezone(SAIGON).date()
    yesterday = today - timedelta(days=1)
    main = page.get_by_test_id("stMain")
    expect(main.locator("h1").first).to_have_text("Tổng quan")

    # The day: the last full one, in the picker and named above the tiles.
    picker = main.get_by_test_id("stDateInput")
    expect(picker.locator("input[type='date']")).to_have_value(yesterday.isoformat())
    expect(picker).to_contain_text(f"{yesterday:%d/%m/%Y}")
    expect(main.locator("h3").first).to_have_text(f"Ngày {yesterday:%d/%m/%Y}")
    week = f"7 ngày {today - timedelta(days=6):%d/%m}–{today:%d/%m} (ngày {today:%d/%m} đến "
    expect(main.locator("h3", has_text="Diễn biến theo ngày")).to_contain_text(week)

    # The tiles: Vietnamese numbers, a share with a decimal comma, changes against the day before.
    def tile(label):
        metric = page.get_by_test_id("stMetric").filter(
            has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
        )
        return metric.get_by_test_id("stMetricValue")

    expect(tile("Lượt khai báo")).to_have_text(VI_COUNT)
    expect(tile("Khai báo có nguy cơ")).to_have_text(re.compile(r"^[\d.]+ \(\d+,\d\d\s%\)$"))
    expect(tile("Đơn vị triển khai (y tế / cơ quan, DN)")).to_have_text(
        re.compile(r"^\d{1,3}(\.\d{3})* / \d{1,3}(\.\d{3})*$")
    )
    declarations = tile("Lượt khai báo").inner_text().strip()
    expect(page.get_by_text(f"so với {yesterday - timedelta(days=1):%d/%m}").first).to_be_visible()

    # The trend: whole-number ticks on both count axes, Vietnamese months, today marked.
    chart = page.locator(".js-plotly-plot").first
    expect(chart.locator(".ytick text").first).to_be_visible()
    ticks = [*chart.locator(".ytick text").all_text_contents(),
             *chart.locator(".y2tick text").all_text_contents()]  # fmt: skip
    assert ticks and all(VI_COUNT.match(t.strip()) for t in ticks), ticks
    day_ticks = chart.locator(".xtick text").all_text_contents()
    assert day_ticks and all("thg" in t for t in day_ticks), day_ticks
    expect(chart.locator(".legendtext", has_text="hôm nay, đến")).to_have_count(1)
    expect(chart.locator("text.bartext", has_text="đến ")).to_have_count(1)

    # The table by district says which days it covers and writes its numbers the same way.
    table_period = main.get_by_test_id("stCaptionContainer").filter(has_text=week.split(" (")[0])
    expect(table_period.first).to_be_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "leader-overview-1440.png"))
    page.set_viewport_size({"width": 820, "height": 3000})  # a tablet, portrait
    page.wait_for_function(  # until Plotly has laid the chart out again at the new width
        "() => document.querySelector('.js-plotly-plot')._fullLayout.width < 800"
    )
    page.screenshot(path=str(ARTIFACTS / "leader-overview-tablet.png"))

    # The report a leader forwards names the same day and periods.
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải báo cáo ngày (HTML)").click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    report = saved.read_text(encoding="utf-8")
    assert f"— Ngày {yesterday:%d/%m/%Y} —" in report
    assert week in report and f"<b>{declarations}</b>" in report
    assert "<script" not in report and "http" not in report
    (ARTIFACTS / "leader-report.html").write_text(report, encoding="utf-8")
