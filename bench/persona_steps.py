"""The personas' walks (bench/persona_timings.py): what each one clicks and which elements say
that a step's page is drawn. Command centre: sign-in to the wall; district officer: the Venues
page and a venue's timeline; epidemiologist: a case traced, a contact followed, back, F2;
leadership: the daily report downloaded; admin: the Administration page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from bench.persona_city import ACCOUNTS
from bench.persona_walk import (
    SETTLED,
    Sample,
    Walk,
    click_first_row,
    nav,
    open_sign_in,
    sign_in_step,
)

MAP = "iframe[title='streamlit_folium.st_folium']"


def overview_ready(page: Any) -> list[Any]:
    main = page.get_by_test_id("stMain")
    return [
        main.locator("h1", has_text="Tổng quan").first,
        page.get_by_test_id("stMetric").first,
        page.locator(".js-plotly-plot .xtick").first,
    ]


def command_centre(walk: Walk) -> None:
    page = walk.page
    inside = page.frame_locator(MAP)

    def all_districts_named() -> None:
        page.wait_for_function(
            f"""() => {{
              const f = document.querySelector("{MAP}");
              const d = f && f.contentDocument;
              return !!d && d.querySelectorAll('.wall-label').length >= 22;
            }}""",
            timeout=walk.timeout_ms,
        )

    # The wall is the command centre's first page: signing in is its first load.
    open_sign_in(walk, ACCOUNTS["command_centre"][0])
    walk.step(
        "sign-in → wall drawn (map, 22 names)",
        lambda: page.get_by_role("button", name="Đăng nhập").click(),
        [
            page.get_by_test_id("stMetric").first,
            inside.locator("path.leaflet-interactive").first,
            inside.locator(".wall-label").first,
        ],
        new_document=True,
        after=all_districts_named,
    )


def district_officer(walk: Walk) -> None:
    page = walk.page
    sign_in_step(walk, ACCOUNTS["district_officer"][0], overview_ready(page))
    tables = page.get_by_test_id("stDataFrame")
    walk.step(
        "Venues page",
        nav(walk, "Địa điểm"),
        [page.get_by_label("Tìm địa điểm (tên hoặc mã)"), tables.first],
        after=lambda: page.wait_for_url(re.compile(r"/venues(\?|$)"), timeout=walk.timeout_ms),
    )

    walk.step(
        "pick a venue → timeline drawn",
        lambda: click_first_row(walk, "venues_table"),
        [
            page.get_by_test_id("stMain").locator("h2").first,
            page.locator(".js-plotly-plot .xtick, [data-testid='stAlert']").first,
            tables.nth(1),
        ],
    )


def epidemiologist(walk: Walk) -> None:
    page = walk.page
    sign_in_step(walk, ACCOUNTS["epidemiologist"][0], overview_ready(page))
    # The places on the map: their markers (a path between one place's visits has no size).
    places_map = (
        page.frame_locator(MAP)
        .first.locator("path.leaflet-interactive, .leaflet-marker-icon")
        .filter(visible=True)
        .first
    )
    walk.step(
        "Trace page",
        nav(walk, "Truy vết"),
        [page.get_by_role("combobox", name="Hoặc chọn ca trong danh sách")],
        after=lambda: page.wait_for_url(re.compile(r"/trace(\?|$)"), timeout=walk.timeout_ms),
    )
    walk.step(
        "open a case",
        lambda: page.get_by_role("button", name="Mở ca").click(),
        [page.locator("h3", has_text="Ca số ").first],
    )
    # Stating the purpose is typing, not waiting for the app: not a timed step.
    before = walk.runs()
    page.get_by_label("Mục đích truy vết (bắt buộc, được ghi nhật ký)").fill("Đo thời gian trang")
    page.keyboard.press("Enter")
    page.wait_for_function(SETTLED, arg=before, timeout=walk.timeout_ms)
    walk.step(
        "trace F1 → places and contacts",
        lambda: page.get_by_role("button", name="Truy vết", exact=True).click(),
        [page.locator("h3", has_text="Các địa điểm ca số ").first, places_map],
    )
    walk.step(
        "follow a contact (one click on their row) → their visits",
        lambda: click_first_row(walk, "contacts_*"),
        [
            page.get_by_text("Đường truy vết:", exact=True),
            page.locator("h3", has_text="(F1 của ca số ").first,
            places_map,
        ],
    )
    walk.step(
        "back to the case (breadcrumb)",
        lambda: page.get_by_role("button", name=re.compile(r"^Ca bệnh: ")).first.click(),
        [page.locator("h3", has_text="Các địa điểm ca số ").first, places_map],
        after=lambda: page.get_by_text("Đường truy vết:", exact=True).wait_for(
            state="detached", timeout=walk.timeout_ms
        ),
    )

    def f2_done() -> None:
        # F1 is drawn again at once, F2 under "Đang tính F2…", then the page reruns.
        page.wait_for_url(re.compile(r"depth=2"), timeout=walk.timeout_ms)
        for gone in (page.get_by_text("Đang tính F2"), page.get_by_role("button", name=f2)):
            gone.first.wait_for(state="detached", timeout=walk.timeout_ms)

    f2 = "Truy vết tiếp F2"
    walk.step(
        "F2 of the case (one button)",
        lambda: page.get_by_role("button", name=f2).click(),
        [page.locator("h3", has_text="Các địa điểm ca số ").first],
        after=f2_done,
    )


def leadership(walk: Walk) -> None:
    page = walk.page
    sign_in_step(walk, ACCOUNTS["leadership"][0], overview_ready(page))
    button = page.get_by_role("button", name="Tải báo cáo ngày (HTML)")
    started_epoch, cpu = time.time(), walk.cpu_s()
    started = time.perf_counter()
    with page.expect_download(timeout=walk.timeout_ms) as download:
        button.click()
    download.value.path()  # until the file is complete
    seconds = time.perf_counter() - started
    walk.samples.append(
        Sample(walk.persona, "daily report download", walk.round, seconds,
               walk.cpu_s() - cpu, started=started_epoch, ended=time.time())
    )  # fmt: skip


def admin(walk: Walk) -> None:
    page = walk.page
    sign_in_step(walk, ACCOUNTS["admin"][0], overview_ready(page))
    walk.step(
        "Administration page",
        nav(walk, "Quản trị"),
        [
            page.get_by_role("tab", name="Nhập dữ liệu"),
            page.get_by_role("tab", name="Nhật ký truy cập"),
        ],
        after=lambda: page.wait_for_url(re.compile(r"/admin(\?|$)"), timeout=walk.timeout_ms),
    )


PERSONAS: dict[str, Callable[[Walk], None]] = {
    "command_centre": command_centre,
    "district_officer": district_officer,
    "epidemiologist": epidemiologist,
    "leadership": leadership,
    "admin": admin,
}
