"""The declaration flows under AppTest, on both databases: self, on behalf, in advance, the
checkpoint kiosk, check-out, unknown tokens and every validation message."""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from config.settings import get_settings
from db.schema import advance_declaration, alert, case_record, checkin, person, venue, ward_hour
from queries.writes import resolve_people, upsert_venues
from rules.access import Scope
from tests.conftest import REPO


@pytest.fixture
def venue_token(engine, monkeypatch, database_url):
    monkeypatch.setenv("KBYT_DATABASE_URL", database_url)
    monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
    monkeypatch.setenv("KBYT_SECRET_KEY", "test secret")
    get_settings.cache_clear()
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([
            dict(venue_ref=ref, name=name, sector="public", kind="market", address="48 Hai Bà Trưng",
                 ward_code="26734", lat=10.79, lon=106.69, dwell_minutes=60,
                 registered_on=date(2021, 6, 1), active=active)
            for ref, name, active in (("M1", "Chợ Tân Định", True), ("M2", "Chợ cũ", False))
        ]))  # fmt: skip
        tokens = dict(connection.execute(select(venue.c.venue_ref, venue.c.token)).all())
    yield tokens
    get_settings.cache_clear()


def open_declare(params, scope=None):
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    if scope:
        app.session_state["scope"] = scope
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    app.switch_page("app_pages/declare.py")
    app.run()
    assert not app.exception, app.exception
    return app


def field(app, key):
    return next(w for w in app.text_input if w.key == key)


def tick(app, key):
    next(w for w in app.checkbox if w.key == key).check()


def submit(app):
    next(b for b in app.button if b.label in ("Gửi khai báo", "Send the declaration")).click().run()
    assert not app.exception, app.exception
    return app


def rows(engine, table):
    with engine.connect() as connection:
        return connection.execute(select(table)).all()


def test_a_resident_declares_for_themselves_and_checks_out_later(engine, venue_token):
    app = open_declare({"v": venue_token["M1"]})
    assert "Chợ Tân Định" in app.markdown[0].value
    field(app, "self_name").input("  Nguyễn Văn An ")
    field(app, "self_phone").input("0903.123.456")
    tick(app, "self_s_cough")
    submit(app)
    assert "Nguyễn Văn An" in app.warning[0].value and "ho" in app.warning[0].value  # medium
    assert "Quy trình của đơn vị" in [m.value.strip("*") for m in app.markdown]
    stored = rows(engine, checkin)
    assert len(stored) == 1
    assert (stored[0].channel, stored[0].symptoms, stored[0].risk_level) == ("self", "cough", 1)
    assert rows(engine, person)[0].phone == "+84903123456"
    assert rows(engine, ward_hour)[0].checkins == 1  # the rollup moved with it
    code = app.session_state["checkout_code"]

    later = open_declare({"checkout": code})
    later.button(key="checkout_button").click().run()
    assert "Đã ghi nhận giờ ra" in later.success[0].value
    assert rows(engine, checkin)[0].checked_out_at is not None
    forged = open_declare({"checkout": code[:-1] + ("0" if code[-1] != "0" else "1")})
    forged.button(key="checkout_button").click().run()
    assert "Không ghi nhận được giờ ra" in forged.error[0].value


def test_one_declarer_declares_two_dependants_without_smartphones(engine, venue_token):
    app = open_declare({"v": venue_token["M1"]})
    app.segmented_control(key="declare_mode").set_value("proxy").run()
    app.number_input(key="proxy_count").set_value(2).run()
    field(app, "declarer_name").input("Trần Văn Bình")
    field(app, "declarer_phone").input("+84 912 000 111")
    field(app, "dep0_name").input("Trần Thị Cúc")
    field(app, "dep1_name").input("Trần Văn Dũng")
    field(app, "dep1_phone").input("0988 777 666")
    tick(app, "dep1_s_shortness_of_breath")
    submit(app)
    stored = sorted(rows(engine, checkin), key=lambda r: r.id)
    people = {p.id: p for p in rows(engine, person)}
    assert [people[r.person_id].full_name for r in stored] == ["Trần Thị Cúc", "Trần Văn Dũng"]
    assert {people[r.declared_by_person_id].full_name for r in stored} == {"Trần Văn Bình"}
    assert people[stored[0].person_id].phone == "+84912000111"  # the declarer's phone
    assert [r.risk_level for r in stored] == [0, 2]
    assert [r.channel for r in stored] == ["proxy", "proxy"]


