"""Hostile input, table-driven: markup in names, formulas in exported cells, injection strings
in searches and links. Each is shown or stored as typed and never executed."""

import io

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import box
from sqlalchemy import func, inspect, select
from streamlit.testing.v1 import AppTest

from config.settings import MapSettings, get_settings
from db.schema import checkin, person, venue
from geo.maps import choropleth
from reports.tables import to_csv_bytes, to_xlsx_bytes
from rules.access import Scope
from rules.markdown import plain
from tests.conftest import REPO

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[Nhấn vào đây](http://evil.example)",
    "$\\frac{1}{0}$",
    "**đậm** _nghiêng_ `mã`",
    "'; DROP TABLE checkin; --",
    '=HYPERLINK("http://evil.example","Mở")',
    "+84903123456",
    "-1+1",
    "@SUM(A1)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shows_user_text_as_typed(text):
    escaped = plain(text)
    for mark in "[]()<>$*_`":
        assert escaped.count(mark) == escaped.count("\\" + mark)  # every mark escaped


@pytest.mark.parametrize("text", HOSTILE)
def test_exported_cells_never_start_a_formula(text):
    frame = pd.DataFrame({"full_name": [text], "count": [3]})
    csv_text = to_csv_bytes(frame).decode("utf-8-sig")
    cell = csv_text.splitlines()[1].rsplit(",", 1)[0].strip('"')
    assert not cell.startswith(("=", "+", "-", "@"))
    book = load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    value = book.active["A2"].value
    assert book.active["A2"].data_type == "s"  # a string cell, never a formula
    assert not str(value).startswith(("=", "+", "-", "@"))


def test_map_labels_are_escaped():
    shapes = gpd.GeoDataFrame(
        {
            "code": ["760"],
            "name": ["<script>alert(1)</script>"],
            "geometry": [box(106.6, 10.7, 106.7, 10.8)],
        },
        crs="EPSG:4326",
    )
    figures = pd.DataFrame({"code": ["760"], "declarations": [5], "shown": ["<b>5</b>"]})
    fig, _, _ = choropleth(shapes, figures, "declarations", [("shown", "<i>n</i>")], MapSettings())
    rendered = fig.get_root().render()
    assert "<script>alert(1)</script>" not in rendered
    # GeoJSON embeds the escaped name ('&lt;script&gt;…' with & written \u0026).
    assert "\\u0026lt;script\\u0026gt;alert(1)" in rendered


INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE checkin; --",
    '" OR 1=1 --',
    "%' UNION SELECT password_hash FROM app_user --",
    "<script>alert(1)</script>",
    "Robert'); DELETE FROM person; --",
    "\\x00\\u202e",
    "a" * 500,
]


@pytest.mark.parametrize("page", ["venues", "trace", "admin"])
def test_injection_strings_in_every_text_box_of_a_page(monkeypatch, database_url, engine, page):
    """Each text box of the page takes each string as plain text: no error, no table lost."""
    monkeypatch.setenv("KBYT_DATABASE_URL", database_url)
    monkeypatch.setenv("KBYT_DEMO__SEED_ON_FIRST_START", "false")
    get_settings.cache_clear()
    try:
        app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
        app.session_state["scope"] = Scope("root", "admin")
        app.run()
        app.switch_page(f"app_pages/{page}.py")
        app.run()
        count = len(app.main.text_input)
        assert count, "the page has text boxes"
        for text in INJECTIONS:
            for position in range(count):
                boxes = app.main.text_input
                if position < len(boxes):
                    boxes[position].input(text).run()
                    assert not app.exception, (position, text, app.exception)
    finally:
        get_settings.cache_clear()
    with engine.connect() as connection:
        assert {"checkin", "person", "venue", "app_user"} <= set(
            inspect(connection).get_table_names()
        )
        for table in (checkin, person, venue):
            assert connection.scalar(select(func.count()).select_from(table)) == 0
