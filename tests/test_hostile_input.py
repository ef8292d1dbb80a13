"""Hostile input, table-driven: markup in names, formulas in exported cells, injection strings
in searches and links. Each is shown or stored as typed and never executed."""

import io

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from config.settings import MapSettings
from geo.maps import choropleth
from reports.tables import to_csv_bytes, to_xlsx_bytes
from rules.markdown import plain

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
