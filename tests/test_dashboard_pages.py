"""Dashboard pages under AppTest on the demo city: figures equal counts from raw rows."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from config.settings import get_settings
from db.engine import make_engine
from db.schema import audit_log, checkin, venue, ward
from i18n.numbers import whole_number
from queries.area import wards_by_district
from rules.access import Scope
from rules.local_time import local_day_bounds
from tests import page_runs
from tests.page_runs import point_app_at

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def open_page(monkeypatch, demo_url):
    point_app_at(monkeypatch, demo_url)

    def open_(page, params=None, scope=Scope("admin", "admin")):
        # The overview is where app.py opens: it is not chosen from the menu again.
        return page_runs.open_page(None if page == "overview" else page, scope, params)

    yield open_
    get_settings.cache_clear()


def raw_count(url, day, district=None, risky=False):
    start, end = local_day_bounds(day, SAIGON)
    query = (
        select(func.count())
        .select_from(
            checkin.join(venue, venue.c.id == checkin.c.venue_id).join(
                ward, ward.c.code == venue.c.ward_code
            )
        )
        .where(checkin.c.checked_in_at >= start, checkin.c.checked_in_at < end)
    )
    if district:
        query = query.where(ward.c.district_code == district)
    if risky:
        query = query.where(checkin.c.risk_level > 0)
    with make_engine(url).connect() as connection:
        return connection.scalar(query)


def test_overview_tiles_equal_raw_counts_for_a_past_day(open_page, demo_url):
    yesterday = datetime.now(UTC).astimezone(SAIGON).date() - timedelta(days=1)
    app = open_page(
        "overview",
        {"from": (yesterday - timedelta(days=2)).isoformat(), "to": yesterday.isoformat()},
    )
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles["Lượt khai báo"] == whole_number(raw_count(demo_url, yesterday))
    risky = raw_count(demo_url, yesterday, risky=True)
    assert tiles["Khai báo có nguy cơ"].startswith(f"{whole_number(risky)} (")
    assert tiles["Đơn vị triển khai (y tế / cơ quan, DN)"] == "6.272 / 3.422"
    assert [b.label for b in app.get("download_button")] == ["Tải báo cáo ngày (HTML)"]


def test_overview_for_a_district(open_page, demo_url):
    yesterday = datetime.now(UTC).astimezone(SAIGON).date() - timedelta(days=1)
    app = open_page(
        "overview", {"from": yesterday.isoformat(), "to": yesterday.isoformat(), "district": "764"}
    )
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles["Lượt khai báo"] == whole_number(raw_count(demo_url, yesterday, "764"))
    assert any(h.value.startswith("Theo phường/xã") for h in app.main.subheader)


def test_the_map_page_draws_for_the_city_and_a_district(open_page):
    city = open_page("map")
    district = open_page("map", {"district": "769"})
    assert "Voronoi" in city.caption[0].value
    assert not district.exception


def venue_id_of(url, ref):
    with make_engine(url).connect() as connection:
        return connection.scalar(select(venue.c.id).where(venue.c.venue_ref == ref))


def audit_rows(url):
    with make_engine(url).connect() as connection:
        return connection.execute(
            select(audit_log.c.username, audit_log.c.action, audit_log.c.subject)
        ).all()


@pytest.fixture
def open_copy(monkeypatch, demo_copy_url):
    point_app_at(monkeypatch, demo_copy_url)

    def open_(page, scope, session=None, params=None):
        return page_runs.open_page(page, scope, params, session)

    yield open_, demo_copy_url
    get_settings.cache_clear()


def test_an_epidemiologist_sees_who_was_at_the_market_and_it_is_audited(open_copy):
    open_, url = open_copy
    market = venue_id_of(url, "CDM-BD")
    app = open_("venues", Scope("epi", "epidemiologist"), {"venue_id": market})
    assert app.header[0].value == "Chợ đầu mối nông sản thực phẩm Bình Điền"
    names = app.dataframe[-1].value
    assert len(names) > 0 and not names.iloc[0, 2].endswith(".")  # real names, not initials
    assert [(u, a) for u, a, _ in audit_rows(url)] == [("epi", "view")]
    assert audit_rows(url)[0][2].startswith("check-ins at CDM-BD ")


def test_a_district_officer_cannot_open_a_venue_of_another_district(open_copy):
    open_, url = open_copy
    market = venue_id_of(url, "CDM-BD")  # Quận 8
    officer = Scope(
        "officer.govap",
        "district_officer",
        frozenset(wards_by_district()["764"]),
        None,
        "764",
    )
    app = open_("venues", officer, {"venue_id": market})
    assert "ngoài phạm vi" in app.warning[0].value
    assert audit_rows(url) == []


@pytest.mark.parametrize(
    "page", ["overview", "map", "venues", "risk", "trace", "wall", "kiosk", "guide", "admin"]
)
def test_every_page_renders_on_the_demo_city(open_copy, page):
    """On a copy: an administrator opening the risk list is an audited view."""
    open_, _ = open_copy
    app = open_(page, Scope("admin", "admin"))
    assert app.title[0].value
