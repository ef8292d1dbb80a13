"""The command centre's wall screen when its database stops answering: it says since when its
figures are old instead of showing them as current, and recovers by itself."""

import pytest
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from config.settings import get_settings
from rules.access import Scope
from tests.conftest import REPO
from ui import data

COMMAND = Scope("screen:Phòng chỉ huy 1", "command_centre")


@pytest.fixture
def wall(monkeypatch, demo_url):
    monkeypatch.setenv("KBYT_DATABASE_URL", demo_url)
    monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
    get_settings.cache_clear()
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["scope"] = COMMAND
    app.run()
    app.switch_page("app_pages/wall.py")
    app.run()
    yield app
    get_settings.cache_clear()


def test_a_wall_that_cannot_refresh_says_since_when_its_figures_are_old(wall, monkeypatch):
    assert not wall.exception and len(wall.metric) == 7 and not wall.error
    updated = wall.session_state["wall_updated_at"].strftime("%H:%M")

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    with monkeypatch.context() as database_down:
        database_down.setattr(data, "kpis", unreachable)
        wall.run()
    assert not wall.exception
    assert wall.error[0].value.startswith(f"Không cập nhật được dữ liệu từ {updated}")
    assert len(wall.metric) == 0  # no old figure is shown as if it were current

    wall.run()  # the database answers again
    assert not wall.error and len(wall.metric) == 7
