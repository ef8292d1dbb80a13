"""The administration page on the demo city (11,730 venues): what it renders on a plain run is
bounded — no list longer than a district's wards, no QR poster made until asked for — so it
loads in well under a second instead of several (issue 14, part 5)."""

import pytest

import ui.admin.venues
from config.settings import get_settings
from geo.admin_units import hcmc_districts, hcmc_wards
from rules.access import Scope
from tests.page_runs import open_page, point_app_at

MAX_OPTIONS = 200


@pytest.fixture
def demo_admin_page(monkeypatch, sqlite_demo_url):
    point_app_at(monkeypatch, sqlite_demo_url)
    made: list[str] = []

    def no_poster(*args, **kwargs):
        made.append("poster")
        raise AssertionError("a poster was made on a plain run")

    monkeypatch.setattr(ui.admin.venues, "posters_pdf", no_poster)
    yield open_page("admin", Scope("root", "admin"), timeout=120), made
    get_settings.cache_clear()


def test_no_list_on_the_page_is_longer_than_a_few_hundred_options(demo_admin_page):
    app, made = demo_admin_page
    lengths = {w.label: len(w.options) for w in [*app.selectbox, *app.multiselect]}
    assert lengths and max(lengths.values()) <= MAX_OPTIONS, lengths
    assert made == []  # the QR files and posters are made when their button is pressed


def test_the_venue_form_offers_the_chosen_districts_wards(demo_admin_page):
    app, _ = demo_admin_page
    district = hcmc_districts()[3]
    app.selectbox(key="new_venue_district").select(district.code).run()
    assert not app.exception, app.exception
    names = {w.name for w in hcmc_wards() if w.district_code == district.code}
    offered = [set(s.options) for s in app.selectbox if s.label == "Phường/Xã"]
    assert names in offered, (district.name, offered)


def test_the_audit_filter_says_any_action_rather_than_choose_an_option(demo_admin_page):
    app, _ = demo_admin_page
    action = app.selectbox(key="audit_action")
    assert action.value is None and action.placeholder == "Mọi hành động"
