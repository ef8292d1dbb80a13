"""`python manage.py add-case` and `trace` as an operator runs them, against both databases."""

import json

from db.engine import make_engine
from db.schema import audit_log
from tests.command_line import audit_rows, manage
from tests.test_trace import WORKED_EXAMPLE, build

A_PHONE = "+84903000000"  # build() numbers people in order of appearance: A, B, C, D, H, E…


def worked_example(database_url, people=None):
    engine = make_engine(database_url)
    ids = build(engine, WORKED_EXAMPLE, people=people)
    engine.dispose()
    return ids


def with_a_case(database_url, phone, *options):
    """The worked example, then `add-case` for A (onset 12 August 2021), found by phone as
    given; returns what the command did."""
    worked_example(database_url)
    return manage(
        "add-case", "--phone", phone, "--onset", "2021-08-12", *options, database_url=database_url
    )


def test_add_case_then_trace_prints_the_worked_example_as_json(database_url):
    added = with_a_case(database_url, "0903 000 000", "--confirmed")
    traced = manage(
        "trace", "--phone", "84903000000", "--depth", "2", "--json", database_url=database_url
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == (
        "Case 1: A (+84903000000), confirmed; its visits count from 2021-07-29T00:00:00+07:00."
    )
    assert traced.returncode == 0, traced.stderr
    document = json.loads(traced.stdout)
    assert set(document) == {"case", "visits", "contacts"}
    case = document["case"]
    assert (case["case_id"], case["status"], case["phone"], case["full_name"]) == (
        1, "confirmed", A_PHONE, "A",
    )  # fmt: skip
    assert (case["since"], case["depth"]) == ("2021-07-29T00:00:00+07:00", 2)
    assert case["until"].endswith("+07:00")  # now: the case is not isolated
    assert document["visits"] == [
        {"venue_ref": "M", "venue_name": "Venue M",
         "start": "2021-08-10T08:00:00+07:00", "end": "2021-08-10T09:00:00+07:00"},
    ]  # fmt: skip
    met_c = {
        "through": "A", "through_phone": A_PHONE, "venue_ref": "M",
        "at": "2021-08-10T09:14:00+07:00",
    }  # fmt: skip
    assert document["contacts"] == [
        {"phone": "+84903000003", "full_name": "D", "level": 1,
         "first_exposure": "2021-08-10T07:45:00+07:00", "overlap_minutes": 15, "venues": ["M"],
         "via": [{"through": "A", "through_phone": A_PHONE, "venue_ref": "M",
                  "at": "2021-08-10T07:45:00+07:00"}]},
        {"phone": "+84903000004", "full_name": "H", "level": 1,
         "first_exposure": "2021-08-10T08:10:00+07:00", "overlap_minutes": 10, "venues": ["M"],
         "via": [{"through": "A", "through_phone": A_PHONE, "venue_ref": "M",
                  "at": "2021-08-10T08:10:00+07:00"}]},
        {"phone": "+84903000002", "full_name": "C", "level": 1,
         "first_exposure": "2021-08-10T09:14:00+07:00", "overlap_minutes": 1, "venues": ["M"],
         "via": [met_c]},
        {"phone": "+84903000001", "full_name": "B", "level": 2,
         "first_exposure": "2021-08-10T09:15:00+07:00", "overlap_minutes": 30, "venues": ["M"],
         "via": [met_c, {"through": "C", "through_phone": "+84903000002", "venue_ref": "M",
                         "at": "2021-08-10T09:15:00+07:00"}]},
        {"phone": "+84903000005", "full_name": "E", "level": 2,
         "first_exposure": "2021-08-10T12:10:00+07:00", "overlap_minutes": 5, "venues": ["O"],
         "via": [met_c, {"through": "C", "through_phone": "+84903000002", "venue_ref": "O",
                         "at": "2021-08-10T12:10:00+07:00"}]},
    ]  # fmt: skip


def test_trace_over_a_given_window_without_a_case(database_url):
    worked_example(database_url)
    traced = manage(
        "trace", "--phone", A_PHONE, "--since", "2021-08-10T00:00:00+07:00",
        "--until", "2021-08-10T01:00:00Z", "--json", database_url=database_url,
    )  # fmt: skip
    text = manage(
        "trace", "--phone", A_PHONE, "--since", "2021-08-10T00:00:00+07:00",
        database_url=database_url,
    )  # fmt: skip
    assert traced.returncode == 0, traced.stderr
    document = json.loads(traced.stdout)
    assert document["case"]["case_id"] is None
    assert document["case"]["until"] == "2021-08-10T08:00:00+07:00"  # 01:00 UTC shown local
    assert document["visits"] == [] and document["contacts"] == []  # A came at 08:00 local
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[0].startswith("A (+84903000000), 2021-08-10 00:00 – ")
    assert "1 visits, 3 F1, 0 F2" in text.stdout
    assert "F1 +84903000003 D: from 2021-08-10 07:45, 15 min at M (via A at M)" in text.stdout


def test_operator_mistakes_get_one_line_and_status_2(database_url):
    worked_example(database_url, people={"A": A_PHONE, "Bà Năm": A_PHONE})  # a dependant
    unknown = manage("trace", "--phone", "0909 999 999", database_url=database_url)
    shared = manage("trace", "--phone", A_PHONE, database_url=database_url)
    no_case = manage("trace", "--phone", A_PHONE, "--name", "a", database_url=database_url)
    bad_phone = manage("add-case", "--phone", "12345", "--onset", "2021-08-12",
                       database_url=database_url)  # fmt: skip
    backwards = manage(
        "trace", "--phone", A_PHONE, "--name", "A", "--since", "2021-08-10T00:00:00+07:00",
        "--until", "2021-08-09T00:00:00+07:00", database_url=database_url,
    )  # fmt: skip
    results = [unknown, shared, no_case, bad_phone, backwards]
    assert [r.returncode for r in results] == [2] * len(results)
    assert all("Traceback" not in r.stderr for r in results)
    assert unknown.stderr == "trace: no person with phone +84909999999\n"
    assert shared.stderr == (
        "trace: 2 people share the phone +84903000000: A, Bà Năm; give --name\n"
    )
    assert no_case.stderr == (
        "trace: no case recorded for A (+84903000000); record one with add-case or give --since\n"
    )
    assert bad_phone.stderr == "add-case: not a Vietnamese phone number: '12345'\n"
    assert backwards.stderr.startswith("trace: --until must be after the start of the window")


def test_bad_arguments_are_refused_before_the_database_is_read(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    bad_date = manage("add-case", "--phone", A_PHONE, "--onset", "2021-13-01", database_url=url)
    no_date = manage("add-case", "--phone", A_PHONE, database_url=url)
    bad_depth = manage("trace", "--phone", A_PHONE, "--depth", "3", database_url=url)
    assert [r.returncode for r in (bad_date, no_date, bad_depth)] == [2, 2, 2]
    assert "argument --onset: not a date (YYYY-MM-DD): '2021-13-01'" in bad_date.stderr
    assert no_date.stderr == "add-case: give --onset or --test-date\n"
    assert "argument --depth: invalid choice: 3" in bad_depth.stderr
    assert not (tmp_path / "none.db").exists()


def test_every_trace_from_the_command_line_is_audited_with_its_case_and_purpose(database_url):
    with_a_case(database_url, A_PHONE)
    with_purpose = manage(
        "trace", "--phone", A_PHONE, "--json", "--purpose", "market cluster, ward 7",
        database_url=database_url,
    )  # fmt: skip
    without = manage("trace", "--phone", A_PHONE, "--json", database_url=database_url)
    rows = audit_rows(
        database_url,
        audit_log.c.action, audit_log.c.case_id, audit_log.c.purpose, audit_log.c.row_count,
    )  # fmt: skip
    assert with_purpose.returncode == 0 and without.returncode == 0
    assert "no --purpose given" in without.stderr
    assert rows == [("trace", 1, "market cluster, ward 7", 3), ("trace", 1, "(none given)", 3)]
