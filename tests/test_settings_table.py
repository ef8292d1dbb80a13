"""README's settings table is the one written from the settings declaration: a setting added,
renamed or given a new default in config/settings.py fails this test until README.md is
brought up to date with `python manage.py settings-table`."""

import subprocess
import sys

from config.settings import setting_names
from config.settings_table import BEGIN, END, readme_block, settings_table
from tests.conftest import REPO


def test_readme_has_the_table_written_from_the_declaration():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1
    written = readme[readme.index(BEGIN) : readme.index(END) + len(END)]
    assert written == readme_block(), "run `python manage.py settings-table` and paste it"


def test_every_setting_has_a_row_and_a_description():
    rows = settings_table().splitlines()[2:]
    assert [row.split(" | ")[0].removeprefix("| ").strip("`") for row in rows] == setting_names()
    assert "query_timeout_s" in setting_names()
    for row in rows:
        assert not row.endswith("|  |"), f"a setting without a description: {row}"


def test_the_command_prints_it_without_a_database(tmp_path):
    printed = subprocess.run(
        [sys.executable, "manage.py", "settings-table"],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "KBYT_DATABASE_URL": f"sqlite:///{tmp_path}/no/x.db"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == readme_block() + "\n"
    assert not (tmp_path / "no").exists()
