"""The partner ingest API over real HTTP, on both databases: keys, per-row answers, idempotency,
body formats and limits, rate limits, failures as JSON. What a request stored is read back
through another engine, so only what was committed counts."""

import io
import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

import queries.writes
import web.api
from bench.web_server import serve
from config.settings import load_settings
from db.schema import api_key, audit_log, checkin, checkin_key, person, venue
from ingest.imports import import_checkins, import_venues
from ingest.report import ImportFileError, ImportInterrupted, ImportReport
from queries.api_keys import (
    ApiKeyError,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    source_for_key,
)
from queries.integrity import rollup_mismatches
from tests.checkin_rows import stored_checkins
from tests.command_line import manage
from web.api import UNAUTHORISED
from web.context import build_context

VENUES = """venue_ref,name,sector,kind,ward_code,address,lat,lon
CHO-1,Chợ Tân Định,public,market,26734,48 Hai Bà Trưng,10.7905,106.6905
CHO-2,Chợ Bến Thành,public,market,26743,Lê Lợi,10.7725,106.6980
"""
URL = "/api/v1/checkins"


@pytest.fixture
def db(engine):
    """The engine the tests read with (not the server's), with two markets."""
    assert import_venues(engine, io.BytesIO(VENUES.encode())).created == 2
    return engine


def new_key(engine, source="partner-a"):
    with engine.begin() as connection:
        return create_api_key(connection, source, "test")


@contextmanager
def start(database_url, **public):
    """The API on its own engine, with the given public.* settings."""
    settings = load_settings(database_url=database_url, secret_key="test", public=public)
    context = build_context(settings)
    try:
        with serve(context) as base_url:
            yield base_url
    finally:
        context.engine.dispose()


@pytest.fixture
def api(db, database_url):
    with start(database_url) as base_url:
        yield base_url


def row(external_id, venue_ref="CHO-1", **fields):
    return {
        "external_id": external_id,
        "venue_ref": venue_ref,
        "phone": "0903 123 456",
        "full_name": "Nguyễn Văn An",
        "checked_in_at": "2021-08-01T08:10:00+07:00",
        **fields,
    }


def post(base_url, key, rows, **options):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.post(base_url + URL, json=rows, headers=headers, timeout=30, **options)


def stored(engine):
    return stored_checkins(
        engine, checkin.c.source, checkin.c.external_id, venue.c.venue_ref, person.c.phone,
        person.c.full_name, checkin.c.checked_in_at, checkin.c.channel, checkin.c.symptoms,
        checkin.c.risk_level,
    )  # fmt: skip


def count(engine, table, *where):
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table).where(*where))


def audit_rows(engine):
    query = select(
        audit_log.c.username, audit_log.c.action, audit_log.c.row_count, audit_log.c.detail
    ).order_by(audit_log.c.id)
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(query)]


def nothing_stored(engine):
    return count(engine, checkin) == 0 and count(engine, checkin_key) == 0


AN_AT_0810 = datetime(2021, 8, 1, 1, 10, tzinfo=UTC)


# --- keys --------------------------------------------------------------------------------------


def test_no_key_or_a_wrong_or_revoked_key_is_401_with_one_answer(db, api):
    key = new_key(db)
    revoked = new_key(db, "partner-b")
    with db.begin() as connection:
        assert revoke_api_key(connection, revoked[:12], datetime.now(UTC))
    rows = [row("A-1")]
    answers = [
        post(api, None, rows),
        post(api, "kbyt_not-a-key", rows),
        post(api, key + "x", rows),
        post(api, revoked, rows),
        requests.post(api + URL, json=rows, headers={"X-API-Key": revoked}, timeout=30),
        requests.post(api + URL, json=rows, headers={"Authorization": f"Basic {key}"}, timeout=30),
    ]
    for answer in answers:
        assert answer.status_code == 401
        assert answer.json() == {"error": UNAUTHORISED}
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.headers["Content-Type"] == "application/json"
    assert nothing_stored(db)
    assert audit_rows(db) == []


