"""A resident declares on a phone in a real browser: scan (open the QR URL printed on the
poster), fill the plain form, send; then check out from the confirmation."""

import shutil

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.engine import make_url

from db.engine import make_engine
from db.schema import checkin, person, venue
from reports.qr_poster import declaration_url
from tests.browser.conftest import ARTIFACTS, AppServer, offline_page

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


@pytest.fixture
def phone(browser):
    with offline_page(browser, viewport=PHONE, is_mobile=True, locale="vi-VN") as page:
        yield page


def test_a_resident_declares_with_a_symptom_and_checks_out(server, copy_url, phone):
    engine = make_engine(copy_url)
    with engine.connect() as connection:
        token = connection.scalar(select(venue.c.token).where(venue.c.venue_ref == "CDM-BD"))
    phone.goto(declaration_url(server.url, token))
    expect(phone.get_by_text("Chợ đầu mối nông sản thực phẩm Bình Điền")).to_be_visible()
    # One column that fits the phone: nothing to scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_label("Họ và tên").fill("Đỗ Thị Lan")
    phone.get_by_label("Số điện thoại").fill("0938 123 321")
    phone.get_by_label("Sốt", exact=True).check()
    phone.screenshot(path=str(ARTIFACTS / "declare-phone-form.png"), full_page=True)
    phone.get_by_role("button", name="Gửi khai báo").click()

    expect(phone.get_by_text("Có yếu tố nguy cơ: sốt.")).to_be_visible()
    expect(phone.get_by_text("Quy trình của đơn vị")).to_be_visible()
    phone.screenshot(path=str(ARTIFACTS / "declare-phone-confirmation.png"), full_page=True)
    phone.get_by_role("button", name="Báo rời khỏi địa điểm").click()
    expect(phone.get_by_text("Đã ghi nhận giờ ra. Cảm ơn bạn!")).to_be_visible()

    with engine.connect() as connection:
        stored = connection.execute(
            select(checkin.c.channel, checkin.c.symptoms, checkin.c.risk_level, person.c.phone,
                   checkin.c.checked_out_at.is_not(None))
            .join(person, person.c.id == checkin.c.person_id)
            .where(person.c.full_name == "Đỗ Thị Lan")
        ).all()  # fmt: skip
    engine.dispose()
    assert stored == [("self", "fever", 1, "+84938123321", True)]


def test_a_forged_token_shows_a_clear_page(server, phone):
    phone.goto(f"{server.url}/declare?v=forged-token-123")
    expect(phone.get_by_text("Mã QR không hợp lệ")).to_be_visible()
