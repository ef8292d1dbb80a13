"""Hostile names in a real browser (issue 13A): people and venues named with Markdown images,
colour directives, LaTeX, HTML links and styled spans and bare URLs show as typed on every page
that shows them. The pages fail on any rendered image that is not the app's own, any link,
KaTeX, colour or styled span built from a name, and on any request that leaves the machine."""

from __future__ import annotations

import shutil
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.engine import make_engine
from db.schema import venue
from queries.cases import register_case
from queries.users import create_user
from queries.writes import resolve_people, upsert_venues, write_checkins
from tests.browser.conftest import (
    ACCOUNTS,
    PASSWORD,
    AppServer,
    choose,
    go_to,
    open_case,
    rerun,
    select_first_row,
    sign_in,
    trace_with_purpose,
    wait_for_app_run,
)
from tests.checkin_rows import checkin_frame

pytestmark = pytest.mark.browser

SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")
CASE = "![x](http://evil.example/case.png) Ca :red[Đỏ] $$x^2$$"
CONTACT = '<a href="http://evil.example/lan">Lan</a> <span style="font-size:60px">To</span>'
SECOND = "http://evil.example www.evil.example :smile: $y$"
MARKET = "![v](http://evil.example/market.png) Chợ :blue[Xanh] $$v^2$$"
SHOP = '<a href="http://evil.example/shop">Quán</a> <span style="font-size:60px">Lớn</span>'
WARD = "26878"  # Gò Vấp


