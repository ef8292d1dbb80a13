"""`manage.py import-venues / import-checkins / export-checkins` as an operator runs them."""

import csv

from db.schema import audit_log
from tests.command_line import audit_rows, manage

VENUES = """venue_ref,name,sector,kind,ward_code,address,lat,lon,default_dwell_minutes
CHO-1,Chợ Tân Định,public,market,26734,48 Hai Bà Trưng,10.7905,106.6905,
CHO-2,Chợ Bến Thành,public,market,26743,Lê Lợi,10.7725,106.6980,45
X-1,Nowhere,public,market,99999,,10.79,106.69,
"""
CHECKINS = """external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms,exposures
A-1,CHO-1,0903 123 456,Nguyễn Văn An,2021-08-01T08:10:00+07:00,,self,,
A-2,CHO-2,123,Trần Thị Bình,2021-08-01T09:10:00+07:00,,,,
A-3,CHO-2,+84903123457,Trần Thị Bình,2021-08-01 09:10,2021-08-01 09:40,,fever,case_contact
A-4,CHO-9,+84903123457,Trần Thị Bình,2021-08-01 09:10,,,,
"""


def test_import_then_export_from_the_command_line(empty_database_url, tmp_path):
    url = empty_database_url
    (tmp_path / "venues.csv").write_text(VENUES, encoding="utf-8")
    (tmp_path / "checkins.csv").write_text(CHECKINS, encoding="utf-8")
    errors, out = tmp_path / "errors.csv", tmp_path / "q1.csv"

    assert manage("init-db", database_url=url).returncode == 0
    venues = manage("import-venues", str(tmp_path / "venues.csv"), database_url=url)
    first = manage(
        "import-checkins", str(tmp_path / "checkins.csv"), "--source", "moh",
        "--errors", str(errors), database_url=url,
    )  # fmt: skip
    again = manage("import-checkins", str(tmp_path / "checkins.csv"), "--source", "moh",
                   database_url=url)  # fmt: skip
    exported = manage(
        "export-checkins", "--district", "760", "--since", "2021-08-01T00:00:00+07:00",
        "--until", "2021-08-02T00:00:00+07:00", "--out", str(out), database_url=url,
    )  # fmt: skip
    checked = manage("check", database_url=url)

    assert venues.returncode == 0, venues.stderr
    assert venues.stdout == "3 venues read: 2 created, 0 updated, 1 rejected.\n"
    assert "line 4: unknown ward_code '99999'" in venues.stderr
    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        "4 check-ins read: 2 imported, 0 already imported, 2 rejected "
        f"(line and reason of each in {errors}).\n"
    )
    assert "check-ins [" in first.stderr and "100%" in first.stderr  # the progress bar
    with open(errors, encoding="utf-8", newline="") as handle:
        assert [row[:2] for row in csv.reader(handle)] == [
            ["line", "reason"],
            ["3", "bad phone: not a Vietnamese phone number: '123'"],
            ["5", "unknown venue_ref 'CHO-9'"],
        ]
    assert again.returncode == 0
    assert again.stdout == "4 check-ins read: 0 imported, 2 already imported, 2 rejected.\n"
    assert "  line 3: bad phone" in again.stderr and "  line 5: unknown venue_ref" in again.stderr
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == f"2 check-ins of district 760 written to {out}.\n"
    assert out.read_text(encoding="utf-8").splitlines() == [
        "external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms,"
        "exposures",
        "moh:A-1,CHO-1,'+84903123456,Nguyễn Văn An,2021-08-01T08:10:00+07:00,,self,,",
        "moh:A-3,CHO-2,'+84903123457,Trần Thị Bình,2021-08-01T09:10:00+07:00,"
        "2021-08-01T09:40:00+07:00,,fever,case_contact",
    ]
    assert not (tmp_path / "q1.csv.part").exists()
    assert "Rollups match the raw check-ins." in checked.stdout
    audit = audit_rows(
        url, audit_log.c.username, audit_log.c.action, audit_log.c.subject, audit_log.c.row_count
    )
    assert [tuple(row)[1:] for row in audit] == [
        ("import", "check-ins from checkins.csv (source moh)", 2),
        ("import", "check-ins from checkins.csv (source moh)", 0),
        ("export", "check-ins of district 760", 2),
    ]
    assert all(row[0].startswith("cli") for row in audit)


def test_file_problems_exit_2_with_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'kbyt.db'}"
    manage("init-db", database_url=url)
    (tmp_path / "short.csv").write_text("external_id,venue_ref,phone\nA,B,C\n", encoding="utf-8")
    (tmp_path / "cp1258.csv").write_bytes(
        "external_id,venue_ref,phone,full_name,checked_in_at\nA,B,0903123456,Tr\u00e2\u0300n,"
        "2021-08-01 08:00\n".encode("cp1258")
    )
    runs = {
        "missing column": manage("import-checkins", str(tmp_path / "short.csv"), database_url=url),
        "no such file": manage("import-venues", str(tmp_path / "nope.csv"), database_url=url),
        "encoding": manage("import-checkins", str(tmp_path / "cp1258.csv"), database_url=url),
        "district": manage(
            "export-checkins", "--district", "999", "--since", "2021-08-01T00:00+07:00",
            "--until", "2021-08-02T00:00+07:00", "--out", str(tmp_path / "x.csv"),
            database_url=url,
        ),
        "naive time": manage(
            "export-checkins", "--district", "760", "--since", "2021-08-01T00:00",
            "--until", "2021-08-02T00:00+07:00", "--out", str(tmp_path / "x.csv"),
            database_url=url,
        ),
    }  # fmt: skip
    messages = {
        "missing column": "missing column(s) full_name, checked_in_at",
        "no such file": "cannot read",
        "encoding": "is not UTF-8",
        "district": "unknown district '999'",
        "naive time": "give a time zone offset",
    }
    for name, run in runs.items():
        assert run.returncode == 2, (name, run.stderr)
        assert messages[name] in run.stderr, name
        assert "Traceback" not in run.stderr, name
        assert len(run.stderr.strip().splitlines()) == 1 or name == "naive time", name
    fixed = manage(
        "import-checkins", str(tmp_path / "cp1258.csv"), "--encoding", "cp1258", database_url=url
    )
    assert fixed.returncode == 0
    assert fixed.stdout.startswith("1 check-in read: 0 imported, 0 already imported, 1 rejected")
    assert "unknown venue_ref 'B'" in fixed.stderr
    assert not (tmp_path / "x.csv").exists()
