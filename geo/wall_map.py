"""The wall screen's map: the choropleth of geo/maps.py made readable across a control room.

A dark background, each area's name drawn on it (none over another, the small inner districts
in an inset: geo/wall_labels.py), a legend inside the map, and a map that fills whatever height
the page gives its frame (the page sizes the frame with CSS in viewport units, so one build
serves a 1080p and a 4K screen). Nothing here fetches anything: labels are Leaflet DivIcons in
the system's sans-serif font, the legend is a Leaflet control.
"""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
from branca.element import Figure, MacroElement
from jinja2 import Template

from geo.maps import EMPTY_COLOUR, SUPPRESSED_COLOUR
from geo.wall_labels import add_labels
from rules import safe_text

BACKGROUND = "#0b1016"
# Leading words of official names that a label can drop: on a map the kind of unit is obvious,
# and "Quận Gò Vấp" in large type would not fit in its own district.
_PREFIXES = (
    (re.compile(r"^Quận (\d+)$"), r"Q.\1"),
    (re.compile(r"^Phường (\d+)$"), r"P.\1"),
    (re.compile(r"^(Quận|Huyện|Thành phố|Phường|Xã|Thị trấn) "), ""),
)


def short_name(name: str) -> str:
    """A map label for an official name: "Quận 1" → "Q.1", "Quận Gò Vấp" → "Gò Vấp"."""
    for pattern, replacement in _PREFIXES:
        shorter = pattern.sub(replacement, name)
        if shorter != name:
            return shorter
    return name


def _style(label_vh: float) -> str:
    # Sizes in vh are of the map's own frame: the labels grow with the map, not the page.
    return f"""<style>
html, body {{margin: 0; overflow: hidden; background: {BACKGROUND}}}
#map_div, .folium-map {{height: 100vh !important; width: 100% !important}}
.leaflet-container {{background: {BACKGROUND} !important;
  font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif}}
.wall-label {{position: absolute; width: max-content; transform: translate(-50%, -50%);
  white-space: nowrap; pointer-events: none;
  color: #fff; font-weight: 700; font-size: {label_vh}vh; line-height: 1;
  text-shadow: 0 0 .25em #000, 0 0 .5em #000}}
.wall-label.small {{font-size: {label_vh * 0.72:.2f}vh}}
.wall-label.tiny {{font-size: {label_vh * 0.5:.2f}vh; font-weight: 600}}
.wall-legend {{background: rgba(11, 16, 22, .88); color: #e6edf3; padding: .8vh 1vh;
  border: 1px solid #30363d; border-radius: .6vh; font-size: {label_vh * 0.9:.2f}vh;
  line-height: 1.35}}
.wall-legend b {{display: block; margin-bottom: .4vh}}
.wall-legend i {{display: inline-block; width: 1.6em; height: .9em; margin-right: .5em;
  vertical-align: middle; border: 1px solid #8b949e}}
.wall-legend small {{display: block; margin-top: .4vh; color: #8b949e; font-size: .75em}}
.leaflet-control-scale-line {{background: rgba(11, 16, 22, .7); color: #c9d1d9;
  border-color: #8b949e}}
</style>"""


class _Legend(MacroElement):
    """A Leaflet control holding prepared, escaped HTML."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: {{ this.position }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "wall-legend");
                div.innerHTML = {{ this.html }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, html: str, position: str) -> None:
        super().__init__()
        self._name = "WallLegend"
        self.html = json.dumps(html)
        self.position = json.dumps(position)


def legend_html(
    title: str,
    bounds: list[float],
    colours: list[str],
    *,
    labels: list[str] | None = None,
    value_format: str = "{:,.0f}",
    suppressed_below: int | None = None,
    empty_label: str = "0",
    note: str = "",
) -> str:
    """The legend's rows: "0", the "<n" class when some area is suppressed, and each colour
    class (computed without the suppressed areas, so none is below n) with its stated range
    (labels, from geo.maps.class_labels), or "≤ bound" written with value_format."""
    rows = [f'<i style="background:{EMPTY_COLOUR}"></i>{safe_text.html(empty_label)}']
    if suppressed_below is not None:
        rows.append(f'<i style="background:{SUPPRESSED_COLOUR}"></i>&lt;{suppressed_below}')
    texts = labels if labels is not None else [f"≤ {value_format.format(b)}" for b in bounds]
    rows += [
        f'<i style="background:{colour}"></i>{safe_text.html(text)}'
        for text, colour in zip(texts, colours, strict=True)
    ]
    body = "<br>".join(rows)
    small = f"<small>{safe_text.html(note)}</small>" if note else ""
    return f"<b>{safe_text.html(title)}</b>{body}{small}"


def dress_for_wall(
    fig: folium.Map,
    areas: gpd.GeoDataFrame,
    legend: str,
    label_vh: float = 2.6,
    inset: str | None = None,
) -> folium.Map:
    """Dark background, the name of every area of areas (code, name, geometry: the areas of
    fig's layer, in its order) with none over another, the legend (HTML from legend_html) and,
    with inset (its title), the inset naming the small areas (geo/wall_labels.py)."""
    root = fig.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"a map's root is a branca Figure, not {type(root)}")
    root.header.add_child(folium.Element(_style(label_vh)))
    # Nobody zooms a wall: no buttons, and fractional zoom so the bounds fill the frame
    # (whole zoom levels leave up to half of it empty). No zoom animation: the first fit's
    # would end after the frame's own fit and undo it.
    fig.options.update(zoom_control=False, zoom_snap=0.1, zoom_animation=False)
    # With an inset, the city is drawn on the right and the left side holds the inset above
    # the legend; without one, the legend goes where the city leaves room, top right.
    fig.add_child(_Legend(legend, "bottomleft" if inset else "topright"))
    names = [short_name(name) for name in areas["name"]]
    add_labels(fig, areas, names, label_vh, BACKGROUND, inset)
    return fig
