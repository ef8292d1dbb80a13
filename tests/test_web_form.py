"""The public declaration form over real HTTP, on both databases: each flow, the QR URL printed
on posters, a submission stored once, nothing disclosed about a known person, rate limits,
and no traceback for hostile input."""

import re
from datetime import date

import pandas as pd
import pytest
import requests
from sqlalchemy import func, select, text

from bench.web_server import serve
from config.settings import load_settings
from db.schema import advance_declaration, alert, checkin, person, venue, venue_hour
from queries.cases import register_case
from queries.writes import resolve_people, upsert_venues
from reports.qr_poster import declaration_url
from tests.venue_rows import add_venues, market_row
from web.context import build_context


@pytest.fixture
def venues(engine):
    with engine.begin() as connection:
        return add_venues(
            connection,
            market_row("M1", "Chợ Tân Định", address="48 Hai Bà Trưng"),
            market_row("M2", "Chợ cũ", address="48 Hai Bà Trưng", active=False),
            column="token",
        )


def start(engine, database_url, **public):
    settings = load_settings(database_url=database_url, secret_key="form test", public=public)
    return serve(build_context(settings, engine))


@pytest.fixture
def site(engine, database_url, venues):
    with start(engine, database_url) as base_url:
        yield base_url


def hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html)[1]


def open_form(client, base_url, token, **params):
    answer = client.get(f"{base_url}/declare", params={"v": token, **params})
    assert answer.status_code == 200, answer.text
    return answer.text


def send(client, base_url, flow, form_html, fields):
    body = {name: hidden(form_html, name) for name in ("v", "submission", "csrf_token")}
    if 'name="people"' in form_html:
        body["people"] = hidden(form_html, "people")
    return client.post(f"{base_url}/declare/{flow}", data={**body, **fields})


def count(engine, table, *where):
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table).where(*where))


def text_of(html, css_class):
    """The text of the first element with this class, tags removed."""
    match = re.search(rf'class="{css_class}[^"]*">(.*?)</(p|section)>', html, re.S)
    return re.sub(r"<[^>]+>", "", match[1]).strip() if match else None


def test_a_resident_declares_for_themselves(engine, site, venues):
    client = requests.Session()
    form = open_form(client, site, venues["M1"])
    assert "Chợ Tân Định" in form and 'name="full_name"' in form

    answer = send(client, site, "self", form, {
        "full_name": "  Nguyễn Văn An ", "phone": "0903.123.456", "symptoms": ["cough", "fever"],
        "birth_year": "1990", "home_ward_code": "26734",
    })  # fmt: skip

    assert answer.status_code == 200
    assert text_of(answer.text, "risk") == "Có yếu tố nguy cơ: sốt, ho."
    assert "Quy trình của đơn vị" in answer.text
    with engine.connect() as connection:
        stored = connection.execute(
            select(checkin.c.channel, checkin.c.symptoms, checkin.c.risk_level, person.c.phone,
                   person.c.full_name, person.c.birth_year)
            .join(person, person.c.id == checkin.c.person_id)
        ).all()  # fmt: skip
        assert connection.scalar(select(venue_hour.c.checkins)) == 1
    assert stored == [("self", "fever;cough", 1, "+84903123456", "Nguyễn Văn An", 1990)]


def test_the_url_printed_on_posters_opens_the_form(site, venues):
    answer = requests.get(declaration_url(site, venues["M1"]))
    assert answer.status_code == 200 and "Chợ Tân Định" in answer.text
    english = requests.get(declaration_url(site, venues["M1"]) + "&lang=en")
    assert "Declaring at" in english.text and 'lang="en"' in english.text


def test_two_visitors_of_one_venue_get_forms_of_their_own(engine, site, venues):
    """The blank form is rendered once per venue for a while; the keys in it are not shared."""
    first, second = requests.Session(), requests.Session()
    forms = [open_form(client, site, venues["M1"]) for client in (first, second)]
    assert hidden(forms[0], "submission") != hidden(forms[1], "submission")
    assert hidden(forms[0], "csrf_token") != hidden(forms[1], "csrf_token")
    for n, (client, form) in enumerate(zip((first, second), forms, strict=True)):
        answer = send(
            client, site, "self", form, {"full_name": f"Người {n}", "phone": f"090300000{n}"}
        )
        assert answer.status_code == 200
    assert count(engine, checkin) == 2
    refused = send(second, site, "self", forms[0], {"full_name": "Người 3", "phone": "0903000003"})
    assert refused.status_code == 403  # another browser's token


