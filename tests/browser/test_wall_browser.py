"""The command centre's wall in Chromium, opened as a registered wall screen (its device link)
on a 1080p and a 4K screen: readable across the room, the map filling its area with every
district named and a legend, a live badge the room sees — and what it turns to when the screen
loses its server.

Sizing rules (ui/wall_layout.py), as shares of the screen's height so that both sizes hold:
figures ≥ 6 %, labels ≥ 2.2 %, the live badge's text ≥ 3 %, the map's frame ≥ 60 %. District
names, on the map or in its inset of the inner city, are labels too: ≥ 2.2 % (24 px on 1080p,
48 px at 4K), and no two of them touch.
"""

import re
from datetime import UTC, datetime
from itertools import combinations

import pytest
from playwright.sync_api import Browser, Page, expect

from db.engine import make_engine
from geo.admin_units import hcmc_districts, hcmc_wards
from geo.wall_map import short_name
from i18n.labels import label
from ingest.demo_emerging import EMERGING_WARDS
from queries.sessions import add_wall_screen
from tests.browser.conftest import (
    AppServer,
    offline_page,
    screenshot,
    todays_hot_spots,
    wait_for_app_run,
)

pytestmark = pytest.mark.browser

REFRESH_SECONDS = 10
SCREENS = {"1080p": (1920, 1080), "4k": (3840, 2160)}
FULL_HD = {"width": 1920, "height": 1080}
MAP = "iframe[title='streamlit_folium.st_folium']"
READABLE = 0.022  # of the screen's height: the least size of a label read at 5 m
# Every name drawn on the map or in its inset (placed names only are in the page), with its
# box in the frame's coordinates and its font size.
NAMES = """() => [...document.querySelectorAll('.wall-label')].map(e => {
    const r = e.getBoundingClientRect();
    return {text: e.textContent, inset: !!e.closest('.wall-inset'), px:
            parseFloat(getComputedStyle(e).fontSize), left: r.left, right: r.right,
            top: r.top, bottom: r.bottom};
})"""


@pytest.fixture(scope="module")
def server(browser_demo_url):
    app = AppServer(browser_demo_url, {"KBYT_WALL_REFRESH_SECONDS": str(REFRESH_SECONDS)})
    yield app
    app.stop()


@pytest.fixture(scope="module")
def device_link(server, browser_demo_url) -> str:
    engine = make_engine(browser_demo_url)
    with engine.begin() as connection:
        key = add_wall_screen(connection, "Màn hình tường", None, "e2e.admin", datetime.now(UTC))
    engine.dispose()
    return f"{server.url}/session/screen?key={key}"


@pytest.fixture(params=list(SCREENS))
def screen(request, browser: Browser):
    """A page of the given screen size; nothing may leave the machine (as the page fixture)."""
    width, height = SCREENS[request.param]
    viewport = {"width": width, "height": height}
    with offline_page(browser, viewport=viewport, locale="vi-VN") as page:
        yield page, height
        screenshot(page, f"wall-{request.node.originalname}-{request.param}.png")


def open_wall(page: Page, link: str, query: str = "") -> None:
    page.goto(link)
    page.wait_for_url("**/wall")
    if query:
        page.goto(page.url + "?" + query)
    wait_for_app_run(page)
    expect(page.frame_locator(MAP).locator("path.leaflet-interactive").first).to_be_visible()


