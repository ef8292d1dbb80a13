"""The district officer's venue work in Chromium at 1920×1080 (issue 14): the venue list and a
venue's check-ins in Vietnamese words, a list tall enough to work in, no 'None' for an ID number
nobody gave, and a download with word headers and dates that carry the year."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, go_to, rerun, sign_in, wait_for_app_run

pytestmark = pytest.mark.browser

SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
SECTORS = {"Y tế", "Cơ quan nhà nước", "Doanh nghiệp", "Nơi công cộng"}


def grid_headers(table) -> list[str]:
    """A st.dataframe's column headers, from the grid's accessible table (drawn just after the
    canvas)."""
    expect(table.locator("[role='columnheader']").first).to_be_attached()
    return [h.strip() for h in table.locator("[role='columnheader']").all_text_contents()]


def grid_column(table, header: str) -> list[str]:
    """The cells of one column the grid has drawn (its visible rows)."""
    position = grid_headers(table).index(header) + 1
    return [
        cell.strip()
        for cell in table.locator(f"[role='row'] [aria-colindex='{position}']").all_text_contents()
    ][1:]  # the header row's cell first


def test_a_district_officer_reads_venues_in_words(server, page, tmp_path):
    page.set_viewport_size({"width": 1920, "height": 1080})
    sign_in(page, server.url, "district_officer")
    go_to(page, "Địa điểm")
    venues = page.get_by_test_id("stDataFrame").first
    expect(venues).to_be_visible()
    headers = grid_headers(venues)
    assert headers[:6] == ["Mã địa điểm", "Tên", "Loại", "Khối", "Phường/Xã", "Quận/Huyện"]
    assert set(grid_column(venues, "Khối")) <= SECTORS
    assert venues.bounding_box()["height"] >= 35 * 12  # over ten rows in view, not five
    page.screenshot(path=str(ARTIFACTS / "district-officer-venue-list.png"))
    # Streamlit's own words in Vietnamese too (web/static/streamlit-vi.js): the table's toolbar,
    # a text box's hint.
    venues.hover()
    expect(venues.get_by_role("button", name="Tải xuống CSV")).to_be_attached()
    search = page.get_by_label("Tìm địa điểm (tên hoặc mã)")
    search.fill("Bách")
    expect(page.get_by_text("Nhấn Enter để áp dụng")).to_be_visible()
    search.fill("")
    search.press("Enter")
    wait_for_app_run(page)

    # Pick the first venue (the row's selector), then its check-ins.
    box = venues.bounding_box()
    with rerun(page):
        page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
    tables = page.get_by_test_id("stDataFrame")
    expect(tables).to_have_count(2)  # the list, and who checked in at the venue picked
    checkins = tables.last
    expect(checkins).to_be_visible()
    headers = grid_headers(checkins)
    assert "CCCD/CMND" in headers and "Hình thức" in headers
    assert [h for h in headers if SNAKE_CASE.search(h)] == []
    assert "None" not in grid_column(checkins, "CCCD/CMND")
    assert set(grid_column(checkins, "Hình thức")) <= {
        "Tự khai (QR)", "Khai hộ", "Tại chốt", "Khai trước", "Nhập từ hệ thống khác",
    }  # fmt: skip
    ticks = page.locator(".js-plotly-plot .xtick text").all_text_contents()
    assert ticks and not any(re.search(r"[A-Z][a-z]{2}", tick) for tick in ticks)  # no 'Nov'

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải danh sách (CSV)").click()
    assert download.value.suggested_filename.endswith("-luot-khai-bao.csv")
    saved = tmp_path / "checkins.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Giờ vào", "Giờ ra", "Họ tên"]
    assert [h for h in rows[0] if SNAKE_CASE.search(h)] == []
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", rows[1][0])  # the year is in the date
    assert {row[5] for row in rows[1:]} <= {
        "Tự khai (QR)", "Khai hộ", "Tại chốt", "Khai trước", "Nhập từ hệ thống khác",
    }  # fmt: skip
    page.screenshot(path=str(ARTIFACTS / "district-officer-venues.png"), full_page=True)


def test_the_import_drop_zone_speaks_vietnamese(server, page):
    sign_in(page, server.url, "admin")
    go_to(page, "Quản trị")
    page.get_by_role("tab", name="Nhập dữ liệu").click()
    zone = page.get_by_test_id("stFileUploaderDropzone")
    expect(zone).to_contain_text("Tải lên")
    expect(zone).to_contain_text("200MB mỗi tệp")
    expect(zone).not_to_contain_text("per file")
