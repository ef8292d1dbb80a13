"""An epidemiologist traces a case in a real browser: pick the case, state the purpose, see the
highlighted places, open one to see who was there, follow a contact in turn."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from db.engine import make_engine
from db.schema import audit_log
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


def test_the_contact_export_is_audited_with_its_case_and_purpose(server, page, browser_demo_url):
    sign_in(page, server.url, "epidemiologist")
    go_to(page, "Truy vết")
    page.get_by_role("button", name="Mở ca").click()
    wait_for_app_run(page)
    page.get_by_label("Mục đích truy vết (bắt buộc, được ghi nhật ký)").fill(
        "Xuất danh sách F1 cho phường"
    )
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    page.get_by_role("button", name="Truy vết", exact=True).click()
    wait_for_app_run(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải danh sách tiếp xúc (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("level,full_name,phone,first_exposure")
    engine = make_engine(browser_demo_url)
    with engine.connect() as connection:
        exports = connection.execute(
            select(
                audit_log.c.username,
                audit_log.c.case_id,
                audit_log.c.purpose,
                audit_log.c.row_count,
            ).where(audit_log.c.action == "export")
        ).all()
    engine.dispose()
    assert exports and exports[-1][0] == "e2e.epi"
    assert exports[-1][1] is not None and exports[-1][2] == "Xuất danh sách F1 cho phường"
    assert exports[-1][3] == len(text.splitlines()) - 1
