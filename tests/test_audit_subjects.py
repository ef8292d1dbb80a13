"""What an audit row is about, in the reader's language. The log keeps the English text as it
was always written (forensic exports read it) and, beside it, a key and its values; the
administration page says it in Vietnamese or in English, and a row written before keys existed
as it was stored."""

import re
import string
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config.settings import get_settings
from db.schema import audit_log
from i18n.labels import LABELS
from queries.audit import about, list_audit, record, subject_text
from queries.users import create_user
from rules.access import Scope
from tests.conftest import REPO
from tests.page_runs import open_page, point_app_at, read_in

ADMIN = Scope("root", "admin")


def written(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(
                    audit_log.c.subject, audit_log.c.subject_key, audit_log.c.subject_values
                ).order_by(audit_log.c.id)
            )
        ]


# (the subject, its English text as the log has always had it, in Vietnamese)
SUBJECTS = [
    (about("case", case=12), "case 12", "Ca bệnh số 12"),
    (about("trace", person=7, depth=2, since="2021-07-18", until="2021-08-01"),
     "person 7 depth 2 2021-07-18..2021-08-01",
     "Truy vết người số 7 đến F2, từ 2021-07-18 đến 2021-08-01"),
    (about("checkins_at_venue", venue="CDM-BD", since="2021-08-01 08:00",
           until="2021-08-01 10:00"),
     "check-ins at CDM-BD 2021-08-01 08:00–2021-08-01 10:00",
     "Lượt khai báo tại CDM-BD từ 2021-08-01 08:00 đến 2021-08-01 10:00"),
    (about("risk_list_page_city", first="2021-08-01", last="2021-08-07", page=1),
     "risk list city 2021-08-01..2021-08-07 page 1",
     "Danh sách ca nguy cơ toàn thành phố, từ 2021-08-01 đến 2021-08-07, trang 1"),
    (about("follow_up", person=7, status="contacted"), "follow-up of person 7: contacted",
     "Cập nhật theo dõi người số 7: Đã liên hệ"),
    (about("user_created", role="epidemiologist", username="epi.two"),
     "created epidemiologist epi.two", "Tạo tài khoản epi.two (Dịch tễ)"),
    (about("venue_deactivated", venue="CDM-BD"), "Deactivate CDM-BD", "Ngừng hoạt động CDM-BD"),
    (about("sessions_ended", count=2), "2 session(s) ended", "Kết thúc 2 phiên đăng nhập"),
    (about("sign_in_failed.wrong"), "wrong", "Sai tên đăng nhập hoặc mật khẩu"),
    (about("api_key", key="kbyt_Dq_hcnM"), "API key kbyt_Dq_hcnM", "Khóa API kbyt_Dq_hcnM"),
    (about("api_checkins", source="moh"), "check-ins through the API (source moh)",
     "Lượt khai báo qua API (nguồn moh)"),
]  # fmt: skip


def test_a_subject_is_written_in_english_as_before_with_its_key_and_values(engine):
    with engine.begin() as connection:
        for subject, _, _ in SUBJECTS:
            record(connection, "root", "view", subject)
        record(connection, "root", "view", "a subject of text, as before")
    assert written(engine) == [
        *[(english, subject.key, subject.values) for subject, english, _ in SUBJECTS],
        ("a subject of text, as before", None, None),
    ]


@pytest.mark.parametrize(
    "subject, english, vietnamese", SUBJECTS, ids=[s.key for s, *_ in SUBJECTS]
)
def test_a_subject_in_each_language(subject, english, vietnamese):
    assert subject_text("vi", english, subject.key, subject.values) == vietnamese
    assert subject_text("en", english, subject.key, subject.values) == english


def test_a_row_without_a_key_is_shown_as_it_was_stored():
    # Before keys, a venue switched off from a Vietnamese page was logged in Vietnamese.
    for language in ("vi", "en"):
        assert subject_text(language, "Ngừng hoạt động CDM-BD") == "Ngừng hoạt động CDM-BD"
        assert subject_text(language, "case 12", None, None) == "case 12"


def test_a_subject_must_name_what_its_sentence_names():
    with pytest.raises(ValueError, match="names \\['case'\\], given \\['person'\\]"):
        about("case", person=12)
    with pytest.raises(ValueError, match="no audit subject 'no_such_thing'"):
        about("no_such_thing")


USED = re.compile(r"""\babout\(\s*f?["']([a-z_.{}]+)["']""")


def test_every_subject_the_code_writes_has_both_sentences_with_the_same_values():
    used = set()
    for folder in ("app_pages", "ui", "web", "cli"):
        for path in (REPO / folder).rglob("*.py"):
            used |= set(USED.findall(path.read_text(encoding="utf-8")))
    # The keys made from a value: the kinds of import on the page, the ways a sign-in fails.
    made = {
        "upload_{kind}": {"upload_checkins", "upload_venues"},
        "sign_in_failed.{error.reason}": {
            f"sign_in_failed.{reason}" for reason in ("wrong", "inactive", "locked", "no_account")
        },
    }
    keys = set()
    for key in used:
        keys |= made.get(key, {key})
    catalogue = {k.removeprefix("audit.subject.") for k in LABELS if k.startswith("audit.subject.")}
    assert len(keys) > 30 and keys == catalogue
    for key in keys:
        vietnamese, english = LABELS[f"audit.subject.{key}"]
        fields = [
            {n for _, n, _, _ in string.Formatter().parse(text) if n}
            for text in (vietnamese, english)
        ]
        assert vietnamese.strip() and english.strip() and fields[0] == fields[1], key


@pytest.fixture
def admin_page(monkeypatch, database_url):
    point_app_at(monkeypatch, database_url)

    def open_(language="vi"):
        return open_page("admin", ADMIN, read_in(monkeypatch, language))

    yield open_
    get_settings.cache_clear()


def audit_table(app) -> list[str]:
    """The subjects in the audit log's table, newest first."""
    table = next(t.value for t in app.dataframe if t.value.columns[2] in ("Hành động", "Action"))
    return list(table.iloc[:, 3])


def test_deactivating_an_account_is_logged_and_read_in_each_language(admin_page, engine):
    with engine.begin() as connection:
        create_user(connection, "epi.two", "long enough password", "epidemiologist")
        # A row from before subjects had keys: shown as it was stored.
        connection.execute(
            audit_log.insert().values(
                at=datetime.now(UTC) - timedelta(minutes=5), username="root", action="edit",
                subject="Ngừng hoạt động CDM-BD",
            )
        )  # fmt: skip
    app = admin_page()
    app.selectbox(key="deactivate_user").select("epi.two")
    app.button(key="deactivate_button").click().run()
    assert not app.exception, app.exception
    assert written(engine)[-1] == (
        "deactivated epi.two",
        "user_deactivated",
        {"username": "epi.two"},
    )

    assert audit_table(admin_page()) == ["Khóa tài khoản epi.two", "Ngừng hoạt động CDM-BD"]
    assert audit_table(admin_page("en")) == ["deactivated epi.two", "Ngừng hoạt động CDM-BD"]


def test_list_audit_gives_the_key_and_values_beside_the_text(engine):
    with engine.begin() as connection:
        record(connection, "epi", "view", about("case", case=12), case_id=12)
        since = datetime.now(UTC) - timedelta(hours=1)
        rows = list_audit(connection, since, since + timedelta(hours=2))
    assert rows[["subject", "subject_key", "subject_values"]].values.tolist() == [
        ["case 12", "case", {"case": 12}]
    ]
