"""The app shell in a real browser: sign-in, a shared link's filters, navigation, language."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go_to, sign_in, wait_for_app_run

pytestmark = pytest.mark.browser


def test_a_shared_link_opens_the_same_filtered_view_after_sign_in(server, page):
    sign_in(page, server.url, "admin", "district=760&ward=26740")
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Quận 1")
    expect(page.get_by_role("combobox", name="Phường/Xã")).to_have_value("Phường Bến Nghé")
    assert "district=760" in page.url and "ward=26740" in page.url
    expect(page.locator("h1").first).to_have_text("Tổng quan")


def test_navigation_keeps_the_filter_in_the_link(server, page):
    sign_in(page, server.url, "admin", "district=769")
    # The overview has taken the link's district before the user moves on (on a loaded
    # machine a click during its rerun left the map page's select showing the default while
    # the map itself was filtered).
    district = page.get_by_role("combobox", name="Quận/Huyện")
    expect(district).to_have_value("Thành phố Thủ Đức")
    go_to(page, "Bản đồ")
    page.wait_for_url("**/map?**")
    wait_for_app_run(page)
    # A loaded machine can take a while to restore the widgets on the new page (WAIT_MS).
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Thành phố Thủ Đức")
    assert "district=769" in page.url


def test_english_from_the_link(server, page):
    page.goto(f"{server.url}/?lang=en")
    expect(page.locator("h1").first).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_the_whole_city_is_the_default(server, page):
    sign_in(page, server.url, "admin")
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Toàn thành phố")
    expect(page.get_by_role("combobox", name="Phường/Xã")).to_have_value("Tất cả phường/xã")


def test_a_district_officer_is_kept_inside_the_district(server, page):
    sign_in(page, server.url, "district_officer", "district=760")
    expect(page.get_by_text("nằm ngoài phạm vi của bạn")).to_be_visible()
    sidebar = page.locator("[data-testid='stSidebarNav']")
    expect(sidebar).not_to_contain_text("Truy vết")  # the trace panel is for epidemiologists
    expect(sidebar).not_to_contain_text("Quản trị")
