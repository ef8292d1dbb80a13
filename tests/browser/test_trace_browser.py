"""An epidemiologist traces a case in a real browser: pick the case, state the purpose, see the
highlighted places, open one to see who was there, follow a contact in turn."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AppServer, go_to, sign_in, wait_for_app_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser_demo_url):
    app = AppServer(browser_demo_url)
    yield app
    app.stop()


def choose(page, label, typed):
    """Pick the first option matching what is typed into a select box."""
    wait_for_app_run(page)
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(typed)
    page.get_by_role("option").first.wait_for()
    box.press("Enter")  # the highlighted option; a click can race a rerun that redraws the list
    wait_for_app_run(page)


def test_trace_a_case_open_a_place_and_follow_a_contact(server, page):
    sign_in(page, server.url, "epidemiologist")
    go_to(page, "Truy vết")
    expect(page.get_by_role("combobox", name="Hoặc chọn ca trong danh sách")).to_be_visible()
    page.get_by_role("button", name="Mở ca").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Ca số ")).to_be_visible()

    page.get_by_label("Mục đích truy vết (bắt buộc, được ghi nhật ký)").fill(
        "Điều tra cụm chợ đầu mối"
    )
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    page.get_by_role("button", name="Truy vết", exact=True).click()
    wait_for_app_run(page)
    expect(page.get_by_text("Các địa điểm ca đã đến")).to_be_visible(timeout=30_000)

    places = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    expect(places.locator("path.leaflet-interactive").first).to_be_visible(timeout=20_000)
    assert places.locator("path.leaflet-interactive").count() >= 2  # the path and the places

    choose(page, "Xem ai có mặt tại", "Chợ")
    expect(page.locator("strong", has_text="Có mặt tại Chợ")).to_be_visible()

    choose(page, "Chọn người tiếp xúc", "F1")
    page.get_by_role("button", name="Truy vết tiếp người này").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Đường truy vết:")).to_be_visible(timeout=30_000)
    assert "trail=" in page.url and "case=" in page.url
