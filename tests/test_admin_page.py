"""The administration page under AppTest: the venue registry, QR posters, accounts, audit."""

import pytest
from sqlalchemy import select

from config.settings import get_settings
from db.schema import app_user, audit_log, venue, wall_screen
from queries.venue_registry import PosterVenue
from reports.qr_poster import declaration_url, posters_pdf, qr_png, qr_svg
from rules.access import Scope
from tests.page_runs import open_page, point_app_at

ADMIN = Scope("root", "admin")


@pytest.fixture
def admin_page(monkeypatch, database_url, engine):
    point_app_at(monkeypatch, database_url)

    def open_():
        return open_page("admin", ADMIN)

    yield open_
    get_settings.cache_clear()


def test_registering_a_venue_validates_then_stores_it_with_a_token(admin_page, engine):
    app = admin_page()
    name = next(w for w in app.text_input if w.label == "Tên địa điểm")
    name.input("X")
    next(b for b in app.button if b.label == "Lưu").click().run()
    assert any(e.value.startswith("Nhập tên địa điểm") for e in app.error)
    with engine.connect() as connection:
        assert connection.execute(select(venue)).all() == []

    name = next(w for w in app.text_input if w.label == "Tên địa điểm")
    name.input("Chợ Tân Định <b>mới</b>")
    next(b for b in app.button if b.label == "Lưu").click().run()
    assert not app.exception
    # Shown as typed: the markup is escaped, not rendered.
    assert app.success[0].value.startswith(r"Đã đăng ký Chợ Tân Định \<b\>mới\</b\> (KBYT-")
    with engine.connect() as connection:
        stored = connection.execute(select(venue)).one()
        audited = connection.execute(select(audit_log.c.username, audit_log.c.action)).all()
    assert stored.name == "Chợ Tân Định <b>mới</b>" and len(stored.token) >= 22
    assert stored.search_name == "cho tan dinh <b>moi</b>"
    assert audited == [("root", "edit")]


def test_creating_an_account_from_the_page(admin_page, engine):
    app = admin_page()
    username = next(w for w in app.text_input if w.label == "Tên đăng nhập")
    password = next(w for w in app.text_input if w.label == "Mật khẩu")
    username.input("Epi.Two")
    password.input("short")
    next(b for b in app.button if b.label == "Tạo tài khoản").click().run()
    assert "at least 10 characters" in app.error[0].value
    next(w for w in app.text_input if w.label == "Tên đăng nhập").input("Epi.Two")
    next(w for w in app.text_input if w.label == "Mật khẩu").input("long enough password")
    next(s for s in app.selectbox if s.label == "Vai trò").set_value("epidemiologist")
    next(b for b in app.button if b.label == "Tạo tài khoản").click().run()
    assert app.success[0].value == r"Đã tạo tài khoản epi\.two."
    with engine.connect() as connection:
        assert connection.execute(select(app_user.c.username, app_user.c.role)).all() == [
            ("epi.two", "epidemiologist")
        ]


def test_qr_codes_and_posters_carry_the_token_not_the_id():
    url = declaration_url("https://kbyt.example.vn/", "Tok_en-123")
    assert url == "https://kbyt.example.vn/declare?v=Tok_en-123"
    assert qr_png(url).startswith(b"\x89PNG")
    assert b"<svg" in qr_svg(url)
    pdf = posters_pdf(
        [PosterVenue("Chợ Bến Thành", "Lê Lợi, Quận 1", "Tok_en-123", "CHO-BT")] * 3,
        "https://kbyt.example.vn",
    )
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 3  # one page per venue


def test_an_administrator_registers_a_wall_screen_sees_its_link_once_and_revokes_it(
    admin_page, engine
):
    app = admin_page()
    next(w for w in app.text_input if w.label == "Tên màn hình").input("Phòng chỉ huy <b>2</b>")
    app.selectbox(key="screen_district").select("764")
    next(b for b in app.button if b.label == "Thêm màn hình").click().run()
    assert not app.exception
    [link] = [c.value for c in app.code]
    assert link.startswith("http://localhost:8501/session/screen?key=")
    with engine.connect() as connection:
        stored = connection.execute(select(wall_screen.c.name, wall_screen.c.district_code,
                                           wall_screen.c.link_digest)).one()  # fmt: skip
    assert stored[:2] == ("Phòng chỉ huy <b>2</b>", "764")
    assert link.split("key=")[1] not in stored.link_digest

    app.run()  # the next run no longer shows the link
    assert [c.value for c in app.code] == []
    next(b for b in app.button if b.label == "Thu hồi màn hình").click().run()
    assert app.success[0].value == r"Đã thu hồi Phòng chỉ huy \<b\>2\</b\>."
    with engine.connect() as connection:
        assert connection.scalar(select(wall_screen.c.revoked_at)) is not None
        audited = connection.execute(
            select(audit_log.c.username, audit_log.c.action).order_by(audit_log.c.id)
        ).all()
    assert audited == [("root", "wall_screen.add"), ("root", "wall_screen.revoke")]
