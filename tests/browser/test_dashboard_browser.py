"""The dashboard personas in a real browser (DESIGN §2): the command centre's wall, a district
officer filtering by ward, a leader taking the daily report, an officer following a case up."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go_to, rerun, sign_in, todays_hot_spots, wait_for_app_run

pytestmark = pytest.mark.browser


def map_frame(page):
    return page.frame_locator("iframe[title='streamlit_folium.st_folium']").first


def test_the_wall_shows_tiles_and_a_drawn_map_with_no_internet(server, page, browser_demo_url):
    sign_in(page, server.url, "command_centre")
    expect(page.locator("h1").first).to_contain_text("Trung tâm điều hành")
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    assert page.get_by_test_id("stMetric").count() == 7
    areas = map_frame(page).locator("path.leaflet-interactive")
    expect(areas.first).to_be_visible()
    # Every district drawn, from Leaflet served by the app, and today's hot and cold wards
    # outlined over them.
    hot = todays_hot_spots(browser_demo_url)
    assert areas.count() == 22 + int((hot["hot"] | hot["cold"]).sum())
    sidebar = page.locator("[data-testid='stSidebarNav']")
    expect(sidebar).not_to_contain_text("Ca nguy cơ")  # no personal data for this role
    # The page refreshes itself: the caption's time is rewritten without any input.
    caption = page.get_by_text("tự làm mới mỗi 10 giây")
    expect(caption).to_be_visible()


def test_a_district_officer_filters_by_ward_and_the_link_carries_it(server, page):
    sign_in(page, server.url, "district_officer")
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Quận Gò Vấp")
    ward = page.get_by_role("combobox", name="Phường/Xã")
    ward.click()
    with rerun(page):
        page.get_by_role("option", name="Phường 15").click()
    expect(ward).to_have_value("Phường 15")
    page.wait_for_url("**ward=26**")
    assert "district=764" in page.url
    go_to(page, "Bản đồ")
    expect(map_frame(page).locator("path.leaflet-interactive").first).to_be_visible()
    assert "ward=" in page.url and "district=764" in page.url


def test_a_leader_opens_the_overview_and_downloads_the_report(server, page, tmp_path):
    sign_in(page, server.url, "leadership")
    expect(page.locator("h1").first).to_have_text("Tổng quan")
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải báo cáo ngày (HTML)").click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    report = saved.read_text(encoding="utf-8")
    assert report.startswith("<!doctype html>")
    assert "Báo cáo khai báo y tế" in report and "Lượt khai báo" in report
    assert "<script" not in report and "http" not in report  # self-contained, forwardable


def test_clicking_a_district_on_the_map_drills_down_to_its_wards(server, page):
    sign_in(page, server.url, "admin")
    go_to(page, "Bản đồ")
    areas = map_frame(page).locator("path.leaflet-interactive")
    expect(areas.first).to_be_visible()
    assert areas.count() == 22
    # The largest district (Củ Chi or Cần Giờ) is the easiest to hit in its middle.
    sizes = [areas.nth(i).bounding_box() for i in range(areas.count())]
    largest = max(range(len(sizes)), key=lambda i: sizes[i]["width"] * sizes[i]["height"])
    with rerun(page):
        areas.nth(largest).click()
    page.wait_for_url("**district=7**")
    wait_for_app_run(page)
    expect(map_frame(page).locator("path.leaflet-interactive").first).to_be_visible()
    wards = map_frame(page).locator("path.leaflet-interactive").count()
    assert 7 <= wards <= 34  # now the chosen district's wards
