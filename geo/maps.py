"""Folium maps that draw without the internet.

By default Leaflet comes from the app itself (static/vendor/, installed from the npm registry by
scripts/fetch-map-assets and served by Streamlit's static file serving) and there is no tile
layer; settings.map.assets = "cdn" and settings.map.tiles restore the usual online behaviour.
Any asset this module does not know how to serve locally is an error, not a silent CDN call.
Labels reach Leaflet as HTML, so every name is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import HeatMap

from config.settings import MapSettings
from geo.admin_units import hcmc_districts, hcmc_wards
from geo.boundaries import Shapes, build_shapes
from i18n.numbers import percent, whole_number
from rules import safe_text
from rules.kpis import round_step

VENDOR = "/app/static/vendor"
LOCAL_ASSETS = {
    "leaflet": f"{VENDOR}/leaflet/leaflet.js",
    "leaflet_css": f"{VENDOR}/leaflet/leaflet.css",
    "leaflet-heat.js": f"{VENDOR}/leaflet-heat/leaflet-heat.js",
}
# Folium's defaults for markers and popups styling; the maps here use none of them.
NOT_NEEDED = {
    "jquery",
    "bootstrap",
    "awesome_markers",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
}
CITY_CENTRE = (10.80, 106.70)
# Sequential reds, light to dark (ColorBrewer Reds, 5 classes).
PALETTE = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
EMPTY_COLOUR = "#f0f0f0"
# Areas whose figure is a suppressed small count (rules.disclosure): one class of their own,
# outside the colour classes, so neither colour nor legend bound reveals the count.
SUPPRESSED_COLOUR = "#9e9e9e"


class MapAssetError(RuntimeError):
    """A map element needs a script or style that is not served locally."""


def _elements(root: folium.Element) -> Iterable[folium.Element]:
    yield root
    for child in getattr(root, "_children", {}).values():
        yield from _elements(child)


def localise_assets(fig: folium.Map, settings: MapSettings, base_path: str = "") -> folium.Map:
    """Point every element's scripts and styles at the app's own copies."""
    if settings.assets == "cdn":
        return fig
    for element in _elements(fig):
        for attribute in ("default_js", "default_css"):
            assets = getattr(element, attribute, None)
            if not assets:
                continue
            local = []
            for name, url in assets:
                if name in LOCAL_ASSETS:
                    local.append((name, base_path + LOCAL_ASSETS[name]))
                elif name not in NOT_NEEDED:
                    raise MapAssetError(f"{type(element).__name__} needs {name} from {url}")
            setattr(element, attribute, local)
    return fig


def new_map(
    settings: MapSettings, location: tuple[float, float] = CITY_CENTRE, zoom: int = 10
) -> folium.Map:
    if settings.tiles:
        return folium.Map(
            location=location,
            zoom_start=zoom,
            tiles=settings.tiles,
            attr=settings.tiles_attribution or " ",
            control_scale=True,
        )
    return folium.Map(location=location, zoom_start=zoom, tiles=None, control_scale=True)


@lru_cache(maxsize=4)
def city_shapes(boundary_file: str | None) -> Shapes:
    """District and ward shapes for maps, built once per process."""
    districts = pd.DataFrame([d.__dict__ for d in hcmc_districts()])
    wards = pd.DataFrame([w.__dict__ for w in hcmc_wards()])
    return build_shapes(districts, wards, Path(boundary_file) if boundary_file else None)


def classes(values: pd.Series) -> tuple[list[float], list[str]]:
    """Upper bounds of equal classes from zero with round breaks (at most five), and their
    colours. Counts step by whole numbers (1, 2, 5, 10, 20, 25, 50 …: 5, 10, 15 for a top of
    12), shares by round percentages (0,25 %, 0,5 % … for a top of 1,16 %).

    Quantile classes made neighbouring figures look far apart (0,90 % and 1,16 % two shades
    apart, with breaks like 0,937 %); equal round classes from zero keep a colour's meaning
    proportional, and the legend states the breaks."""
    positive = values[values > 0]
    if positive.empty:
        return [], []
    top = float(positive.max())
    whole = bool((positive % 1 == 0).all())
    step = round_step(top, len(PALETTE), whole=whole)
    count = max(1, math.ceil(top / step - 1e-9))
    bounds = [round(step * k, 10) for k in range(1, count + 1)]
    return bounds, list(PALETTE[-count:])


def _percent_digits(bounds: list[float]) -> int:
    """The fewest decimals of a percentage that write every bound exactly (0,25 % needs 2)."""
    for digits in range(4):
        if all(abs(round(b * 100, digits) - b * 100) < 1e-9 for b in bounds):
            return digits
    return 4


def class_labels(bounds: list[float], share: bool = False, language: str = "vi") -> list[str]:
    """Each class's range as the legend states it: counts '1–5', '6–10' (whole numbers, both
    ends included), shares '≤ 0,25 %', '0,25–0,5 %'. No classes (nothing to colour yet, as
    on an empty database) have no labels."""
    if not bounds:
        return []
    if not share:
        lows = [1, *(int(b) + 1 for b in bounds[:-1])]
        return [
            whole_number(b, language)
            if low == b
            else f"{whole_number(low, language)}–{whole_number(b, language)}"
            for low, b in zip(lows, bounds, strict=True)
        ]
    digits = _percent_digits(bounds)
    shown = [percent(b, digits, language) for b in bounds]
    unit = " %" if language == "vi" else "%"
    return [
        f"≤ {shown[0]}",
        *(f"{low.removesuffix(unit)}–{high}" for low, high in zip(shown, shown[1:], strict=False)),
    ][: len(bounds)]


def colour_for(value: float, bounds: list[float], colours: list[str]) -> str:
    if value <= 0 or not bounds:
        return EMPTY_COLOUR
    for bound, colour in zip(bounds, colours, strict=True):
        if value <= bound:
            return colour
    return colours[-1]


def choropleth(
    shapes: gpd.GeoDataFrame,
    figures: pd.DataFrame,
    metric: str,
    tooltip_fields: list[tuple[str, str]],
    settings: MapSettings,
    highlight: str | None = None,
    base_path: str = "",
    hidden: str | None = None,
) -> tuple[folium.Map, list[float], list[str]]:
    """Areas (code, name, geometry) coloured by figures[metric], joined on code.

    tooltip_fields: (column, label) pairs shown on hover; values are formatted by the caller
    into string columns. hidden: a boolean column of figures marking areas whose figure is
    suppressed; they are drawn in SUPPRESSED_COLOUR and left out of the classes, so the legend's
    bounds come only from figures that may be shown. Returns the map and the legend's class
    bounds and colours.
    """
    frame = shapes.merge(figures, on="code", how="left", suffixes=("", "_figures"))
    frame[metric] = frame[metric].fillna(0)
    withheld = (
        frame[hidden].fillna(False).astype(bool) if hidden else pd.Series(False, index=frame.index)
    )
    bounds, colours = classes(frame.loc[~withheld, metric])
    frame["fill"] = [
        SUPPRESSED_COLOUR if off else colour_for(v, bounds, colours)
        for v, off in zip(frame[metric], withheld, strict=True)
    ]
    for column, _ in tooltip_fields:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "0")
        frame[column] = frame[column].map(safe_text.html)
    frame["name"] = frame["name"].map(safe_text.html)
    keep = ["code", "name", "fill", *[c for c, _ in tooltip_fields if c != "name"], "geometry"]
    frame = gpd.GeoDataFrame(frame[list(dict.fromkeys(keep))], crs=shapes.crs)

    minx, miny, maxx, maxy = frame.total_bounds
    fig = new_map(settings, ((miny + maxy) / 2, (minx + maxx) / 2))
    folium.GeoJson(
        frame.to_json(),
        name="areas",
        style_function=lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "color": "#222" if feature["properties"]["code"] == highlight else "#666",
            "weight": 3 if feature["properties"]["code"] == highlight else 0.8,
            "fillOpacity": 0.8,
        },
        highlight_function=lambda _feature: {"weight": 3, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", *[c for c, _ in tooltip_fields if c != "name"]],
            aliases=["", *[label for c, label in tooltip_fields if c != "name"]],
            sticky=True,
        ),
    ).add_to(fig)
    fig.fit_bounds([[miny, minx], [maxy, maxx]])
    return localise_assets(fig, settings, base_path), bounds, colours


def add_density(
    fig: folium.Map, points: pd.DataFrame, settings: MapSettings, base_path: str = ""
) -> None:
    """A heat layer of check-ins at venues (lat, lon, weight)."""
    if points.empty:
        return
    top = float(points["weight"].max()) or 1.0
    HeatMap(
        points[["lat", "lon", "weight"]].assign(weight=points["weight"] / top).values.tolist(),
        name="density",
        radius=14,
        blur=18,
        min_opacity=0.3,
    ).add_to(fig)
    localise_assets(fig, settings, base_path)


def visits_map(
    visits: pd.DataFrame, settings: MapSettings, selected: str | None = None, base_path: str = ""
) -> folium.Map:
    """A case's visits (columns: venue_ref, venue_name, lat, lon, label) numbered in time
    order, joined by its path. Vector markers only: Leaflet's image markers would need assets."""
    centre = (
        (float(visits["lat"].mean()), float(visits["lon"].mean())) if len(visits) else CITY_CENTRE
    )
    fig = new_map(settings, centre, zoom=12)
    if len(visits) > 1:
        folium.PolyLine(
            visits[["lat", "lon"]].values.tolist(), color="#c62828", weight=2, opacity=0.7,
            dash_array="6 6",
        ).add_to(fig)  # fmt: skip
    # One marker per place, labelled with its visits' numbers: repeat visits to a place drew
    # their numbers on top of each other, unreadable.
    places: dict[str, list[tuple[int, Any]]] = {}
    for number, row in enumerate(visits.itertuples(), start=1):
        places.setdefault(str(row.venue_ref), []).append((number, row))
    for venue_ref, stops in places.items():
        first = stops[0][1]
        chosen = venue_ref == selected
        tooltip = "<br>".join(
            f"{number}. {safe_text.html(row.venue_name)} — {safe_text.html(row.label)}"
            for number, row in stops
        )
        numbers = [number for number, _ in stops]
        shown = (
            ", ".join(map(str, numbers))
            if len(numbers) <= 3
            else f"{numbers[0]}, {numbers[1]} … {numbers[-1]} ({len(numbers)})"
        )
        folium.CircleMarker(
            (first.lat, first.lon), radius=14 if chosen else 11,
            color="#000" if chosen else "#b71c1c", weight=3 if chosen else 1, fill=True,
            fill_color="#e53935", fill_opacity=0.9, tooltip=tooltip,
        ).add_to(fig)  # fmt: skip
        folium.Marker(
            (first.lat, first.lon),
            icon=folium.DivIcon(
                icon_size=(0, 0),
                html='<div style="position:absolute;transform:translate(-50%,-50%);'
                "white-space:nowrap;padding:1px 7px;border-radius:11px;background:#b71c1c;"
                "border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,.6);color:#fff;"
                f'font:bold 13px/18px sans-serif">{shown}</div>',
            ),
            tooltip=tooltip,
        ).add_to(fig)
    if len(visits):
        fig.fit_bounds(
            [
                [visits["lat"].min(), visits["lon"].min()],
                [visits["lat"].max(), visits["lon"].max()],
            ],
            max_zoom=15,
        )
    return localise_assets(fig, settings, base_path)