def font_px(page: Page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def test_the_wall_fills_the_screen_with_figures_readable_across_the_room(device_link, screen):
    page, height = screen
    open_wall(page, device_link)
    # Kiosk: no sidebar menu, no sign-out button, no Streamlit header or toolbar.
    for chrome in ("stSidebarNav", "stHeader", "stToolbar"):
        expect(page.get_by_test_id(chrome)).to_be_hidden()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_hidden()
    # …but the screen still says which registered screen it is, small, in a corner.
    expect(page.get_by_text("Màn hình tường (Trung tâm chỉ huy)")).to_be_visible()

    assert page.get_by_test_id("stMetric").count() == 7
    assert font_px(page, "[data-testid='stMetricValue'] div") >= 0.06 * height
    assert font_px(page, "[data-testid='stMetricLabel'] p") >= 0.022 * height
    strip = page.locator("[class*='st-key-wall_strip']")
    expect(strip).to_contain_text("Trong 1 giờ qua")
    assert font_px(page, "[class*='st-key-wall_strip'] [data-testid='stMetricValue'] div") >= (
        0.06 * height
    )
    assert strip.bounding_box()["width"] >= 0.9 * SCREENS["4k" if height > 1080 else "1080p"][0]

    badge = page.locator(".wall-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("TRỰC TIẾP")
    assert font_px(page, ".wall-badge") >= 0.03 * height
    expect(page.locator(".wall-lost")).to_have_css("opacity", "0")

    frame = page.locator(MAP).bounding_box()
    assert frame["height"] >= 0.6 * height
    # Nothing below the fold: the board is one screen.
    assert page.evaluate("document.scrollingElement.scrollHeight") <= height + 2


def wait_for_the_fit(page: Page) -> None:
    """Until the map has refitted to its frame's final size (the districts span most of its
    height) and placed its names for that size (geo/wall_labels.py marks it), as a person would
    see it, rather than measuring the first drawing (a race on a loaded machine)."""
    frame = page.locator(MAP).bounding_box()
    inside = page.locator(MAP).element_handle().content_frame()
    assert frame is not None and inside is not None, "the map's frame is not on the page"
    inside.wait_for_function(
        "() => { const c = document.querySelector('.leaflet-container');"
        " return c && c.dataset.wallLayout === c.clientWidth + 'x' + c.clientHeight }"
    )
    inside.wait_for_function(
        "least => { const paths = [...document.querySelectorAll('path.leaflet-interactive')];"
        " if (!paths.length) return false;"
        " const boxes = paths.map(p => p.getBoundingClientRect());"
        " return Math.max(...boxes.map(b => b.bottom)) - Math.min(...boxes.map(b => b.top))"
        " >= least }",
        arg=0.85 * frame["height"],
    )


def test_the_map_is_dark_fills_its_frame_and_names_every_district(device_link, screen):
    page, height = screen
    open_wall(page, device_link)
    inside = page.frame_locator(MAP)
    labels = inside.locator(".wall-label")
    expect(inside.get_by_text("Gò Vấp", exact=True)).to_be_visible()
    expect(inside.get_by_text("Q.1", exact=True)).to_be_visible()
    legend = inside.locator(".wall-legend")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Lượt khai báo")
    expect(inside.locator(".leaflet-container").first).to_have_css(
        "background-color", "rgb(11, 16, 22)"
    )
    expect(inside.locator(".leaflet-control-zoom")).to_have_count(0)  # nobody zooms a wall
    # The city fills its frame: the districts span most of the frame's height.
    wait_for_the_fit(page)
    # The larger districts' names are as large as the tiles' labels.
    name_px = labels.and_(inside.locator(":not(.small):not(.tiny)")).first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert name_px >= READABLE * height


def test_the_command_centre_sees_today_s_hot_spots_and_the_emerging_clusters(
    device_link, browser, browser_demo_url
):
    """The early warning on the wall, beside the map: today's hot spots, and the demo city's two
    planted emerging clusters listed with their wards (ingest/demo_emerging.py)."""
    with offline_page(browser, viewport=FULL_HD, locale="vi-VN") as page:
        open_wall(page, device_link)
        hot = page.locator(".wall-hot")
        expect(hot).to_contain_text("Điểm nóng hôm nay (Gi*)")
        # The line names today's hot wards, or says there is none: it does not go blank.
        today = todays_hot_spots(browser_demo_url)
        hot_wards = today[today["hot"]]
        if hot_wards.empty:
            expect(hot).to_contain_text(label("hot.wall.no_hot", "vi"))
        else:
            expect(hot).to_contain_text(f"{len(hot_wards)} phường: ")
            for name in hot_wards["ward_name"].head(3):
                expect(hot).to_contain_text(short_name(name))
        listing = page.locator(".st-key-wall_clusters")
        expect(listing).to_contain_text("Cụm bất thường theo không gian – thời gian")
        lines = listing.locator("p", has_text=re.compile(r"^Cụm \d+:"))
        expect(lines).to_have_count(2)
        shown = lines.all_inner_texts()
        names = {ward.code: ward.name for ward in hcmc_wards()}
        for group in EMERGING_WARDS:
            # Each planted group is one line, which names all of its wards.
            (line,) = [text for text in shown if names[group[-1]] in text]
            assert all(names[code] in line for code in group), line
        screenshot(page, "wall-early-warning.png")


def test_every_district_is_named_once_and_no_name_touches_another(device_link, screen):
    """The small central districts' names piled into a knot on the city-wide map: they are
    named in an inset of the inner city, the others on the map, none over another."""
    page, height = screen
    open_wall(page, device_link)
    wait_for_the_fit(page)
    inside = page.frame_locator(MAP)
    expect(inside.locator(".wall-inset-title")).to_have_text("Nội thành")
    expect(inside.locator("path.wall-inset-outline")).to_have_count(1)  # its area on the map
    names = page.locator(MAP).element_handle().content_frame().evaluate(NAMES)
    assert sorted(n["text"] for n in names) == sorted(short_name(d.name) for d in hcmc_districts())
    for a, b in combinations(names, 2):
        apart = (
            a["right"] <= b["left"] or b["right"] <= a["left"]
            or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
        )  # fmt: skip
        assert apart, f"{a['text']} and {b['text']} overlap"
    inset = [n for n in names if n["inset"]]
    assert {"Q.1", "Q.3", "Q.4", "Q.5", "Q.10", "Phú Nhuận"} <= {n["text"] for n in inset}
    assert min(n["px"] for n in inset) >= READABLE * height
    box = inside.locator(".wall-inset").bounding_box()
    frame = page.locator(MAP).bounding_box()
    assert box["x"] >= frame["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert box["y"] >= frame["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]


def test_the_inset_is_titled_in_english_under_lang_en(device_link, browser):
    with offline_page(browser, viewport=FULL_HD, locale="vi-VN") as page:
        open_wall(page, device_link, "lang=en")
        wait_for_the_fit(page)
        expect(page.frame_locator(MAP).locator(".wall-inset-title")).to_have_text("Inner city")
        screenshot(page, "wall-inset-english-1080p.png")


def test_a_rotating_wall_shows_one_district_at_a_time_and_a_chosen_one_stays(device_link, screen):
    page, _ = screen
    open_wall(page, device_link, "rotate=1")
    title = page.locator("h1").first
    # a district, not the whole city (the rotation may be on a "Huyện" or Thủ Đức as well)…
    expect(title).to_contain_text(re.compile(r"— (Quận|Huyện|Thành phố) "))
    expect(title).not_to_contain_text("Toàn thành phố")
    first = title.inner_text()
    expect(title).not_to_have_text(first)  # …then the next
    expect(page.locator(".wall-badge")).to_contain_text("TRỰC TIẾP")
    page.goto(page.url.split("?")[0] + "?district=764")
    wait_for_app_run(page)
    expect(title).to_contain_text("Quận Gò Vấp")
    expect(page.frame_locator(MAP).get_by_text("P.15", exact=True)).to_be_visible()


def test_a_wall_that_loses_its_server_turns_its_badge_red(server, device_link, browser):
    with offline_page(browser, viewport=FULL_HD, locale="vi-VN") as page:
        open_wall(page, device_link)
        lost = page.locator(".wall-lost")
        expect(lost).to_have_css("opacity", "0")
        server.stop()
        # The browser cannot run Python now: the badge's own CSS clock turns it red after two
        # refresh intervals without a new badge.
        expect(lost).to_have_css("opacity", "1", timeout=4 * REFRESH_SECONDS * 1000)
        expect(lost).to_contain_text("MẤT KẾT NỐI")
        screenshot(page, "wall-disconnected-1080p.png")
        server.restart()
        wait_for_app_run(page)
        expect(page.locator(".wall-lost")).to_have_css("opacity", "0")
        expect(page.locator(".wall-badge")).to_contain_text("TRỰC TIẾP")
