"""An import's error report repeats rejected rows as read (names, phones): the administration
page keeps it under the data folder, readable by the app's account only, offers it as a
download without saying where it is, and deletes it after import_reports_keep_hours. The page
shows the rejected rows, and writes that report, in its reader's language."""

import csv
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

import ingest.error_reports
from config.settings import ConfigError, get_settings, load_settings
from ingest.error_reports import delete_old_reports, new_report_file
from rules.access import Scope
from tests.page_runs import open_page, point_app_at, read_in

ADMIN = Scope("root", "admin")
BAD_ROWS = (
    "external_id,venue_ref,phone,full_name,checked_in_at\n"
    "A1,CHO-9,0903123456,Nguyễn Văn A,2021-08-01T08:10:00+07:00\n"
    "A2,CHO-9,123,Trần Thị B,2021-08-01T08:20:00+07:00\n"
).encode()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def reports(tmp_path, monkeypatch):
    """The data folder's import-reports/ of this test (not the repository's data/)."""
    folder = tmp_path / "data" / "import-reports"
    monkeypatch.setattr(ingest.error_reports, "REPORTS_FOLDER", folder)
    return folder


@pytest.fixture
def admin_page(monkeypatch, database_url):
    point_app_at(monkeypatch, database_url, IMPORT_REPORTS_KEEP_HOURS="2")

    def open_(language="vi"):
        return open_page("admin", ADMIN, read_in(monkeypatch, language))

    yield open_
    get_settings.cache_clear()


def page_text(app) -> str:
    texts = [
        e.value for kind in ("success", "error", "markdown", "caption") for e in getattr(app, kind)
    ]
    return "\n".join(str(text) for text in texts)


def test_rejected_rows_go_to_a_private_report_under_the_data_folder_offered_for_download(
    admin_page, reports
):
    app = admin_page()
    app.file_uploader(key="import_file").set_value(("checkins.csv", BAD_ROWS, "text/csv")).run()
    app.button(key="import_run").click().run()
    assert not app.exception, app.exception
    files = sorted(reports.iterdir())
    assert len(files) == 1 and files[0].suffix == ".csv"
    assert (mode(files[0]), mode(reports)) == (0o600, 0o700)
    lines = files[0].read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Dòng,Lý do,Nội dung dòng"
    assert [line.split(",")[0] for line in lines[1:]] == ["2", "3"]
    assert "Trần Thị B" in lines[2]
    # As escaped for Markdown (rules.markdown.plain), and without the report's place on disk.
    assert app.success[0].value == (
        "Đã đọc 2 lượt khai báo\\:\u2060 0 được nhập, 0 đã có từ trước, 2 bị loại\\."
    )
    assert app.get("download_button")[-1].label == "Tải báo cáo lỗi (CSV)"
    shown = page_text(app)
    assert str(reports) not in shown and "/tmp" not in shown and ".csv" not in shown


# Known bad rows, and why each is rejected: (line, in Vietnamese, in English).
BAD_FILE = (
    "external_id,venue_ref,phone,full_name,checked_in_at\n"
    "A1,CHO-9,0903123456,Nguyễn Văn A,2021-08-01T08:10:00+07:00\n"
    "A2,CHO-9,123,Trần Thị B,2021-08-01T08:20:00+07:00\n"
    "A3,CHO-9,,Lê Văn C,01/08/2021 08:10\n"
    "A4,CHO-9\n"
).encode()
WHY = [
    (2, "Mã địa điểm không tồn tại: CHO-9", "unknown venue_ref 'CHO-9'"),
    (3, "Số điện thoại không phải số Việt Nam: '123'",
     "bad phone: not a Vietnamese phone number: '123'"),
    (4, "Thiếu số điện thoại; Giờ vào không hợp lệ: '01/08/2021 08:10' (cần ngày giờ dạng ISO "
        "8601, ví dụ 2021-08-01T08:10:00+07:00)",
     "missing phone; checked_in_at '01/08/2021 08:10' is not an ISO 8601 time (e.g. "
     "2021-08-01T08:10:00+07:00)"),
    (5, "Sai số cột: có 2 cột, cần 5", "wrong column count: 2 fields, expected 5"),
]  # fmt: skip


LINE = ("Dòng", "Line")


def import_bad_file(app):
    app.file_uploader(key="import_file").set_value(("checkins.csv", BAD_FILE, "text/csv")).run()
    app.button(key="import_run").click().run()
    assert not app.exception, app.exception
    # The rejected rows' table: the one whose first column is the line (the audit log's is not).
    return next(table.value for table in app.dataframe if table.value.columns[0] in LINE)


