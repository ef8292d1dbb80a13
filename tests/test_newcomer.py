"""A newcomer's first hour: database URLs in the common form, a database that cannot be used
said in one line with the fix (command line and the app's start-up page), commands that refuse
rather than create, a pipe closed early, the case list, and a server that will not start on a
bad or misspelled setting."""

import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from bench.web_server import free_port  # nothing listens on it: a connection is refused
from config.settings import get_settings
from db.engine import make_engine
from db.problems import describe_connection_error
from db.schema import audit_log
from tests.command_line import audit_rows, manage, operator_env, start_manage
from tests.conftest import POSTGRES_URL, REPO
from tests.test_trace_cli import with_a_case


def postgres(password: str | None = None, port: int | None = None, scheme: str = "postgres") -> str:
    url = make_url(POSTGRES_URL)
    if password is not None:
        url = url.set(password=password)
    if port is not None:
        url = url.set(port=port)
    return url.render_as_string(hide_password=False).replace(url.drivername, scheme, 1)


def test_a_refused_port_is_one_line_with_host_port_database_and_the_fix():
    port = free_port()
    url = postgres(port=port)  # the common postgres:// form is accepted
    checked = manage("check", database_url=url)
    assert checked.returncode == 2
    assert checked.stderr == (
        f"check: cannot connect to PostgreSQL at 127.0.0.1:{port} (database kbyt): connection "
        "refused — is the server running? scripts/ensure-postgres starts one\n"
    )


def test_a_wrong_password_is_one_line_naming_the_user():
    checked = manage("list-users", database_url=postgres(password="not-the-password"))
    assert checked.returncode == 2
    assert checked.stderr.count("\n") == 1 and "Traceback" not in checked.stderr
    assert checked.stderr.startswith(
        "list-users: cannot connect to PostgreSQL at 127.0.0.1:5432 (database kbyt): "
        "password authentication failed for user kbyt — check the password in KBYT_DATABASE_URL"
    )


def test_a_missing_database_says_how_to_make_it():
    engine = make_engine(postgres().rsplit("/", 1)[0] + "/kbyt_no_such_database")
    with pytest.raises(Exception) as raised:
        engine.connect()
    line = describe_connection_error(str(engine.url), raised.value)
    assert line is not None and "(database kbyt_no_such_database)" in line
    assert "does not exist — create it" in line and "manage.py init-db" in line


def test_check_on_a_database_without_the_schema_suggests_init_db(empty_database_url):
    if empty_database_url.startswith("sqlite"):
        make_engine(empty_database_url).dispose()  # an empty file, as a stray tool leaves
    checked = manage("check", database_url=empty_database_url)
    assert checked.returncode == 2, checked.stderr
    assert checked.stderr.endswith("has no KBYT schema: run manage.py init-db first\n")
    assert "Traceback" not in checked.stderr


def test_a_read_only_command_creates_no_folder_and_no_file(tmp_path):
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    for command in ("check", "cases", "list-users"):
        refused = manage(command, database_url=f"sqlite:///{missing}")
        assert refused.returncode == 2
        assert refused.stderr == (
            f"{command}: no SQLite database {missing}: run manage.py init-db to create it "
            "(this command creates nothing)\n"
        )
    assert not (tmp_path / "nonexistent").exists()
    made = manage("init-db", database_url=f"sqlite:///{missing}")
    assert made.returncode == 0 and missing.is_file()


def test_output_cut_short_by_the_reader_ends_quietly(database_url):
    with_a_case(database_url, "0903000000")
    for command in (["cases"], ["trace", "--phone", "0903000000", "--depth", "2", "--json"]):
        process = start_manage(
            *command, database_url=database_url, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        process.stdout.close()  # `| head` that has read enough: the pipe has no reader
        _, errors = process.communicate(timeout=120)
        assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors
    # The trace was shown (in part) and is recorded: its audit row was committed first.
    assert audit_rows(database_url, audit_log.c.action, where=audit_log.c.action == "trace") == [
        ("trace",)
    ]


def test_cases_lists_cases_masked_and_unmasked_with_a_purpose_audited(database_url):
    added = with_a_case(database_url, "0903000000", "--confirmed")
    assert added.returncode == 0, added.stderr
    listed = manage("cases", database_url=database_url)
    lines = listed.stdout.splitlines()
    assert listed.returncode == 0, listed.stderr
    assert lines[0].split() == ["case", "status", "reported", "(Asia/Ho_Chi_Minh)", "person"]
    assert len(lines) == 2 and lines[1].split()[:2] == ["1", "confirmed"]
    assert "+84••••••000" in lines[1] and "0903000000" not in listed.stdout
    assert listed.stderr == "1 case.\n"
    refused = manage("cases", "--unmasked", database_url=database_url)
    assert refused.returncode == 2 and "give --purpose" in refused.stderr
    shown = manage("cases", "--unmasked", "--purpose", "call the case", database_url=database_url)
    assert shown.returncode == 0 and "+84903000000" in shown.stdout
    rows = audit_rows(
        database_url, audit_log.c.action, audit_log.c.purpose, audit_log.c.row_count,
        where=audit_log.c.username.like("manage.py%") & (audit_log.c.action == "view"),
    )  # fmt: skip
    assert rows == [("view", "call the case", 1)]


def test_the_trace_usage_shows_json_as_optional():
    usage = subprocess.run(
        [sys.executable, "manage.py", "trace", "--help"], cwd=REPO, capture_output=True, text=True
    ).stdout
    assert "[--json]" in usage


def test_the_start_up_page_says_where_it_could_not_connect(monkeypatch):
    port = free_port()
    monkeypatch.setenv("KBYT_DATABASE_URL", postgres(port=port))
    get_settings.cache_clear()
    try:
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
        app.query_params["lang"] = "en"
        app.run()
    finally:
        get_settings.cache_clear()
    assert not app.exception
    assert [box.value for box in app.error] == [
        f"Cannot reach the database: cannot connect to PostgreSQL at 127.0.0.1:{port} "
        "(database kbyt): connection refused — is the server running? scripts/ensure-postgres "
        "starts one"
    ]


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        ("KBYT_DATABSE_URL", "sqlite://",
         "Unknown setting KBYT_DATABSE_URL: no setting has this name; did you mean "
         "KBYT_DATABASE_URL?"),
        ("KBYT_RETENTION_DAYS", "-1",
         "Invalid setting 'retention_days' (KBYT_RETENTION_DAYS): Input should be greater than "
         "or equal to 1 (got '-1')"),
    ],
)  # fmt: skip
def test_the_server_refuses_to_start_on_a_bad_or_misspelled_setting(variable, value, line):
    started = subprocess.run(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
         "--server.port", str(free_port())],
        cwd=REPO, env=operator_env(**{variable: value}), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert started.returncode == 2
    assert line in started.stderr.splitlines()
    assert "Traceback" not in started.stderr