def test_keys_are_stored_as_digests_and_revoked_by_id_prefix_or_key(db):
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    with db.begin() as connection:
        first = create_api_key(connection, " moh ", "test", note="Bộ Y tế", now=now)
        second = create_api_key(connection, "moh", "test", now=now)
        third = create_api_key(connection, "hcdc", "test", now=now)
        with pytest.raises(ImportFileError, match="source must be 1–40 printable characters"):
            create_api_key(connection, "x" * 41, "test")
    assert first.startswith("kbyt_") and len(first) == 48 and len({first, second, third}) == 3
    with db.connect() as connection:
        digests = connection.scalars(select(api_key.c.digest).order_by(api_key.c.id)).all()
        listed = list_api_keys(connection)
    assert first not in digests and all(len(d) == 64 for d in digests)
    assert [(k.id, k.prefix, k.source, k.note) for k in listed] == [
        (1, first[:12], "moh", "Bộ Y tế"), (2, second[:12], "moh", ""), (3, third[:12], "hcdc", "")
    ]  # fmt: skip
    assert "digest" not in listed[0]._fields

    with db.begin() as connection:
        assert source_for_key(connection, first, now) == "moh"
        assert source_for_key(connection, third, now) == "hcdc"
        assert source_for_key(connection, "", now) is None
        assert source_for_key(connection, first[:-1], now) is None
        assert revoke_api_key(connection, "1", now)
        assert not revoke_api_key(connection, "1", now)  # already revoked
        assert revoke_api_key(connection, second[:12], now)
        assert revoke_api_key(connection, third, now)  # the whole key
        assert not revoke_api_key(connection, "kbyt_nothing", now)
        assert [source_for_key(connection, k, now) for k in (first, second, third)] == [None] * 3


def test_a_prefix_shared_by_two_active_keys_revokes_neither(db):
    with db.begin() as connection:
        create_api_key(connection, "moh", "test")
        create_api_key(connection, "moh", "test")
        connection.execute(update(api_key).values(prefix="kbyt_same000"))
        with pytest.raises(ApiKeyError, match="2 active keys start with 'kbyt_same000'"):
            revoke_api_key(connection, "kbyt_same000", datetime.now(UTC))
        assert revoke_api_key(connection, "2", datetime.now(UTC))
        assert revoke_api_key(connection, "kbyt_same000", datetime.now(UTC))


def test_last_used_is_written_at_most_once_a_minute(db):
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    key = new_key(db)

    def use(at):
        with db.begin() as connection:
            assert source_for_key(connection, key, at) == "partner-a"
        with db.connect() as connection:
            return list_api_keys(connection)[0].last_used_at

    assert use(now) == now
    assert use(now + timedelta(seconds=59)) == now
    assert use(now + timedelta(seconds=60)) == now + timedelta(seconds=60)


# --- answers -----------------------------------------------------------------------------------


def test_each_row_gets_its_outcome_and_the_same_request_again_changes_nothing(db, api):
    key = new_key(db)
    first = post(api, key, [row("A-1")])
    assert first.status_code == 200, first.text
    assert first.json() == {
        "received": 1, "stored": 1, "already_present": 0, "refused": 0,
        "rows": [{"row": 1, "external_id": "A-1", "status": "stored"}],
    }  # fmt: skip

    rows = [
        row("A-2", "CHO-2", phone="+84 903 123 457", full_name="Trần Thị Bình",
            symptoms=["fever", "cough"], channel="staff"),
        row("A-3", "CHO-9"),
        row("A-1"),
    ]  # fmt: skip
    second = requests.post(api + URL, json=rows, headers={"X-API-Key": key}, timeout=30)
    assert second.status_code == 200, second.text
    unknown_venue = {"row": 2, "external_id": "A-3", "status": "refused",
                     "reason": "unknown venue_ref 'CHO-9'"}  # fmt: skip
    assert second.json() == {
        "received": 3, "stored": 1, "already_present": 1, "refused": 1,
        "rows": [{"row": 1, "external_id": "A-2", "status": "stored"}, unknown_venue,
                 {"row": 3, "external_id": "A-1", "status": "already_present"}],
    }  # fmt: skip
    expected = [
        ("partner-a", "A-1", "CHO-1", "+84903123456", "Nguyễn Văn An", AN_AT_0810, "import", "",
         0),
        ("partner-a", "A-2", "CHO-2", "+84903123457", "Trần Thị Bình", AN_AT_0810, "staff",
         "fever;cough", 1),
    ]  # fmt: skip
    assert stored(db) == expected

    again = post(api, key, rows)
    assert again.status_code == 200
    assert again.json() == {
        "received": 3, "stored": 0, "already_present": 2, "refused": 1,
        "rows": [{"row": 1, "external_id": "A-2", "status": "already_present"}, unknown_venue,
                 {"row": 3, "external_id": "A-1", "status": "already_present"}],
    }  # fmt: skip
    assert stored(db) == expected
    assert count(db, person) == 2
    with db.connect() as connection:
        assert rollup_mismatches(connection) == []
    assert audit_rows(db) == [
        ("api:partner-a", "api.checkins", 1,
         "received 1: stored 1, already present 0, refused 0"),
        ("api:partner-a", "api.checkins", 1,
         "received 3: stored 1, already present 1, refused 1"),
        ("api:partner-a", "api.checkins", 0,
         "received 3: stored 0, already present 2, refused 1"),
    ]  # fmt: skip
    with db.connect() as connection:
        assert list_api_keys(connection)[0].last_used_at is not None


