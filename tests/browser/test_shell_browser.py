"""The app shell in a real browser: pages, filters in the link, language."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AppServer, wait_for_app_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(sqlite_demo_url):
    app = AppServer(sqlite_demo_url)
    yield app
    app.stop()


def test_a_shared_link_opens_the_same_filtered_view(server, open_app):
    page = open_app(server.url, "?district=760&ward=26740")
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Quận 1")
    expect(page.get_by_role("combobox", name="Phường/Xã")).to_have_value("Phường Bến Nghé")
    assert "district=760" in page.url and "ward=26740" in page.url
    expect(page.locator("h1").first).to_have_text("Tổng quan")


def test_navigation_keeps_the_filter_in_the_link(server, open_app):
    page = open_app(server.url, "?district=769")
    page.locator("[data-testid='stSidebarNav'] a", has_text="Bản đồ").click()
    wait_for_app_run(page)
    page.wait_for_url("**/map?**")
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Thành phố Thủ Đức")
    assert "district=769" in page.url


def test_english_from_the_link(server, open_app):
    page = open_app(server.url, "?lang=en")
    expect(page.locator("h1").first).to_have_text("Overview")
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("District")


def test_the_whole_city_is_the_default(server, open_app):
    page = open_app(server.url)
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Toàn thành phố")
    expect(page.get_by_role("combobox", name="Phường/Xã")).to_have_value("Tất cả phường/xã")
