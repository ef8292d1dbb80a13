"""A resident declares on a phone in a real browser: scan (open the QR URL), fill, send."""

import shutil

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.engine import make_url

from db.engine import make_engine
from db.schema import checkin, person, venue
from tests.browser.conftest import AppServer, wait_for_app_run

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def copy_url(sqlite_demo_url, tmp_path_factory):
    """The demo city copied: this module writes declarations into it."""
    path = tmp_path_factory.mktemp("declare") / "city.db"
    shutil.copy(make_url(sqlite_demo_url).database, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def server(copy_url):
    app = AppServer(copy_url, {"KBYT_SECRET_KEY": "browser test"})
    yield app
    app.stop()


def test_a_resident_declares_with_a_symptom_and_sees_what_to_do(server, copy_url, browser):
    engine = make_engine(copy_url)
    with engine.connect() as connection:
        token = connection.scalar(select(venue.c.token).where(venue.c.venue_ref == "CDM-BD"))
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{server.url}/declare?v={token}")
    wait_for_app_run(page)
    expect(page.get_by_text("Chợ đầu mối nông sản thực phẩm Bình Điền")).to_be_visible()
    page.get_by_label("Họ và tên").fill("Đỗ Thị Lan")
    page.get_by_label("Số điện thoại").fill("0938 123 321")
    page.get_by_text("Sốt", exact=True).click()
    page.get_by_role("button", name="Gửi khai báo").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Có yếu tố nguy cơ: sốt.")).to_be_visible()
    expect(page.get_by_text("Quy trình của đơn vị")).to_be_visible()
    page.screenshot(path="test-artifacts/declare-phone.png", full_page=True)
    context.close()
    with engine.connect() as connection:
        stored = connection.execute(
            select(checkin.c.channel, checkin.c.symptoms, checkin.c.risk_level, person.c.phone)
            .join(person, person.c.id == checkin.c.person_id)
            .where(person.c.full_name == "Đỗ Thị Lan")
        ).all()
    engine.dispose()
    assert stored == [("self", "fever", 1, "+84938123321")]


def test_a_forged_token_shows_a_clear_page(server, page):
    page.goto(f"{server.url}/declare?v=forged-token-123")
    wait_for_app_run(page)
    expect(page.get_by_text("Mã QR không hợp lệ")).to_be_visible()
