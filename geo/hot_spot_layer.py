"""The ward hot spots (geo/hot_spots.py) drawn over a map: hot wards in one colour, cold ones in
another, outlined and lightly filled so the choropleth underneath still reads. The features
carry no property named "code": a click on one is not read as a click on a district or ward of
the choropleth (app_pages/map.py filters the app by the code it gets back)."""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from rules import safe_text

# Light maps (the Map page): purple and blue stay apart from the choropleth's reds.
HOT_COLOUR = "#6a1b9a"
COLD_COLOUR = "#1565c0"
# The wall's dark map: amber and light blue.
WALL_HOT_COLOUR = "#f2cc60"
WALL_COLD_COLOUR = "#58a6ff"


def add_hot_spots(
    fig: folium.Map,
    wards: gpd.GeoDataFrame,
    result: pd.DataFrame,
    tooltip_fields: list[tuple[str, str]],
    *,
    colours: Mapping[str, str] | None = None,
    fill_opacity: float = 0.35,
) -> int:
    """Draw the hot and cold wards of result (geo.hot_spots.hot_spots's frame, plus any text
    columns named in tooltip_fields: (column, label) pairs, the first the ward's name shown
    without a label) that are among wards (code, geometry) onto fig. Returns how many wards
    were drawn."""
    palette = {"hot": HOT_COLOUR, "cold": COLD_COLOUR, **(colours or {})}
    flagged = result[result["hot"] | result["cold"]]
    frame = wards[["code", "geometry"]].merge(
        flagged, left_on="code", right_on="ward_code", how="inner"
    )
    if frame.empty:
        return 0
    frame["colour"] = [palette["hot"] if hot else palette["cold"] for hot in frame["hot"]]
    columns = [column for column, _ in tooltip_fields]
    for column in columns:
        frame[column] = frame[column].astype(str).map(safe_text.html)
    layer = gpd.GeoDataFrame(
        frame[[*dict.fromkeys([*columns, "colour"]), "geometry"]], crs=wards.crs
    )
    folium.GeoJson(
        layer.to_json(),
        name="hot_spots",
        style_function=lambda feature: {
            "color": feature["properties"]["colour"],
            "fillColor": feature["properties"]["colour"],
            "weight": 3,
            "fillOpacity": fill_opacity,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=columns,
            aliases=["" if i == 0 else label for i, (_, label) in enumerate(tooltip_fields)],
            sticky=True,
        ),
    ).add_to(fig)
    return len(frame)


def hot_spot_legend(
    title: str, hot: str, cold: str, colours: Mapping[str, str] | None = None
) -> str:
    """Legend rows (HTML, escaped) for a map's legend box (geo.wall_map.legend_html's): the
    title (none when empty), then the hot and the cold wards' swatch and text (an empty text:
    no row)."""
    palette = {"hot": WALL_HOT_COLOUR, "cold": WALL_COLD_COLOUR, **(colours or {})}
    rows = [
        f'<i style="background:{palette[kind]};border-color:{palette[kind]}"></i>'
        f"{safe_text.html(text)}"
        for kind, text in (("hot", hot), ("cold", cold))
        if text
    ]
    head = f'<b style="margin-top:.8vh">{safe_text.html(title)}</b>' if title else ""
    return head + "<br>".join(rows)
