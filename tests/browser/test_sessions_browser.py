"""Sign-in that lasts and ends, in a real browser: a reload and a server restart keep an
epidemiologist on the same page with the same filters; deactivation ends the session at the next
click; a registered wall screen comes back by itself after a restart (saying so in Vietnamese
meanwhile); a link opened signed out reaches its page after signing in."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from db.engine import make_engine
from queries.sessions import add_wall_screen
from queries.users import create_user, set_active
from tests.browser.conftest import PASSWORD, AppServer, go_to, sign_in, wait_for_app_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(browser_demo_url):
    app = AppServer(browser_demo_url, {"KBYT_WALL_REFRESH_SECONDS": "10"})
    yield app
    app.stop()


def signed_in_as(page: Page, username: str) -> None:
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.get_by_text(f"Đăng nhập: {username}")).to_be_visible()


def wait_for_disconnect(page: Page) -> None:
    page.locator("[data-testid='stApp']:not([data-test-connection-state='CONNECTED'])").wait_for(
        state="attached"
    )


def test_a_link_opened_signed_out_reaches_its_page_after_signing_in(server, page):
    sign_in(page, server.url, "epidemiologist", "district=760", path="risk")
    assert page.url.startswith(f"{server.url}/risk?district=760")
    expect(page.locator("h1").first).to_have_text("Ca nguy cơ")
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Quận 1")


def test_a_reload_and_a_restart_keep_the_user_on_the_same_page(server, page):
    sign_in(page, server.url, "epidemiologist", "district=760", path="risk")
    page.reload()
    wait_for_app_run(page)
    signed_in_as(page, "e2e.epi")
    expect(page.locator("h1").first).to_have_text("Ca nguy cơ")
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Quận 1")

    server.restart()  # the browser is left alone: it reconnects by itself
    wait_for_app_run(page)
    signed_in_as(page, "e2e.epi")
    expect(page.locator("h1").first).to_have_text("Ca nguy cơ")
    expect(page.get_by_role("combobox", name="Quận/Huyện")).to_have_value("Quận 1")
    assert page.url.startswith(f"{server.url}/risk?district=760")


def test_deactivation_ends_the_session_at_the_next_click(server, page, browser_demo_url):
    engine = make_engine(browser_demo_url)
    with engine.begin() as connection:
        create_user(connection, "e2e.leaving", PASSWORD, "district_officer", "764")
    page.goto(f"{server.url}/overview")
    page.get_by_label("Tên đăng nhập").fill("e2e.leaving")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    wait_for_app_run(page)
    signed_in_as(page, "e2e.leaving")

    with engine.begin() as connection:
        set_active(connection, "e2e.leaving", False)
    engine.dispose()
    go_to(page, "Ca nguy cơ")
    expect(page.get_by_text("Phiên đăng nhập đã kết thúc")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    page.reload()  # and a reload lands on the sign-in form, not the page
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()


def test_a_wall_screen_comes_back_by_itself_after_a_restart(server, page, browser_demo_url):
    engine = make_engine(browser_demo_url)
    with engine.begin() as connection:
        key = add_wall_screen(connection, "Phòng chỉ huy 1", None, "e2e.admin", datetime.now(UTC))
    engine.dispose()
    page.goto(f"{server.url}/session/screen?key={key}")
    page.wait_for_url(f"{server.url}/wall")
    wait_for_app_run(page)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    expect(frame.locator("path.leaflet-interactive").first).to_be_visible()
    expect(page.get_by_text("Phòng chỉ huy 1 (Trung tâm chỉ huy)")).to_be_visible()

    server.stop()
    wait_for_disconnect(page)
    # What the room sees meanwhile is Streamlit's own box, in Vietnamese (web/page_language.py).
    expect(page.get_by_text("Mất kết nối tới máy chủ")).to_be_visible()
    expect(page.get_by_text("Máy chủ KBYT tạm thời không trả lời.", exact=False)).to_be_visible()
    for english in ("streamlit run yourscript.py", "Streamlit server is not responding"):
        expect(page.get_by_text(english, exact=False)).not_to_be_visible()
    server.restart()
    wait_for_app_run(page)
    expect(page.locator("h1").first).to_contain_text("Trung tâm điều hành")
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    expect(frame.locator("path.leaflet-interactive").first).to_be_visible()
    assert page.get_by_test_id("stMetric").count() == 7


def test_streamlits_page_not_found_box_is_in_vietnamese(server, page):
    sign_in(page, server.url, "epidemiologist")
    page.goto(f"{server.url}/no-such-page")
    expect(page.get_by_text("Không tìm thấy trang")).to_be_visible()
    expect(
        page.get_by_text("Trang bạn yêu cầu không tồn tại. Đang mở trang chính.")
    ).to_be_visible()
