"""An epidemiologist traces a case in a real browser: pick the case, state the purpose, see the
highlighted places, open one to see who was there, follow a contact in turn."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from db.engine import make_engine
from db.schema import audit_log, case_record, person
from tests.browser.conftest import (
    choose,
    go_to,
    open_case,
    rerun,
    screenshot,
    select_first_row,
    sign_in,
    trace_with_purpose,
    wait_for_app_run,
)

pytestmark = pytest.mark.browser


def test_trace_a_case_open_a_place_and_follow_a_contact(server, page):
    sign_in(page, server.url, "epidemiologist")
    go_to(page, "Truy vết")
    expect(page.get_by_role("combobox", name="Hoặc chọn ca trong danh sách")).to_be_visible()
    open_case(page)
    expect(page.get_by_text("Ca số ")).to_be_visible()

    trace_with_purpose(page, "Điều tra cụm chợ đầu mối")
    expect(page.locator("h3", has_text="Các địa điểm ca số ")).to_be_visible()

    places = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    expect(places.locator("path.leaflet-interactive").first).to_be_visible()
    assert places.locator("path.leaflet-interactive").count() >= 2  # the path and the places

    # The first place the case visited, picked in its list of visits (which places a demo
    # case visited depends on the demo's seed, not on this test).
    select_first_row(page, "trace_visits")
    expect(page.locator("strong", has_text="Có mặt tại ")).to_be_visible()

    choose(page, "Chọn người tiếp xúc", "F1")  # choosing a contact follows them: one action
    expect(page.get_by_text("Đường truy vết:", exact=True)).to_be_visible()
    assert "trail=" in page.url and "case=" in page.url


def test_the_contact_export_is_audited_with_its_case_and_purpose(server, page, browser_demo_url):
    sign_in(page, server.url, "epidemiologist")
    go_to(page, "Truy vết")
    open_case(page)
    trace_with_purpose(page, "Xuất danh sách F1 cho phường")
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải danh sách tiếp xúc (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    # Vietnamese headers, dates with their year, a file name naming the case and the levels.
    assert text.splitlines()[0].startswith("Mức,Ghi chú,Họ tên,Điện thoại,Nơi tiếp xúc,")
    assert re.search(r"\d\d:\d\d–\d\d:\d\d \d\d/\d\d/20\d\d", text.splitlines()[1])
    assert re.fullmatch(r"kbyt-ca-\d+-tiep-xuc-F1\.csv", download.value.suggested_filename)
    engine = make_engine(browser_demo_url)
    with engine.connect() as connection:
        exports = connection.execute(
            select(
                audit_log.c.username,
                audit_log.c.case_id,
                audit_log.c.purpose,
                audit_log.c.row_count,
            ).where(audit_log.c.action == "export")
        ).all()
    engine.dispose()
    assert exports and exports[-1][0] == "e2e.epi"
    assert exports[-1][1] is not None and exports[-1][2] == "Xuất danh sách F1 cho phường"
    assert exports[-1][3] == len(text.splitlines()) - 1


def fellow_trader(database_url: str) -> str:
    """The name of case 2, a fellow trader of the demo's wholesale-market case 1
    (ingest/demo_clusters.py): met at the market, and a case who met the other traders there, so
    following them lists contacts whatever hour the demo city was built at. (The first F1 of
    the latest case, the test's earlier choice, met nobody else in a city built after
    midnight, and following them listed no one.)"""
    engine = make_engine(database_url)
    with engine.connect() as connection:
        name = connection.execute(
            select(person.c.full_name)
            .join(case_record, case_record.c.person_id == person.c.id)
            .where(case_record.c.id == 2)
        ).scalar_one()
    engine.dispose()
    return name


def test_following_a_contact_keeps_the_case_s_levels_and_f2_is_one_click(
    server, page, browser_demo_url
):
    sign_in(page, server.url, "epidemiologist")
    go_to(page, "Truy vết")
    page.goto(page.url.split("?")[0] + "?case=1")  # the market trader
    wait_for_app_run(page)
    case_heading = page.locator("h3", has_text="Ca số ").first
    expect(case_heading).to_be_visible()
    case_name = case_heading.inner_text().split(": ", 1)[1].strip()
    trace_with_purpose(page, "Truy vết tiếp người tiếp xúc")
    expect(page.locator("h3", has_text="Các địa điểm ca số ")).to_be_visible()

    contact_name = choose(
        page, "Chọn người tiếp xúc", f"F1 · {fellow_trader(browser_demo_url)}"
    ).split(" · ")[1]
    expect(page.get_by_text("Đường truy vết:", exact=True)).to_be_visible()
    # The headings name the contact, their level and the trail back to the case.
    trail = f"đường truy vết: Ca bệnh: {case_name} → F1: {contact_name})"
    expect(
        page.locator("h3", has_text=f"Các địa điểm {contact_name} (F1 của ca số ")
    ).to_contain_text(trail)
    contacts = page.locator("h3", has_text=f"Người tiếp xúc của {contact_name} (F1")
    expect(contacts).to_contain_text(trail)
    # The case is never listed as its own contact's contact, and nobody new is below F2.
    expect(contacts).not_to_contain_text(" F1,")
    box = page.get_by_role("combobox", name="Chọn người tiếp xúc")
    box.click()
    box.press_sequentially("F")
    page.get_by_role("option").first.wait_for()
    options = page.get_by_role("option").all_inner_texts()
    box.press("Escape")
    wait_for_app_run(page)
    assert options and not any(f" · {case_name} · " in o for o in options)
    assert all(o.startswith(("F1 ·", "F2 ·", "—")) for o in options), options
    screenshot(page, "trace-following-a-contact.png", full_page=True)

    # F3 of the case (the contact's F2) from one control.
    with rerun(page):
        page.get_by_role("button", name="Truy vết tiếp F3").click()
    expect(page.get_by_text("Đang tính F2")).to_have_count(0)
    wait_for_app_run(page)
    assert "depth=2" in page.url
    expect(contacts).to_be_visible()
    expect(page.get_by_role("button", name="Truy vết tiếp F3")).to_have_count(0)  # F3 is done


def test_one_click_on_a_contact_s_row_shows_their_own_visits(server, page):
    sign_in(page, server.url, "epidemiologist")
    go_to(page, "Truy vết")
    open_case(page)
    trace_with_purpose(page, "Một lần bấm")
    expect(page.locator("h3", has_text="Các địa điểm ca số ")).to_be_visible()

    select_first_row(page, "contacts_*")

    expect(page.get_by_text("Đường truy vết:", exact=True)).to_be_visible()
    visits = page.locator("h3", has_text="(F1 của ca số ").first
    expect(visits).to_be_visible()
    contact = visits.inner_text().removeprefix("Các địa điểm ").split(" (F1 của ca số ")[0]
    # The whole panel is the contact's now, their own contacts included.
    expect(page.locator("h3", has_text=f"Người tiếp xúc của {contact} (F1")).to_be_visible()
    wait_for_app_run(page)
    assert "trail=" in page.url