def test_rows_are_refused_by_the_importers_rules_and_the_good_ones_kept(db, api):
    key = new_key(db)
    rows = [
        row("B-1", phone="123"),
        row("B-2", checked_in_at="2021-08-01"),
        {"external_id": "B-3", "venue_ref": "CHO-1"},
        row("B-4", note="hello"),
        row("B-5", full_name=True),
        row(17),
        row(" "),
        row("B-5"),
        row("B-5"),  # a repeat inside one request
        {**row("B-8"), "external_id": None},
    ]
    answer = post(api, key, rows)
    assert answer.status_code == 200, answer.text
    missing = "missing column phone; missing column full_name; missing column checked_in_at"
    assert answer.json()["rows"] == [
        {"row": 1, "external_id": "B-1", "status": "refused",
         "reason": "bad phone: not a Vietnamese phone number: '123'"},
        {"row": 2, "external_id": "B-2", "status": "refused",
         "reason": "checked_in_at '2021-08-01' has no time of day"},
        {"row": 3, "external_id": "B-3", "status": "refused", "reason": missing},
        {"row": 4, "external_id": "B-4", "status": "refused", "reason": "unknown field(s) note"},
        {"row": 5, "external_id": "B-5", "status": "refused",
         "reason": "field full_name is true/false; expected text or a number"},
        {"row": 6, "external_id": "17", "status": "stored"},
        {"row": 7, "external_id": " ", "status": "refused", "reason": "missing external_id"},
        {"row": 8, "external_id": "B-5", "status": "stored"},
        {"row": 9, "external_id": "B-5", "status": "already_present"},
        {"row": 10, "external_id": None, "status": "refused", "reason": "missing external_id"},
    ]  # fmt: skip
    assert [r[1] for r in stored(db)] == ["17", "B-5"]


def test_a_source_in_a_row_is_ignored(db, api):
    key = new_key(db)
    answer = post(api, key, [{**row("S-1"), "source": "someone-else"}])
    assert answer.json()["rows"] == [{"row": 1, "external_id": "S-1", "status": "stored"}]
    assert [(r[0], r[1]) for r in stored(db)] == [("partner-a", "S-1")]