def venue_row(ref: str, name: str, kind: str, dwell: int) -> dict:
    return dict(
        venue_ref=ref, name=name, sector="public", kind=kind, address=f"{name} www.evil.example",
        ward_code=WARD, lat=10.83, lon=106.67, dwell_minutes=dwell,
        registered_on=date(2021, 6, 1), active=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def hostile_url(templates, tmp_path_factory) -> str:
    """A migrated database with geography and only this: yesterday the case met the contact
    at the market (both declared at risk), then the contact met the second person at the shop;
    the case is registered; one account per persona."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    shutil.copy(templates["sqlite"], path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    yesterday = datetime.now(SAIGON).date() - timedelta(days=1)

    def at(hour: int, minute: int = 0) -> datetime:
        return datetime.combine(yesterday, time(hour, minute), tzinfo=SAIGON)

    with engine.begin() as connection:
        for username, role, district, ward in ACCOUNTS.values():
            create_user(connection, username, PASSWORD, role, district, ward)
        upsert_venues(
            connection,
            pd.DataFrame(
                [
                    venue_row("EVIL-M", MARKET, "market", 60),
                    venue_row("EVIL-S", SHOP, "office", 480),
                ]
            ),
        )
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        names = [CASE, CONTACT, SECOND]
        ids = resolve_people(
            connection,
            pd.DataFrame(
                {"phone": ["+84903000001", "+84903000002", "+84903000003"], "full_name": names}
            ),
        )
        case, contact, second = (int(i) for i in ids)
        write_checkins(
            connection,
            checkin_frame(
                [
                    dict(person_id=case, venue_id=venues["EVIL-M"], channel="self",
                         checked_in_at=at(9), checked_out_at=None, risk_level=2,
                         risk_reasons="fever;contact"),
                    dict(person_id=contact, venue_id=venues["EVIL-M"], channel="self",
                         checked_in_at=at(9, 10), checked_out_at=at(9, 40), risk_level=1,
                         risk_reasons="fever"),
                    dict(person_id=contact, venue_id=venues["EVIL-S"], channel="self",
                         checked_in_at=at(11), checked_out_at=at(12), risk_level=0,
                         risk_reasons=""),
                    dict(person_id=second, venue_id=venues["EVIL-S"], channel="self",
                         checked_in_at=at(11, 30), checked_out_at=at(13), risk_level=0,
                         risk_reasons=""),
                ]
            ),
        )  # fmt: skip
        register_case(connection, case, "confirmed", yesterday, yesterday, None, "setup")
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def server(hostile_url):
    app = AppServer(hostile_url)
    yield app
    app.stop()


@pytest.fixture
def requests_out(page: Page) -> list[str]:
    """Every request the browser makes to a host other than this machine."""
    outside: list[str] = []

    def note(request) -> None:
        if not request.url.startswith(
            ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")
        ):
            outside.append(request.url)

    page.on("request", note)
    return outside


# What a name must never become: an image from elsewhere, a link, a formula, a colour or a
# styled span (Streamlit wraps button labels in a "display: contents" span and Plotly styles
# its own tspans with fill and font: neither uses a 60 px font or bold).
MARKUP = {
    "foreign image": "img:not([src^='/']):not([src^='data:']):not([src^='blob:'])"
    ":not([src^='http://127.0.0.1']):not([src^='http://localhost'])",
    # a heading's own anchor ("#ca-so-1-x-http-evil…") is Streamlit's, not the name's
    "link to the name's URL": "a[*|href*='evil']:not([href^='#'])",
    "KaTeX": ".katex, .katex-display",
    "coloured text": "[class*='ColoredText'], [class*='ColoredBackground']",
    "styled span": "span[style*='60px'], tspan[style*='60px']",
    "bold from a name": "tspan[style*='font-weight:bold']",
}


def assert_no_markup(page: Page, where: str) -> None:
    wait_for_app_run(page)
    found = {
        what: page.locator(selector).first.evaluate("e => e.outerHTML.slice(0, 300)")
        for what, selector in MARKUP.items()
        if page.locator(selector).count()
    }
    assert found == {}, f"{where}: {found}"


def as_typed(shown: str) -> str:
    """What the reader sees, without the invisible word joiners that break shortcodes."""
    return shown.replace("\u2060", "").strip()


def hover_bars(page: Page) -> None:
    """Hover the first bar of every chart, so Plotly draws its hover text from the names."""
    charts = page.locator("[data-testid='stPlotlyChart']")
    for position in range(charts.count()):
        bar = charts.nth(position).locator("g.point path").first
        bar.hover(force=True)
        expect(charts.nth(position).locator("g.hovertext").first).to_be_attached()
        assert_no_markup(page, f"hover of chart {position + 1}")


def test_hostile_names_show_as_text_in_the_trace_panel(server, page, requests_out):
    sign_in(page, server.url, "epidemiologist")
    go_to(page, "Truy vết")
    expect(page.get_by_role("button", name="Mở ca")).to_be_visible()
    assert_no_markup(page, "the case picker")
    open_case(page)
    heading = page.locator("[data-testid='stHeading']", has_text="Ca số ")
    expect(heading).to_be_visible()
    assert as_typed(heading.inner_text()).endswith(CASE)
    trace_with_purpose(page, "Kiểm tra tên độc hại hiển thị")
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible()
    assert_no_markup(page, "the visits timeline")

    choose(page, "Xem ai có mặt tại", "Chợ")
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(2)
    assert_no_markup(page, "the presence chart")
    hover_bars(page)

    choose(page, "Chọn người tiếp xúc", "F1")  # choosing a contact follows them
    expect(page.get_by_text("Đường truy vết:", exact=True)).to_be_visible()
    crumb = page.get_by_role("button", name="Ca bệnh: ")
    assert as_typed(crumb.inner_text()) == f"Ca bệnh: {CASE}"
    assert_no_markup(page, "the breadcrumb")
    # The contact's own visits: the shop's name is an axis label, shown as typed.
    shop = page.locator("[data-testid='stPlotlyChart'] g.ytick text", has_text="Quán")
    expect(shop).to_have_text(SHOP)
    assert requests_out == []


def test_hostile_names_show_as_text_in_the_risk_list_and_venues(server, page, requests_out):
    sign_in(page, server.url, "epidemiologist")
    go_to(page, "Ca nguy cơ")
    expect(page.locator(".st-key-risk_table")).to_be_visible()
    assert_no_markup(page, "the risk list")
    select_first_row(page, "risk_table")
    expect(page.locator("[data-testid='stHeading']", has_text="+84903")).to_be_visible()
    assert_no_markup(page, "a person of the risk list")

    go_to(page, "Địa điểm")
    page.get_by_label("Tìm địa điểm (tên hoặc mã)").fill("EVIL-S")
    with rerun(page):
        page.keyboard.press("Enter")
    select_first_row(page, "venues_table")
    expect(page.locator("[data-testid='stHeading']", has_text="Quán")).to_be_visible()
    assert_no_markup(page, "a venue")
    hover_bars(page)
    assert requests_out == []