def test_a_venue_s_own_words_in_the_form_are_text(engine, database_url):
    """The blank form is kept with slots for the venue; what a venue typed fills them as text."""
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([
            dict(venue_ref="Q1", name='<b>"Quán" & Co</b>', sector="enterprise", kind="restaurant",
                 address="</p><script>alert(1)</script>", ward_code="26734", lat=10.79,
                 lon=106.69, dwell_minutes=60, registered_on=date(2021, 6, 1), active=True),
            dict(venue_ref="Q2", name="Quán không địa chỉ", sector="enterprise", kind="restaurant",
                 address="", ward_code="26734", lat=10.79, lon=106.69, dwell_minutes=60,
                 registered_on=date(2021, 6, 1), active=True),
        ]))  # fmt: skip
        tokens = dict(connection.execute(select(venue.c.venue_ref, venue.c.token)).all())
    with start(engine, database_url) as base_url:
        client = requests.Session()
        hostile = open_form(client, base_url, tokens["Q1"], mode="proxy", lang="en")
        plain = open_form(client, base_url, tokens["Q2"])

    assert "<strong>&lt;b&gt;&#34;Quán&#34; &amp; Co&lt;/b&gt;</strong>" in hostile
    assert '<span class="address">&lt;/p&gt;&lt;script&gt;' in hostile
    assert "<script>" not in hostile and "<b>" not in hostile
    assert hidden(hostile, "v") == tokens["Q1"]
    assert f"?lang=en&amp;v={tokens['Q1']}&amp;mode=self" in hostile
    assert "<strong>Quán không địa chỉ</strong>" in plain and 'class="address"' not in plain
    assert hidden(plain, "v") == tokens["Q2"]


def test_a_declaration_after_the_database_dropped_its_connections_is_stored(
    engine, database_url, venues
):
    """The form's engine does not ping before each use: a connection the server dropped fails
    the statement that meets it, and the request runs again on a new one."""
    settings = load_settings(database_url=database_url, secret_key="form test")
    context = build_context(settings)  # its own engine, as the server builds it
    with serve(context) as base_url:
        client = requests.Session()
        send(client, base_url, "self", open_form(client, base_url, venues["M1"]),
             {"full_name": "Người thứ nhất", "phone": "0903000001"})  # fmt: skip
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                dropped = connection.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ))  # fmt: skip
            assert dropped >= 1
        answer = send(client, base_url, "self", open_form(client, base_url, venues["M1"]),
                      {"full_name": "Người thứ hai", "phone": "0903000002"})  # fmt: skip
    context.engine.dispose()
    assert answer.status_code == 200, answer.text
    assert count(engine, checkin) == 2


def test_sending_the_same_form_twice_stores_it_once_and_shows_the_same_page(engine, site, venues):
    client = requests.Session()
    form = open_form(client, site, venues["M1"])
    fields = {"full_name": "Nguyễn Văn An", "phone": "0903123456"}
    first = send(client, site, "self", form, fields)
    again = send(client, site, "self", form, fields)
    assert first.status_code == again.status_code == 200
    assert re.findall(r'name="code" value="([^"]+)"', first.text) == re.findall(
        r'name="code" value="([^"]+)"', again.text
    )
    assert count(engine, checkin) == 1


def test_one_declarer_declares_for_two_people(engine, site, venues):
    client = requests.Session()
    form = open_form(client, site, venues["M1"], mode="proxy")
    answer = send(client, site, "proxy", form, {
        "declarer.full_name": "Trần Văn Bình", "declarer.phone": "+84 912 000 111",
        "d1.full_name": "Trần Thị Cúc",
        "d2.full_name": "Trần Văn Dũng", "d2.phone": "0988 777 666",
        "d2.symptoms": "shortness_of_breath",
    })  # fmt: skip
    assert answer.status_code == 200
    assert answer.text.count('class="confirmation') == 2
    with engine.connect() as connection:
        people = dict(connection.execute(select(person.c.id, person.c.full_name)).all())
        stored = connection.execute(
            select(checkin.c.person_id, checkin.c.declared_by_person_id, checkin.c.channel,
                   checkin.c.risk_level, person.c.phone)
            .join(person, person.c.id == checkin.c.person_id).order_by(checkin.c.id)
        ).all()  # fmt: skip
    assert [(people[p], people[by], ch, risk, ph) for p, by, ch, risk, ph in stored] == [
        ("Trần Thị Cúc", "Trần Văn Bình", "proxy", 0, "+84912000111"),
        ("Trần Văn Dũng", "Trần Văn Bình", "proxy", 2, "+84988777666"),
    ]


