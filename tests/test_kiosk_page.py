"""The checkpoint kiosk under AppTest, on both databases: staff declare walk-ins one after
another, confirm advance codes, see alerts, and never see the last person's confirmation under
a failed attempt. (Residents declare on the plain form: tests/test_web_form.py.)"""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from config.settings import get_settings
from db.schema import advance_declaration, alert, case_record, checkin, venue
from ingest.forms import validate_declarant
from queries.declarations import declare_in_advance
from queries.writes import resolve_people
from rules.access import Scope
from tests.page_runs import open_page, point_app_at
from tests.venue_rows import add_venues, market_row


@pytest.fixture
def venue_token(engine, monkeypatch, database_url):
    point_app_at(monkeypatch, database_url, SECRET_KEY="test secret")
    with engine.begin() as connection:
        tokens = add_venues(
            connection,
            market_row("M1", "Chợ Tân Định", address="48 Hai Bà Trưng"),
            market_row("M2", "Chợ cũ", address="48 Hai Bà Trưng", active=False),
            column="token",
        )
    yield tokens
    get_settings.cache_clear()


def open_kiosk(scope, params=None):
    return open_page("kiosk", scope, params)


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


def staff_of(engine, ref="M1"):
    with engine.connect() as connection:
        venue_id = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == ref))
    return Scope(f"staff.{ref.lower()}", "venue_staff", None, frozenset({venue_id}))


def confirm_code(kiosk, code):
    kiosk.segmented_control(key="declare_mode").set_value("confirm").run()
    kiosk.main.text_input[0].input(code)
    next(b for b in kiosk.button if b.label == "Xác nhận đã đến").click().run()
    assert not kiosk.exception, kiosk.exception
    return kiosk


def test_staff_confirm_a_code_declared_in_advance_once(engine, venue_token):
    with engine.begin() as connection:
        venue_id = connection.scalar(select(venue.c.id).where(venue.c.venue_ref == "M1"))
        em, _ = validate_declarant("Lê Thị Em", "0977000222")
        code = declare_in_advance(connection, venue_id, em, datetime.now(UTC), submission="a")
    kiosk = confirm_code(open_kiosk(staff_of(engine)), f"{code[:4].lower()}-{code[4:]}")
    assert "Lê Thị Em" in kiosk.success[0].value
    stored = rows(engine, checkin)
    assert [(r.channel, r.person_id is not None) for r in stored] == [("advance", True)]
    assert rows(engine, advance_declaration)[0].confirmed_by == "staff.m1"

    again = confirm_code(open_kiosk(staff_of(engine)), code)
    assert again.error[0].value == "Mã này đã được xác nhận."
    assert again.success == []


def test_a_failed_code_clears_the_last_persons_confirmation(engine, venue_token):
    kiosk = open_kiosk(staff_of(engine))
    field(kiosk, "staff_name").input("Phạm Văn Giang")
    field(kiosk, "staff_phone").input("0901000001")
    submit(kiosk)
    assert "Phạm Văn Giang" in kiosk.success[0].value
    confirm_code(kiosk, "ZZZZ-ZZZZ")
    assert kiosk.error[0].value == "Không tìm thấy mã này."
    assert all("Phạm Văn Giang" not in element.value for element in kiosk.success)


def test_a_walk_in_form_with_errors_clears_the_last_persons_confirmation(engine, venue_token):
    kiosk = open_kiosk(staff_of(engine))
    field(kiosk, "staff_name").input("Phạm Văn Giang")
    field(kiosk, "staff_phone").input("0901000001")
    submit(kiosk)
    field(kiosk, "staff_name").input("Phạm Thị Hoa")
    field(kiosk, "staff_phone").input("12")
    submit(kiosk)
    assert kiosk.success == []
    assert any(e.value.startswith("Số điện thoại không hợp lệ") for e in kiosk.error)


def test_the_kiosk_declares_walk_ins_one_after_another(engine, venue_token):
    kiosk = open_kiosk(staff_of(engine))
    for name, phone in (("Phạm Văn Giang", "0901000001"), ("Phạm Thị Hoa", "0901000002")):
        field(kiosk, "staff_name").input(name)
        field(kiosk, "staff_phone").input(phone)
        submit(kiosk)
        assert name in kiosk.success[0].value
    assert [r.channel for r in rows(engine, checkin)] == ["staff", "staff"]


def test_staff_see_the_alert_when_an_open_case_checks_in(engine, venue_token):
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
    kiosk = open_kiosk(staff_of(engine))
    field(kiosk, "staff_name").input("Võ Văn Khoa")
    field(kiosk, "staff_phone").input("0903 999 888")
    submit(kiosk)
    assert "NGUY CƠ CAO" in kiosk.error[0].value
    assert "CẢNH BÁO" in kiosk.error[1].value and "đang là ca bệnh" in kiosk.error[1].value
    assert [a.reason for a in rows(engine, alert)] == ["open_case"]
    assert rows(engine, checkin)[0].risk_level == 2


@pytest.mark.parametrize(
    ("name", "phone", "message"),
    [
        ("", "0903123456", "Nhập họ và tên"),
        ("A", "0903123456", "Nhập họ và tên"),
        ("12345", "0903123456", "Nhập họ và tên"),
        ("Nguyễn An", "", "Số điện thoại không hợp lệ"),
        ("Nguyễn An", "12345", "Số điện thoại không hợp lệ"),
        ("Nguyễn An", "0903 123 456'; DROP TABLE checkin; --", "Số điện thoại không hợp lệ"),
    ],
)
def test_every_validation_message_and_nothing_stored(engine, venue_token, name, phone, message):
    kiosk = open_kiosk(staff_of(engine))
    field(kiosk, "staff_name").input(name)
    field(kiosk, "staff_phone").input(phone)
    submit(kiosk)
    assert kiosk.error[0].value == "Vui lòng sửa các mục được đánh dấu."
    assert any(e.value.startswith(message) for e in kiosk.error)
    assert rows(engine, checkin) == []


def test_an_account_without_a_venue_is_told_so(engine, venue_token):
    kiosk = open_kiosk(Scope("officer", "district_officer", "760"))
    assert kiosk.info[0].value == "Tài khoản chưa được gắn với địa điểm nào."


def test_an_inactive_venue_says_so(engine, venue_token):
    kiosk = open_kiosk(staff_of(engine, "M2"))
    assert kiosk.warning[0].value.startswith("Địa điểm này đã ngừng")
