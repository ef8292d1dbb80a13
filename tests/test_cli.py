"""`python manage.py …` as an operator runs it, against both databases."""

from tests.command_line import manage


def test_init_db_then_seed_demo_then_check(empty_database_url):
    first = manage("init-db", database_url=empty_database_url)
    again = manage("init-db", database_url=empty_database_url)
    seeded = manage(
        "seed-demo", "--checkins", "5000", "--days", "2", "--seed", "3",
        "--end", "2021-08-15T20:00:00+07:00", database_url=empty_database_url,
    )  # fmt: skip
    checked = manage("check", database_url=empty_database_url)

    assert first.returncode == 0, first.stderr
    assert "22 districts, 273 wards." in first.stdout
    assert again.returncode == 0 and "22 districts, 273 wards." in again.stdout
    assert seeded.returncode == 0, seeded.stderr
    assert "9,694 registered units" in seeded.stdout
    assert "5,000 check-ins" in seeded.stdout
    assert "demo city [" in seeded.stderr and "100%" in seeded.stderr  # the progress bar
    assert checked.returncode == 0, checked.stderr
    assert "checkin" in checked.stdout and "5,000" in checked.stdout
    assert "Rollups match the raw check-ins." in checked.stdout
    assert "missing person or venue" not in checked.stderr


def test_seed_demo_refuses_a_database_that_has_data(empty_database_url):
    manage("seed-demo", "--checkins", "2000", "--days", "1", database_url=empty_database_url)
    again = manage(
        "seed-demo", "--checkins", "2000", "--days", "1", database_url=empty_database_url
    )
    assert again.returncode == 2
    assert "already has venues" in again.stderr


def test_bad_arguments_and_settings_get_a_sentence_not_a_trace(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    naive = manage("seed-demo", "--end", "2021-08-15T20:00", database_url=url)
    negative = manage("seed-demo", "--checkins", "-5", database_url=url)
    bad_setting = manage("init-db", database_url=url, extra_env={"KBYT_RETENTION_DAYS": "-1"})
    assert naive.returncode == 2 and "give a time zone offset" in naive.stderr
    assert negative.returncode == 2 and "must be a positive number" in negative.stderr
    assert bad_setting.returncode == 2
    assert bad_setting.stderr.strip().startswith("Invalid setting 'retention_days'")
    assert "Traceback" not in bad_setting.stderr


def test_create_user_reads_the_password_from_stdin_and_never_has_a_default(tmp_path):
    url = f"sqlite:///{tmp_path / 'u.db'}"
    manage("init-db", database_url=url)

    def create(*args, password):
        return manage("create-user", *args, database_url=url, input=password + "\n", timeout=60)

    made = create(
        "--username",
        "officer.govap",
        "--role",
        "district_officer",
        "--district",
        "764",
        password="a long password",
    )
    short = create("--username", "x", "--role", "admin", password="short")
    no_area = create("--username", "y", "--role", "ward_officer", password="a long password")
    listed = manage("list-users", database_url=url)
    assert made.returncode == 0 and "Created district_officer officer.govap." in made.stdout
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    assert no_area.returncode == 2 and "needs --ward" in no_area.stderr
    assert "officer.govap" in listed.stdout and "764" in listed.stdout


def test_a_wall_screen_is_added_with_a_link_shown_once_listed_and_revoked(database_url):
    added = manage("add-wall-screen", "--name", "Phòng chỉ huy 1", "--district", "764",
                   database_url=database_url)  # fmt: skip
    assert added.returncode == 0, added.stderr
    link = added.stdout.strip()
    assert link.startswith("http://localhost:8501/session/screen?key=") and len(link) > 80
    assert "will not be shown again" in added.stderr
    taken = manage("add-wall-screen", "--name", "Phòng chỉ huy 1", database_url=database_url)
    assert taken.returncode == 2 and "is taken" in taken.stderr
    listed = manage("list-wall-screens", database_url=database_url)
    assert "Phòng chỉ huy 1" in listed.stdout and "764" in listed.stdout
    assert link.split("key=")[1] not in listed.stdout
    revoked = manage("revoke-wall-screen", "Phòng chỉ huy 1", database_url=database_url)
    assert revoked.returncode == 0
    assert "revoked" in manage("list-wall-screens", database_url=database_url).stdout
    again = manage("revoke-wall-screen", "Phòng chỉ huy 1", database_url=database_url)
    assert again.returncode == 2 and "no active screen" in again.stderr
