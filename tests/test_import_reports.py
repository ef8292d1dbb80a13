"""An import's error report repeats rejected rows as read (names, phones): the administration
page keeps it under the data folder, readable by the app's account only, offers it as a
download without saying where it is, and deletes it after import_reports_keep_hours."""

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

import ingest.error_reports
from config.settings import ConfigError, get_settings, load_settings
from ingest.error_reports import delete_old_reports, new_report_file
from rules.access import Scope
from tests.conftest import REPO

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
    monkeypatch.setenv("KBYT_DATABASE_URL", database_url)
    monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
    monkeypatch.setenv("KBYT_IMPORT_REPORTS_KEEP_HOURS", "2")
    get_settings.cache_clear()

    def open_():
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
        app.session_state["scope"] = ADMIN
        app.run()
        app.switch_page("app_pages/admin.py")
        app.run()
        assert not app.exception, app.exception
        return app

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
    assert lines[0] == "line,reason,raw"
    assert [line.split(",")[0] for line in lines[1:]] == ["2", "3"]
    assert "Trần Thị B" in lines[2]
    # As escaped for Markdown (rules.markdown.plain), and without the report's place on disk.
    assert app.success[0].value == (
        "2 check\\-ins read\\:\u2060 0 imported, 0 already imported, 2 rejected\\."
    )
    assert app.get("download_button")[-1].label == "Tải báo cáo lỗi (CSV)"
    shown = page_text(app)
    assert str(reports) not in shown and "/tmp" not in shown and ".csv" not in shown


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