def test_the_rejected_rows_and_their_report_are_in_vietnamese_by_default(admin_page, reports):
    app = admin_page()
    shown = import_bad_file(app)
    assert list(shown.columns) == ["Dòng", "Lý do", "Nội dung dòng"]
    assert list(zip(shown["Dòng"], shown["Lý do"], strict=True)) == [(n, vi) for n, vi, _ in WHY]
    assert app.success[0].value == (
        "Đã đọc 4 lượt khai báo\\:\u2060 0 được nhập, 0 đã có từ trước, 4 bị loại\\."
    )
    [report] = reports.iterdir()
    with open(report, encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["Dòng", "Lý do", "Nội dung dòng"]
    assert [(int(n), why) for n, why, _ in written[1:]] == [(n, vi) for n, vi, _ in WHY]
    assert written[2][2] == "A2,CHO-9,123,Trần Thị B,2021-08-01T08:20:00+07:00"


def test_the_rejected_rows_and_their_report_are_in_english_under_lang_en(admin_page, reports):
    app = admin_page("en")
    shown = import_bad_file(app)
    assert list(shown.columns) == ["Line", "Reason", "Row as read"]
    assert list(zip(shown["Line"], shown["Reason"], strict=True)) == [(n, en) for n, _, en in WHY]
    assert app.success[0].value == (
        "Check\\-ins read\\:\u2060 4; imported\\:\u2060 0; already imported\\:\u2060 0; "
        "rejected\\:\u2060 4\\."
    )
    [report] = reports.iterdir()
    with open(report, encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["Line", "Reason", "Row as read"]
    assert [(int(n), why) for n, why, _ in written[1:]] == [(n, en) for n, _, en in WHY]
    assert app.get("download_button")[-1].label == "Download the error report (CSV)"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("vi", "bang\\-mot\\.csv là sổ bảng tính, không phải tệp văn bản\\:\u2060 hãy lưu"),
        ("en", "bang\\-mot\\.csv is a spreadsheet workbook, not a text file\\:\u2060 save"),
    ],
)
def test_a_file_refused_whole_is_said_in_the_readers_language(admin_page, reports, language, said):
    app = admin_page(language)
    workbook = ("bang-mot.csv", b"PK\x03\x04 an Excel workbook", "text/csv")
    app.file_uploader(key="import_file").set_value(workbook).run()
    app.button(key="import_run").click().run()
    assert not app.exception, app.exception
    assert app.error[0].value.startswith(said), app.error[0].value
    assert list(reports.iterdir()) == []


def test_a_report_older_than_the_setting_is_deleted_when_the_page_opens(admin_page, reports):
    now = datetime.now(UTC)
    old = new_report_file(reports, now - timedelta(hours=3))
    recent = new_report_file(reports, now - timedelta(hours=1))
    os.utime(old, (old.stat().st_atime, (now - timedelta(hours=2, minutes=1)).timestamp()))
    os.utime(recent, (recent.stat().st_atime, (now - timedelta(hours=1)).timestamp()))
    admin_page()  # import_reports_keep_hours = 2
    assert sorted(reports.iterdir()) == [recent]


def test_delete_old_reports_keeps_those_written_within_the_hours(tmp_path):
    now = datetime(2021, 9, 1, 12, 0, tzinfo=UTC)
    made = {hours: new_report_file(tmp_path, now) for hours in (1, 24, 25)}
    for hours, path in made.items():
        written = (now - timedelta(hours=hours)).timestamp()
        os.utime(path, (written, written))
    assert delete_old_reports(24, tmp_path, now) == 1  # 25 hours old; 24 is not older
    assert sorted(tmp_path.iterdir()) == sorted([made[1], made[24]])
    assert made[1].name.startswith("20210901T120000Z-")


def test_the_keep_hours_setting_is_validated_with_a_readable_message(monkeypatch):
    monkeypatch.setenv("KBYT_IMPORT_REPORTS_KEEP_HOURS", "0")
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value) == (
        "Invalid setting 'import_reports_keep_hours' (KBYT_IMPORT_REPORTS_KEEP_HOURS): "
        "Input should be greater than or equal to 1 (got '0')"
    )
    monkeypatch.setenv("KBYT_IMPORT_REPORTS_KEEP_HOURS", "48")
    assert load_settings().import_reports_keep_hours == 48


def test_a_report_made_before_the_data_folder_exists_makes_both_folders_0700(tmp_path):
    previous = os.umask(0o022)  # the usual umask, under which mkdir alone would give 0755
    try:
        path = new_report_file(tmp_path / "data" / "import-reports")
    finally:
        os.umask(previous)
    assert (mode(tmp_path / "data"), mode(path.parent), mode(path)) == (0o700, 0o700, 0o600)