def test_a_proxy_form_without_anyone_to_declare_for_asks_for_one(engine, site, venues):
    client = requests.Session()
    form = open_form(client, site, venues["M1"], mode="proxy")
    answer = send(client, site, "proxy", form, {
        "declarer.full_name": "Trần Văn Bình", "declarer.phone": "0912000111"
    })  # fmt: skip
    assert answer.status_code == 422
    assert "Nhập ít nhất một người được khai hộ." in answer.text
    assert count(engine, checkin) == 0


def test_declaring_in_advance_twice_gives_one_code_at_the_top(engine, site, venues):
    client = requests.Session()
    form = open_form(client, site, venues["M1"], mode="advance")
    fields = {"full_name": "Lê Thị Em", "phone": "0977000222", "id_number": "079201000003"}
    first = send(client, site, "advance", form, fields)
    again = send(client, site, "advance", form, fields)
    code = re.search(r'<p class="code">([A-Z0-9-]{9})</p>', first.text)[1]
    assert code in again.text
    assert first.text.index(code) < first.text.index("Khai báo tại")  # the code comes first
    assert 'src="data:image/svg+xml' in first.text  # the QR, drawn without any other request
    with engine.connect() as connection:
        rows = connection.execute(select(advance_declaration.c.code)).scalars().all()
    assert rows == [code.replace("-", "")] and count(engine, checkin) == 0


def test_checking_out_with_the_code_from_the_confirmation(engine, site, venues):
    client = requests.Session()
    form = open_form(client, site, venues["M1"])
    done = send(client, site, "self", form, {"full_name": "Nguyễn Văn An", "phone": "0903123456"})
    code = hidden(done.text, "code")
    later = requests.Session()  # the link, opened later on the same phone
    page = later.get(f"{site}/declare", params={"checkout": code})
    answer = later.post(
        f"{site}/declare/checkout",
        data={"code": code, "csrf_token": hidden(page.text, "csrf_token")},
    )
    assert "Đã ghi nhận giờ ra" in answer.text
    assert count(engine, checkin, checkin.c.checked_out_at.is_not(None)) == 1
    forged = later.post(
        f"{site}/declare/checkout",
        data={"code": code[:-1] + ("0" if code[-1] != "0" else "1"),
              "csrf_token": hidden(page.text, "csrf_token")},
    )  # fmt: skip
    assert forged.status_code == 400 and "Không ghi nhận được giờ ra" in forged.text


def test_a_known_case_typed_by_a_stranger_gets_the_strangers_page_and_a_silent_alert(
    engine, site, venues
):
    with engine.begin() as connection:
        [case_person] = map(int, resolve_people(connection, pd.DataFrame({
            "phone": ["+84903000009"], "full_name": ["Lê Văn Ca"], "id_number": ["079201000001"],
            "birth_year": [1980], "home_ward_code": ["26734"],
        })))  # fmt: skip
        register_case(connection, case_person, "confirmed", date(2021, 7, 18), None, None, "epi")
    answers = {"symptoms": "cough"}
    pages = {}
    for who, phone, extra in (
        ("Phạm Thị Lạ", "0903000010", {}),
        ("Lê Văn Ca", "0903 000 009", {"id_number": "079999999999", "birth_year": "2001"}),
    ):
        client = requests.Session()
        form = open_form(client, site, venues["M1"])
        pages[who] = send(client, site, "self", form,
                          {"full_name": who, "phone": phone, **answers, **extra})  # fmt: skip

    stranger, case = pages["Phạm Thị Lạ"], pages["Lê Văn Ca"]
    assert case.status_code == stranger.status_code == 200
    assert text_of(case.text, "risk") == text_of(stranger.text, "risk") == "Có yếu tố nguy cơ: ho."
    assert 'class="confirmation level-1"' in case.text
    for word in ("ca bệnh", "truy vết", "CẢNH BÁO", "NGUY CƠ CAO"):
        assert word not in case.text
    with engine.connect() as connection:
        assert connection.execute(select(alert.c.person_id, alert.c.reason)).all() == [
            (case_person, "open_case")
        ]
        identity = connection.execute(
            select(person.c.id_number, person.c.birth_year).where(person.c.id == case_person)
        ).one()
    assert tuple(identity) == ("079201000001", 1980)