def test_a_json_array_and_jsonl_are_both_read(db, api):
    key = new_key(db)
    bearer = {"Authorization": f"Bearer {key}"}

    def lines(*rows, end="\n"):
        return end.join(json.dumps(r, ensure_ascii=False) for r in rows).encode() + end.encode()

    bodies = [
        ("application/json", json.dumps([row("F-1"), row("F-2")]).encode()),
        ("application/json; charset=utf-8", b" \n[ " + json.dumps(row("F-3")).encode() + b"]"),
        ("application/x-ndjson", lines(row("F-4"), row("F-5"))),
        ("application/jsonl", b"\r\n" + lines(row("F-6"), row("F-7"), end="\r\n\r\n")),
        ("text/plain", lines(row("F-8"))),  # by the first character
        (None, "\ufeff".encode() + json.dumps([row("F-9")]).encode()),
    ]
    for content_type, body in bodies:
        headers = {**bearer, **({"Content-Type": content_type} if content_type else {})}
        answer = requests.post(api + URL, data=body, headers=headers, timeout=30)
        assert answer.status_code == 200, (content_type, answer.text)
        assert answer.json()["refused"] == 0, (content_type, answer.text)
        assert [r["row"] for r in answer.json()["rows"]] == list(
            range(1, answer.json()["received"] + 1)
        )
    assert [r[1] for r in stored(db)] == [f"F-{i}" for i in range(1, 10)]
    assert stored(db)[0][4] == "Nguyễn Văn An"

    empty = requests.post(api + URL, data=b"[]", headers=bearer, timeout=30)
    assert empty.status_code == 200
    assert empty.json() == {
        "received": 0, "stored": 0, "already_present": 0, "refused": 0, "rows": []
    }  # fmt: skip


@pytest.mark.parametrize(
    ("content_type", "body", "status", "expected"),
    [
        ("application/json", b'[{"external_id": "M-1",}]', 400,
         {"error": "not valid JSON at line 1, column 24: Expecting property name enclosed in "
          "double quotes", "line": 1, "column": 24}),
        ("application/json", b'{"external_id": "M-1"}', 400,
         {"error": "expected a JSON array of check-in objects (send one object per line as "
          "application/x-ndjson)"}),
        (None, b'[{"external_id": "M-1"}, "M-2"]', 400,
         {"error": "row 2 is not a JSON object", "row": 2}),
        ("application/x-ndjson", b'{"external_id": "M-1"}\n\n{"external_id": M-2}\n', 400,
         {"error": "line 3 is not valid JSON (column 17: Expecting value)", "line": 3}),
        ("application/x-ndjson", b'{"external_id": "M-1"}\n[1]\n', 400,
         {"error": "line 2 is not a JSON object", "line": 2}),
        (None, b" \n ", 400,
         {"error": "the body is empty: send a JSON array of check-ins, or JSONL"}),
        (None, b"external_id,venue_ref\nM-1,CHO-1\n", 400,
         {"error": "the body is neither a JSON array nor JSONL: send application/json (an array "
          "of objects) or application/x-ndjson (one object per line)"}),
        (None, b'[{"full_name": "Nguy\xe1\xbb\x85n V\xe3n"}]', 400,
         {"error": "the body is not UTF-8 (byte 0xE3 at offset 26)"}),
        (None, b"[" * 100_000, 400, {"error": "the JSON is nested too deeply"}),
    ],
)  # fmt: skip
def test_a_body_that_is_not_json_rows_is_400_and_stores_nothing(
    db, api, content_type, body, status, expected
):
    key = new_key(db)
    headers = {"Authorization": f"Bearer {key}"}
    if content_type:
        headers["Content-Type"] = content_type
    # A good row first: a malformed body is refused whole.
    body = body.replace(b'{"external_id": "M-1"}', json.dumps(row("M-1")).encode())
    answer = requests.post(api + URL, data=body, headers=headers, timeout=30)
    assert (answer.status_code, answer.json()) == (status, expected)
    assert nothing_stored(db)
    assert audit_rows(db) == [("api:partner-a", "api.checkins", 0, f"refused: {expected['error']}")]


# --- limits ------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_and_stores_nothing(db, database_url):
    key = new_key(db)
    bearer = {"Authorization": f"Bearer {key}"}
    rows = [row(f"L-{i}") for i in range(30)]
    body = json.dumps(rows).encode()
    assert len(body) > 2048
    expected = {"error": "the body is larger than 2,048 bytes: split it into smaller requests"}
    with start(database_url, api_max_body_bytes=2048) as base_url:
        declared = requests.post(base_url + URL, data=body, headers=bearer, timeout=30)

        def pieces():  # chunked: no Content-Length, so only counting finds it
            for start_at in range(0, len(body), 500):
                yield body[start_at : start_at + 500]

        streamed = requests.post(base_url + URL, data=pieces(), headers=bearer, timeout=30)
        small = post(base_url, key, rows[:5])
    assert (declared.status_code, declared.json()) == (413, expected)
    assert (streamed.status_code, streamed.json()) == (413, expected)
    assert "Content-Length" not in streamed.request.headers
    assert small.status_code == 200 and small.json()["stored"] == 5
    assert [r[1] for r in stored(db)] == [f"L-{i}" for i in range(5)]