def test_declaring_in_advance_then_staff_confirm_at_the_door(engine, venue_token):
    app = open_declare({"v": venue_token["M1"]})
    app.segmented_control(key="declare_mode").set_value("advance").run()
    field(app, "advance_name").input("Lê Thị Em")
    field(app, "advance_phone").input("0977000222")
    submit(app)
    code = app.session_state["advance_code"]
    assert len(code) == 8 and rows(engine, checkin) == []

    with engine.connect() as connection:
        venue_id = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == "M1"))
    staff = Scope("staff.m1", "venue_staff", None, frozenset({venue_id}))
    kiosk = open_declare({}, scope=staff)
    kiosk.segmented_control(key="declare_mode").set_value("confirm").run()
    kiosk.main.text_input[0].input(f"{code[:4].lower()}-{code[4:]}")
    next(b for b in kiosk.button if b.label == "Xác nhận đã đến").click().run()
    assert "Lê Thị Em" in kiosk.success[0].value
    stored = rows(engine, checkin)
    assert [(r.channel, r.person_id is not None) for r in stored] == [("advance", True)]
    assert rows(engine, advance_declaration)[0].confirmed_by == "staff.m1"

    again = open_declare({}, scope=staff)
    again.segmented_control(key="declare_mode").set_value("confirm").run()
    again.main.text_input[0].input(code)
    next(b for b in again.button if b.label == "Xác nhận đã đến").click().run()
    assert again.error[0].value == "Mã này đã được xác nhận."


def test_the_kiosk_declares_walk_ins_one_after_another(engine, venue_token):
    with engine.connect() as connection:
        venue_id = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == "M1"))
    kiosk = open_declare({}, scope=Scope("staff.m1", "venue_staff", None, frozenset({venue_id})))
    for name, phone in (("Phạm Văn Giang", "0901000001"), ("Phạm Thị Hoa", "0901000002")):
        field(kiosk, "staff_name").input(name)
        field(kiosk, "staff_phone").input(phone)
        submit(kiosk)
        assert name in kiosk.success[0].value
    assert [r.channel for r in rows(engine, checkin)] == ["staff", "staff"]


def test_an_open_case_checking_in_raises_an_alert_and_shows_the_procedure(engine, venue_token):
    with engine.begin() as connection:
        case_person = int(
            resolve_people(
                connection, pd.DataFrame({"phone": ["+84903999888"], "full_name": ["Võ Văn Khoa"]})
            )[0]
        )
        connection.execute(case_record.insert().values(
            person_id=case_person, status="confirmed", onset_date=date(2021, 8, 1),
            created_at=datetime.now(UTC) - timedelta(days=1), created_by="t",
        ))  # fmt: skip
    app = open_declare({"v": venue_token["M1"]})
    field(app, "self_name").input("Võ Văn Khoa")
    field(app, "self_phone").input("0903 999 888")
    submit(app)
    assert "NGUY CƠ CAO" in app.error[0].value
    assert "CẢNH BÁO" in app.error[1].value and "đang là ca bệnh" in app.error[1].value
    assert [a.reason for a in rows(engine, alert)] == ["open_case"]
    assert rows(engine, checkin)[0].risk_level == 2


@pytest.mark.parametrize(
    ("name", "phone", "id_number", "message"),
    [
        ("", "0903123456", "", "Nhập họ và tên"),
        ("A", "0903123456", "", "Nhập họ và tên"),
        ("12345", "0903123456", "", "Nhập họ và tên"),
        ("Nguyễn An", "", "", "Số điện thoại không hợp lệ"),
        ("Nguyễn An", "12345", "", "Số điện thoại không hợp lệ"),
        ("Nguyễn An", "0903 123 456'; DROP TABLE checkin; --", "", "Số điện thoại không hợp lệ"),
        ("Nguyễn An", "0903123456", "12ab", "Số CCCD có 12 chữ số"),
    ],
)
def test_every_validation_message_and_nothing_stored(
    engine, venue_token, name, phone, id_number, message
):
    app = open_declare({"v": venue_token["M1"]})
    field(app, "self_name").input(name)
    field(app, "self_phone").input(phone)
    field(app, "self_id").input(id_number)
    submit(app)
    assert app.error[0].value == "Vui lòng sửa các mục được đánh dấu."
    assert any(e.value.startswith(message) for e in app.error)
    assert rows(engine, checkin) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"v": "not-a-real-token"}, "Mã QR không hợp lệ"),
        ({"v": "' OR '1'='1"}, "Mã QR không hợp lệ"),
        ({"v": "x" * 500}, "Mã QR không hợp lệ"),
    ],
)
def test_unknown_or_forged_tokens_get_a_clear_page(venue_token, params, message):
    app = open_declare(params)
    assert app.error[0].value.startswith(message)


def test_an_inactive_venue_says_so(venue_token):
    app = open_declare({"v": venue_token["M2"]})
    assert app.warning[0].value.startswith("Địa điểm này đã ngừng")


def test_without_a_token_the_page_explains_how_to_declare(venue_token):
    app = open_declare({})
    assert app.info[0].value.startswith("Quét mã QR")


def test_checking_out_from_the_same_screen_and_declaring_again(engine, venue_token):
    app = open_declare({"v": venue_token["M1"]})
    field(app, "self_name").input("Nguyễn Thị Mai")
    field(app, "self_phone").input("0903 555 666")
    submit(app)
    assert "Không có yếu tố nguy cơ" in app.success[0].value
    app.button(key="checkout_now").click().run()
    assert any("Đã ghi nhận giờ ra" in s.value for s in app.success)
    assert rows(engine, checkin)[0].checked_out_at is not None
    app.button(key="declare_again").click().run()
    assert any(w.key == "self_name" for w in app.text_input)  # the form is back
    assert "declare_confirmations" not in app.session_state