def test_the_limit_per_address_answers_429_in_vietnamese(engine, database_url, venues):
    with start(engine, database_url, rate_per_address="3/minute") as base_url:
        client = requests.Session()
        form = open_form(client, base_url, venues["M1"])
        answers = [
            send(client, base_url, "self", form,
                 {"full_name": f"Người số {n}", "phone": f"090300000{n}",
                  "submission": f"{n:032x}"})
            for n in range(5)
        ]  # fmt: skip
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert "Có quá nhiều khai báo trong thời gian ngắn" in answers[3].text
    assert answers[3].headers["Retry-After"] == "60"
    assert count(engine, checkin) == 3


def test_a_post_without_the_forms_cookie_is_refused(engine, site, venues):
    form = open_form(requests.Session(), site, venues["M1"])
    other_browser = requests.Session()
    answer = send(
        other_browser, site, "self", form, {"full_name": "Nguyễn Văn An", "phone": "0903123456"}
    )
    assert answer.status_code == 403 and "Biểu mẫu đã hết hạn" in answer.text
    assert count(engine, checkin) == 0


def test_unknown_and_inactive_venues_get_a_sentence(site, venues):
    assert "Mã QR không hợp lệ" in requests.get(f"{site}/declare", params={"v": "forged"}).text
    inactive = requests.get(f"{site}/declare", params={"v": venues["M2"]})
    assert inactive.status_code == 410 and "ngừng nhận khai báo" in inactive.text


HOSTILE = [
    {"birth_year": "١٩٩٠"},
    {"birth_year": "²⁰⁰¹"},
    {"id_number": "٠٧٩٢٠١٠٠٠٠٠١"},
    {"phone": "٠٩٠٣١٢٣٤٥٦"},
    {"full_name": "A" * 10_000},
    {"full_name": "\x00\x01<script>alert(1)</script>"},
    {"home_ward_code": "'; DROP TABLE person; --"},
    {"symptoms": "fever\x00"},
    {"v": "../../etc/passwd"},
    {"v": "x" * 5000},
    {"submission": "not-a-key"},
    {"people": "-3", "mode": "proxy"},
]


@pytest.mark.parametrize("change", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gets_a_page_never_a_traceback(engine, site, venues, change):
    client = requests.Session()
    form = open_form(client, site, venues["M1"])
    fields = {"full_name": "Nguyễn Văn An", "phone": "0903123456", **change}
    answer = send(client, site, "self", form, {k: v for k, v in fields.items() if k != "v"})
    if "v" in change:
        body = {name: hidden(form, name) for name in ("submission", "csrf_token")}
        answer = client.post(f"{site}/declare/self", data={**body, **fields})
    assert answer.status_code < 500
    for leak in ("Traceback", "sqlalchemy", "psycopg2", "sqlite3", 'File "'):
        assert leak not in answer.text
    assert "<script>" not in answer.text


@pytest.mark.parametrize("code", ["1.é", "²", "1." + "f" * 5000, "%00", "-1.abc", "9" * 30])
def test_bad_check_out_codes_get_a_sentence(site, code):
    client = requests.Session()
    page = client.get(f"{site}/declare", params={"checkout": code})
    assert page.status_code == 200
    answer = client.post(
        f"{site}/declare/checkout",
        data={"code": code, "csrf_token": hidden(page.text, "csrf_token")},
    )
    assert answer.status_code == 400 and "Không ghi nhận được giờ ra" in answer.text


def test_a_body_over_the_form_limit_is_refused_before_it_is_read(engine, site, venues):
    client = requests.Session()
    form = open_form(client, site, venues["M1"])
    answer = send(client, site, "self", form, {"full_name": "A", "padding": "x" * 100_000})
    assert answer.status_code == 413
    assert count(engine, checkin) == 0


def test_a_form_with_too_many_fields_gets_a_sentence(engine, site, venues):
    client = requests.Session()
    form = open_form(client, site, venues["M1"])
    padding = {f"extra{n}": "x" for n in range(500)}
    answer = send(client, site, "self", form, {"full_name": "A", "phone": "0903123456", **padding})
    assert answer.status_code == 400 and "Traceback" not in answer.text
    assert count(engine, checkin) == 0


def test_a_form_posted_as_multipart_is_read_the_same(engine, site, venues):
    """Browsers post this form urlencoded; a client that sends multipart is understood too."""
    client = requests.Session()
    form = open_form(client, site, venues["M1"])
    fields = {name: (None, hidden(form, name)) for name in ("v", "submission", "csrf_token")}
    answer = client.post(
        f"{site}/declare/self",
        files={**fields, "full_name": (None, "Trần Thị Bình"), "phone": (None, "0903123456"),
               "symptoms": (None, "cough")},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert text_of(answer.text, "risk") == "Có yếu tố nguy cơ: ho."
    assert count(engine, checkin) == 1