def test_the_third_request_in_a_minute_is_429_when_the_limit_is_two(db, database_url):
    key = new_key(db)
    other = new_key(db, "partner-b")
    with start(database_url, api_rate_per_key="2/minute") as base_url:
        answers = [post(base_url, key, [row(f"R-{i}")]) for i in range(3)]
        other_answer = post(base_url, other, [row("R-9")])
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert refused.json() == {
        "error": f"Quá nhiều yêu cầu với khóa này, hãy thử lại sau {wait} giây. / "
        f"Too many requests with this key; retry after {wait} s."
    }
    assert other_answer.status_code == 200  # the limit is per key
    assert [r[1] for r in stored(db)] == ["R-0", "R-1", "R-9"]


# --- failures ----------------------------------------------------------------------------------


def test_health_says_ok_when_the_database_answers(db, api):
    answer = requests.get(api + "/api/v1/health", timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


def test_health_says_unavailable_without_details_when_the_database_is_down():
    settings = load_settings(
        database_url="postgresql+psycopg2://kbyt:kbyt@127.0.0.1:1/kbyt", secret_key="test"
    )
    with serve(build_context(settings)) as base_url:
        health = requests.get(base_url + "/api/v1/health", timeout=30)
        ingest = post(base_url, "kbyt_whatever", [row("D-1")])
    assert (health.status_code, health.json()) == (503, {"status": "unavailable"})
    assert ingest.status_code == 503
    assert ingest.json() == {
        "error": "database unavailable; sending the same request again is safe"
    }  # fmt: skip


def test_a_database_failure_mid_request_is_503_and_leaves_nothing(db, api, monkeypatch):
    key = new_key(db)

    def lost(*args, **kwargs):
        raise OperationalError("INSERT INTO venue_hour", None, Exception("connection lost"))

    # The check-ins are in the table by then, in the request's transaction.
    monkeypatch.setattr(queries.writes, "add_to_rollups", lost)
    failed = post(api, key, [row("X-1"), row("X-2")])
    assert failed.status_code == 503
    assert failed.json() == {
        "error": "database unavailable; nothing of this request was stored, sending it again "
        "is safe"
    }
    assert "connection lost" not in failed.text
    assert nothing_stored(db) and count(db, person) == 0
    monkeypatch.undo()
    again = post(api, key, [row("X-1"), row("X-2")])
    assert again.json()["stored"] == 2
    assert [a[2] for a in audit_rows(db)] == [0, 2]


def test_concurrent_requests_with_the_same_new_people_are_all_stored(db, api):
    key = new_key(db)
    people = [(f"09031{i:05d}", f"Người Số {i}") for i in range(60)]

    def send(batch):
        rows = [
            row(f"P-{batch}-{i}", phone=phone, full_name=name)
            for i, (phone, name) in enumerate(people[batch % 2 :: 2] + people)
        ]
        return post(api, key, rows)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert [a.json()["stored"] for a in answers] == [90] * 4, [
        r for a in answers for r in a.json()["rows"] if r["status"] != "stored"
    ]
    assert count(db, checkin) == 360 and count(db, person) == 60


def test_a_request_that_lost_a_conflict_is_tried_again(db, api, monkeypatch):
    key = new_key(db)
    calls = []

    class Deadlock(Exception):
        pgcode = "40P01"

    def conflicting(*args, **kwargs):
        calls.append(1)
        if len(calls) < web.api.IMPORT_ATTEMPTS or fail_always:
            error = OperationalError("INSERT INTO person", None, Deadlock())
            raise ImportInterrupted("stopped", ImportReport("check-ins")) from error
        return real_import(*args, **kwargs)

    real_import = web.api.import_checkins
    monkeypatch.setattr(web.api, "import_checkins", conflicting)
    fail_always = False
    answer = post(api, key, [row("T-1")])
    assert (answer.status_code, answer.json()["stored"]) == (200, 1)
    assert len(calls) == web.api.IMPORT_ATTEMPTS
    calls.clear()
    fail_always = True
    answer = post(api, key, [row("T-2")])
    assert answer.status_code == 503 and len(calls) == web.api.IMPORT_ATTEMPTS
    assert [r[1] for r in stored(db)] == ["T-1"]


def test_an_unexpected_error_is_a_json_500_without_a_traceback(db, api, monkeypatch):
    key = new_key(db)

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(web.api, "parse_body", broken)
    answer = post(api, key, [row("E-1")])
    assert (answer.status_code, answer.json()) == (500, {"error": "internal error"})
    assert "secret detail" not in answer.text and "Traceback" not in answer.text


def test_the_importer_reports_each_rows_outcome_by_line(db):
    from ingest.report import RowOutcome

    text = (
        "external_id,venue_ref,phone,full_name,checked_in_at\n"
        "C-1,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00+07:00\n"
        "C-2,CHO-9,0903123456,Nguyễn Văn An,2021-08-01T08:10:00+07:00\n"
        "C-3,CHO-1,0903123456\n"
        "\n"
        "C-1,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00+07:00\n"
        "C-5,CHO-1,123,Nguyễn Văn An,2021-08-01T08:10:00+07:00\n"
    )
    outcomes = []
    report = import_checkins(db, io.BytesIO(text.encode()), chunk_size=2, outcomes=outcomes)
    assert outcomes == [
        RowOutcome(2, "stored"),
        RowOutcome(3, "refused", "unknown venue_ref 'CHO-9'"),
        RowOutcome(4, "refused", "wrong column count: 3 fields, expected 5"),
        RowOutcome(6, "already_present"),
        RowOutcome(7, "refused", "bad phone: not a Vietnamese phone number: '123'"),
    ]
    assert (report.imported, report.already_present, report.rejected) == (1, 1, 3)


# --- manage.py ---------------------------------------------------------------------------------


def test_api_keys_are_made_listed_and_revoked_from_the_command_line(db, database_url):
    made = manage("create-api-key", "--source", "hcdc", "--note", "CDC", database_url=database_url)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("kbyt_") and "\n" not in key
    assert "will not be shown again" in made.stderr and key not in made.stderr
    bad = manage("create-api-key", "--source", " ", database_url=database_url)
    assert bad.returncode == 2 and "source must be 1–40 printable characters" in bad.stderr

    listed = manage("list-api-keys", database_url=database_url)
    assert listed.returncode == 0, listed.stderr
    with db.connect() as connection:
        digest = connection.scalar(select(api_key.c.digest))
    assert key[:12] in listed.stdout and "hcdc" in listed.stdout and "active" in listed.stdout
    assert key not in listed.stdout + listed.stderr and key[12:20] not in listed.stdout
    assert digest not in listed.stdout + listed.stderr

    revoked = manage("revoke-api-key", key, database_url=database_url)  # the whole key
    again = manage("revoke-api-key", key[:12], database_url=database_url)
    listed = manage("list-api-keys", database_url=database_url)
    assert revoked.returncode == 0, revoked.stderr
    assert again.returncode == 2 and "no active key" in again.stderr
    assert "revoked" in listed.stdout
    with db.begin() as connection:
        assert source_for_key(connection, key, datetime.now(UTC)) is None
    assert [(u, a) for u, a, _, _ in audit_rows(db)] == [
        ("manage.py", "api_key.create"), ("manage.py", "api_key.revoke")
    ]  # fmt: skip
    # Revoked with the whole key: only its prefix is logged or printed.
    assert key[:12] in revoked.stdout and key not in revoked.stdout + revoked.stderr
    with db.connect() as connection:
        logged = connection.execute(text("SELECT * FROM audit_log")).all()
    assert not any(key in str(cell) for row in logged for cell in row)
