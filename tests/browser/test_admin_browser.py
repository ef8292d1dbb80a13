"""An administrator imports a file of check-ins from the admin page: progress, the rejected
rows with line and reason, and every valid row kept."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from db.engine import make_engine
from db.schema import audit_log, checkin
from tests.browser.conftest import go_to, rerun, sign_in

pytestmark = pytest.mark.browser

ROWS = """external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms,exposures
E-1,CDM-BD,0903 111 222,Nguyễn Văn Một,2021-08-01T08:00:00+07:00,,self,,
E-2,CDM-BD,not a phone,Trần Văn Hai,2021-08-01T08:05:00+07:00,,self,,
E-3,NO-SUCH,0903 111 333,Lê Thị Ba,2021-08-01T08:10:00+07:00,,self,fever,
E-4,CDM-BD,0903 111 444,Phạm Thị Bốn,2021-08-01T08:15:00+07:00,,self,cough,case_contact
"""


def test_an_upload_keeps_good_rows_and_reports_bad_ones(server, page, browser_demo_url, tmp_path):
    upload = tmp_path / "moh.csv"
    upload.write_text(ROWS, encoding="utf-8")
    engine = make_engine(browser_demo_url)
    with engine.connect() as connection:
        before = connection.scalar(select(func.count()).select_from(checkin))
    sign_in(page, server.url, "admin")
    go_to(page, "Quản trị")
    page.get_by_role("tab", name="Nhập dữ liệu").click()
    with rerun(page):
        page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_label("Hệ thống nguồn (ví dụ: moh, city)").fill("moh-e2e")
    with rerun(page):
        page.get_by_role("button", name="Nhập", exact=True).click()
    expect(page.get_by_text("Các dòng bị loại")).to_be_visible()
    expect(page.get_by_role("button", name="Tải báo cáo lỗi (CSV)")).to_be_visible()
    with engine.connect() as connection:
        after = connection.scalar(select(func.count()).select_from(checkin))
        imported = connection.execute(
            select(audit_log.c.action, audit_log.c.row_count).where(audit_log.c.action == "import")
        ).all()
    engine.dispose()
    assert after - before == 2  # lines 2 and 5 kept; 3 (phone) and 4 (venue) rejected
    assert imported[-1] == ("import", 2)


def test_a_venues_qr_files_and_poster_are_made_when_asked(server, page):
    """The files are made when their button is pressed (not on every run of the page)."""
    sign_in(page, server.url, "admin")
    go_to(page, "Quản trị")
    page.get_by_label("Tìm địa điểm (tên hoặc mã)").fill("CDM-BD")
    with rerun(page):
        page.keyboard.press("Enter")
    files = {}
    for label in ("Mã QR (PNG)", "Mã QR (SVG)", "Áp phích A4 (PDF)"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        files[download.value.suggested_filename] = download.value.path().read_bytes()
    assert sorted(files) == ["CDM-BD.pdf", "CDM-BD.png", "CDM-BD.svg"]
    assert files["CDM-BD.png"].startswith(b"\x89PNG")
    assert b"<svg" in files["CDM-BD.svg"][:400]
    assert files["CDM-BD.pdf"].startswith(b"%PDF")
