"""Dates chosen by default are Ho Chi Minh City's (UTC+7), not the server's UTC date: between
00:00 and 07:00 in the city the two differ, and the audit log showed '0 bản ghi'."""

from datetime import UTC, date, datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

import rules.local_time
import ui.admin.audit
import ui.admin.venues
from config.settings import get_settings
from db.schema import venue
from queries.audit import record
from rules.access import Scope
from tests.page_runs import open_page, point_app_at
from ui.admin.audit import default_days

HCMC = ZoneInfo("Asia/Ho_Chi_Minh")
# 06:30 on 2 December in the city, still 1 December on a UTC clock.
EARLY_MORNING = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)


def test_the_audit_logs_default_days_are_the_last_seven_local_days():
    assert default_days(HCMC, EARLY_MORNING) == (date(2026, 11, 26), date(2026, 12, 2))
    # Local midnight is 17:00 UTC.
    assert default_days(HCMC, datetime(2026, 12, 1, 16, 59, tzinfo=UTC))[1] == date(2026, 12, 1)
    assert default_days(HCMC, datetime(2026, 12, 1, 17, 0, tzinfo=UTC))[1] == date(2026, 12, 2)


@pytest.fixture
def admin_page_at(monkeypatch, database_url):
    """The administration page opened at a given instant (the pages' clocks are patched)."""
    point_app_at(monkeypatch, database_url)

    def open_(now: datetime) -> AppTest:
        monkeypatch.setattr(ui.admin.audit, "default_days", partial(default_days, now=now))
        local_today = partial(rules.local_time.today_local, now=now)
        monkeypatch.setattr(ui.admin.venues, "today_local", local_today)
        return open_page("admin", Scope("root", "admin"))

    yield open_
    get_settings.cache_clear()


def test_the_audit_log_opened_at_0630_in_the_city_lists_that_mornings_records(
    admin_page_at, engine
):
    with engine.begin() as connection:
        for at in (
            datetime(2026, 12, 1, 23, 20, tzinfo=UTC),  # 06:20 on 2 December: in
            datetime(2026, 11, 25, 17, 0, tzinfo=UTC),  # 00:00 on 26 November: in
            datetime(2026, 11, 25, 16, 59, tzinfo=UTC),  # 23:59 on 25 November: out
        ):
            record(connection, "epi", "view", "risk list", at=at)
    app = admin_page_at(EARLY_MORNING)
    days = next(w for w in app.date_input if w.key == "audit_days")
    assert days.value == (date(2026, 11, 26), date(2026, 12, 2))
    assert any(c.value.startswith("2 bản ghi") for c in app.caption)


def test_a_venue_registered_at_0630_in_the_city_is_registered_on_that_local_day(
    admin_page_at, engine
):
    app = admin_page_at(EARLY_MORNING)
    next(w for w in app.text_input if w.label == "Tên địa điểm").input("Chợ Bến Thành")
    next(b for b in app.button if b.label == "Lưu").click().run()
    assert not app.exception, app.exception
    with engine.connect() as connection:
        assert connection.scalar(select(venue.c.registered_on)) == date(2026, 12, 2)
