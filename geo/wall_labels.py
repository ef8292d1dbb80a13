"""Area names on the wall map, none over another, and the inset that names the inner city.

At the city's scale the small central districts are a few centimetres of screen: their eleven
names drawn there pile into a knot. They are named in an inset instead, a second Leaflet map in
the frame's left side (the city, drawn as tall as the frame, leaves that room free) at a zoom
where their names fit, with the main map's own features and fill (its GeoJSON layer cloned, with
its style function) and a thin outline on the main map around the area the inset shows. Every
other name stays on the main map, larger areas first, unless it would touch a name already
placed, the legend or the inset: then it moves to the inset too, or, on a map without one (a
district's wards), is left out rather than drawn over another.

Placement runs in the browser, where the frame's size is known: after the first fit and again
whenever the frame resizes. Names arrive escaped (rules.safe_text); nothing is fetched.
"""

from __future__ import annotations

import json
import math
from typing import Any

import folium
import geopandas as gpd
from branca.element import Figure, MacroElement
from jinja2 import Template
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from rules import safe_text

# Inset names are the main map's full-size names, made smaller in steps only if some would
# still touch at that size; never below the last step (0.7 × 3.38 % of the frame's height).
INSET_SCALES = (1.0, 0.9, 0.8, 0.7)


def _anchors(geometry: BaseGeometry, count: int = 4) -> list[Point]:
    """Points where a shape's name may be centred, best first: the point farthest from its
    edges (of its largest part; a representative point may sit next to a border), then the
    points of a grid over it farthest from its edges, each well apart from those before, for
    when a name at the first would touch a neighbour's."""
    if isinstance(geometry, MultiPolygon):
        geometry = max(geometry.geoms, key=lambda part: part.area)
    if not isinstance(geometry, Polygon):
        raise TypeError(f"an area is a polygon or a multipolygon, not a {geometry.geom_type}")
    chosen = [polylabel(geometry, tolerance=1.0)]
    minx, miny, maxx, maxy = geometry.bounds
    step = max(maxx - minx, maxy - miny) / 10
    grid = [
        Point(minx + step * (i + 0.5), miny + step * (j + 0.5))
        for i in range(math.ceil((maxx - minx) / step))
        for j in range(math.ceil((maxy - miny) / step))
    ]
    inside = sorted(
        (point for point in grid if geometry.contains(point)),
        key=lambda point: -geometry.boundary.distance(point),
    )
    for point in inside:
        if len(chosen) == count:
            break
        if all(point.distance(other) >= 2.5 * step for other in chosen):
            chosen.append(point)
    return chosen


def label_data(areas: gpd.GeoDataFrame, names: list[str], inset: bool) -> list[dict[str, Any]]:
    """Each area's code, name (escaped), the points its name may be centred on (best first),
    bounds, size class on the main map, and whether the inset names it from the start (with
    an inset, the areas smaller than the median: the inner city's districts). Largest area
    first: the order in which the browser places them."""
    projected = areas.to_crs(3405)  # VN-2000 / UTM 48N: areas in m², distances in metres
    sizes = projected.geometry.area
    median = float(sizes.median())
    anchors = [_anchors(geometry) for geometry in projected.geometry]
    if areas.crs is None:
        raise ValueError("the areas have no coordinate reference system")
    projected_points = gpd.GeoSeries([p for some in anchors for p in some], crs=projected.crs)
    moved = projected_points.to_crs(areas.crs)
    points = iter(zip(moved.y.tolist(), moved.x.tolist(), strict=True))
    rows: list[dict[str, Any]] = []
    for code, name, size, some, geometry in zip(
        areas["code"], names, sizes, anchors, areas.geometry, strict=True
    ):
        west, south, east, north = geometry.bounds
        rows.append(
            {
                "code": str(code),
                "name": safe_text.html(name),
                "anchors": [[round(y, 6), round(x, 6)] for y, x in (next(points) for _ in some)],
                "bbox": [[round(south, 6), round(west, 6)], [round(north, 6), round(east, 6)]],
                "size": "" if size >= median else "small" if size >= median / 6 else "tiny",
                "inset": inset and size < median,
                "area": float(size),
            }
        )
    rows.sort(key=lambda row: -row["area"])
    return rows


def css(label_vh: float, background: str) -> str:
    return f"""<style>
.wall-inset {{position: absolute; z-index: 800; box-sizing: border-box; overflow: hidden;
  background: {background}; border: .25vh solid #c9d1d9; border-radius: .6vh}}
.wall-inset-title {{color: #e6edf3; font-weight: 700; font-size: {label_vh * 0.9:.2f}vh;
  line-height: 1.2; padding: .5vh 1vh; border-bottom: 1px solid #30363d}}
.wall-inset .leaflet-container {{background: {background} !important}}
.wall-inset .wall-label {{font-size: calc(var(--inset-scale, 1) * {label_vh}vh)}}
</style>"""


class WallLabels(MacroElement):
    """The names, the inset and the fit of both maps, redone whenever the frame resizes."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, geo, areas, bounds, insetTitle, scales) {
            var GAP = 3;  // px kept free between two names
            // Where a name may sit, in its own width and height from its anchor: on it, a
            // little above or below, a little aside.
            var NUDGES = [[0, 0], [0, -0.55], [0, 0.55], [-0.3, 0], [0.3, 0],
                          [-0.3, -0.55], [0.3, -0.55], [-0.3, 0.55], [0.3, 0.55]];
            var container = map.getContainer();
            function marker(area, css) {
                return L.marker(area.anchors[0], {
                    icon: L.divIcon({
                        html: '<div class="wall-label' + css + '">' + area.name + '</div>',
                        iconSize: [0, 0], className: 'wall-label-icon'}),
                    interactive: false, keyboard: false});
            }
            function box(m) { return m.getElement().firstChild.getBoundingClientRect(); }
            function free(r, taken) {
                return taken.every(function (t) {
                    return r.right + GAP <= t.left || t.right + GAP <= r.left ||
                        r.bottom + GAP <= t.top || t.bottom + GAP <= r.top;
                });
            }
            function within(r, b) {
                return r.left >= b.left && r.right <= b.right && r.top >= b.top &&
                    r.bottom <= b.bottom;
            }
            // The areas' shapes, to keep each name's centre over its own area.
            var shapes = {};
            geo.eachLayer(function (layer) {
                var g = layer.feature.geometry;
                shapes[layer.feature.properties.code] =
                    g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
            });
            function over(code, at) {
                var x = at.lng, y = at.lat, inside = false;
                (shapes[code] || []).forEach(function (polygon) {
                    polygon.forEach(function (ring) {
                        for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                            var a = ring[i], b = ring[j];
                            if ((a[1] > y) !== (b[1] > y) &&
                                x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) {
                                inside = !inside;
                            }
                        }
                    });
                });
                return inside;
            }
            // Put area's name on target at the first of its anchors and nudges where it touches
            // nothing taken, stays in frame and has its centre over the area; false if none.
            function place(target, m, area, taken, frame, loose) {
                m.setLatLng(area.anchors[0]).addTo(target);
                var el = m.getElement().firstChild, size = box(m);
                var origin = target.getContainer().getBoundingClientRect();
                var found = area.anchors.some(function (anchor) {
                    m.setLatLng(anchor);
                    return NUDGES.some(function (n) {
                        el.style.marginLeft = n[0] * size.width + 'px';
                        el.style.marginTop = n[1] * size.height + 'px';
                        var r = box(m);
                        var centre = target.containerPointToLatLng([
                            (r.left + r.right) / 2 - origin.left,
                            (r.top + r.bottom) / 2 - origin.top]);
                        if (free(r, taken) && within(r, frame) &&
                            (loose || over(area.code, centre))) {
                            taken.push(r);
                            return true;
                        }
                        return false;
                    });
                });
                if (!found) m.remove();
                return found;
            }
            var named = areas.map(function (a) { return marker(a, a.size ? ' ' + a.size : ''); });
            var panel = null, holder = null, inset = null, outline = null, shown = [];
            if (insetTitle !== null) {
                panel = L.DomUtil.create('div', 'wall-inset', container);
                L.DomEvent.disableClickPropagation(panel);
                L.DomEvent.disableScrollPropagation(panel);
                L.DomUtil.create('div', 'wall-inset-title', panel).innerHTML = insetTitle;
                holder = L.DomUtil.create('div', 'wall-inset-map', panel);
                inset = L.map(holder, {
                    zoomControl: false, attributionControl: false, dragging: false,
                    touchZoom: false, scrollWheelZoom: false, doubleClickZoom: false,
                    boxZoom: false, keyboard: false, zoomSnap: 0, zoomAnimation: false,
                    fadeAnimation: false, markerZoomAnimation: false});
                var copy = L.geoJSON(null, {style: geo.options.style, interactive: false});
                geo.eachLayer(function (layer) { copy.addData(layer.feature); });
                copy.addTo(inset);
                outline = L.rectangle(bounds, {
                    className: 'wall-inset-outline', color: '#c9d1d9', weight: 2,
                    dashArray: '6 4', fill: false, interactive: false});
            }

            // The inset's names at the first size where every one finds a place; at the
            // smallest, a name with no place over its own area may lean over a neighbour's.
            function placeInset(members) {
                var frame = holder.getBoundingClientRect();
                for (var s = 0; s < scales.length; s++) {
                    panel.style.setProperty('--inset-scale', scales[s]);
                    shown.forEach(function (m) { m.remove(); });
                    shown = [];
                    var taken = [], missing = [];
                    members.forEach(function (a) {
                        var m = marker(a, '');
                        if (place(inset, m, a, taken, frame, false)) shown.push(m);
                        else missing.push(a);
                    });
                    if (!missing.length) return;
                }
                missing.forEach(function (a) {
                    var m = marker(a, '');
                    if (place(inset, m, a, taken, frame, true)) shown.push(m);
                });
            }

            function layout() {
                map.invalidateSize(false);
                var size = map.getSize(), column = 0, margin = Math.round(size.y * 0.015);
                if (!size.x || !size.y) return;  // a frame not laid out yet
                if (panel) {
                    // The city as tall as the frame leaves room beside it: all of it on the left.
                    var zoom = map.getBoundsZoom(bounds, false);
                    var city = map.project([bounds[0][0], bounds[1][1]], zoom).x -
                        map.project([bounds[0][0], bounds[0][1]], zoom).x;
                    var legend = container.querySelector('.wall-legend');
                    var least = Math.max(size.x * 0.25,
                                         legend ? legend.offsetWidth + 2 * margin : 0);
                    column = Math.min(size.x * 0.5,
                                      Math.max(least, size.x - city - margin));
                }
                map.fitBounds(bounds, {animate: false, paddingTopLeft: [column, 0]});
                var frame = container.getBoundingClientRect();
                var blocked = [];
                container.querySelectorAll('.wall-legend').forEach(function (e) {
                    blocked.push(e.getBoundingClientRect());
                });
                if (panel) blocked.push({left: frame.left, top: frame.top,
                                         right: frame.left + column, bottom: frame.bottom});
                var members = [];
                areas.forEach(function (a, i) {
                    named[i].remove();
                    if (panel && a.inset) members.push(a);
                    else if (!place(map, named[i], a, blocked, frame, false) && panel) {
                        members.push(a);
                    }
                });
                if (!panel) return;
                if (!members.length) { panel.style.display = 'none'; outline.remove(); return; }
                panel.style.display = '';
                var area = L.latLngBounds([]);
                members.forEach(function (a) { area.extend(a.bbox); });
                var width = column - 2 * margin;
                var ne = map.project(area.getNorthEast(), 0);
                var sw = map.project(area.getSouthWest(), 0);
                var legend = container.querySelector('.wall-legend');
                var room = (legend ? legend.getBoundingClientRect().top - frame.top : size.y) -
                    2 * margin;
                panel.style.left = panel.style.top = margin + 'px';
                panel.style.width = width + 'px';
                holder.style.height = '0px';
                var height = Math.min(width * (sw.y - ne.y) / (ne.x - sw.x) * 1.08,
                                      room - panel.offsetHeight);
                // A frame not yet at its size (Streamlit sets the iframe's height after its
                // first drawing) has no room for an inset: Leaflet would fit it to NaN.
                var usable = height > 4 * margin + 20 && width > 4 * margin + 20;
                if (!usable) { panel.style.display = 'none'; outline.remove(); return; }
                holder.style.height = Math.round(height) + 'px';
                inset.invalidateSize(false);
                inset.fitBounds(area, {animate: false, padding: [margin, margin]});
                placeInset(members);
                outline.setBounds(inset.getBounds()).addTo(map);
                outline.setStyle({weight: Math.max(2, size.y / 300),
                                  dashArray: [size.y / 100, size.y / 150].join(' ')});
            }
            // streamlit_folium adds Leaflet's stylesheet to the page without waiting for it:
            // names measured before it applies sit in the wrong places and would all be
            // refused. Place them once it has, and again whenever a stylesheet loads.
            // data-wall-layout: the frame size the names were last placed for (for tests).
            function layoutWhenStyled() {
                if (getComputedStyle(map.getPane('mapPane')).position !== 'absolute') {
                    requestAnimationFrame(layoutWhenStyled);
                    return;
                }
                layout();
                container.dataset.wallLayout = map.getSize().x + 'x' + map.getSize().y;
            }
            document.querySelectorAll('link[rel=stylesheet]').forEach(function (link) {
                link.addEventListener('load', layoutWhenStyled);
            });
            new ResizeObserver(layoutWhenStyled).observe(container);
        })({{ this._parent.get_name() }}, {{ this.geojson }}, {{ this.areas }},
           {{ this.bounds }}, {{ this.title }}, {{ this.scales }});
        {% endmacro %}"""
    )

    def __init__(
        self, geojson: str, areas: list[dict], bounds: list[list[float]], title: str | None
    ) -> None:
        super().__init__()
        self._name = "WallLabels"
        self.geojson = geojson
        # Escaped names and numbers only; "</" cannot close the script even so.
        self.areas = json.dumps(areas).replace("</", "<\\/")
        self.bounds = json.dumps(bounds)
        self.title = json.dumps(safe_text.html(title) if title is not None else None)
        self.scales = json.dumps(INSET_SCALES)


def add_labels(
    fig: folium.Map,
    areas: gpd.GeoDataFrame,
    names: list[str],
    label_vh: float,
    background: str,
    inset: str | None,
) -> None:
    """Name every area of fig's GeoJSON layer (areas: its geometries, in its order of
    drawing; names: their labels); inset: the inset's title, or None for no inset."""
    geojson = next(c for c in fig._children.values() if isinstance(c, folium.GeoJson))
    root = fig.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"a map's root is a branca Figure, not {type(root)}")
    root.header.add_child(folium.Element(css(label_vh, background)))
    minx, miny, maxx, maxy = (float(v) for v in areas.total_bounds)
    fig.add_child(
        WallLabels(
            geojson.get_name(),
            label_data(areas, names, inset is not None),
            [[miny, minx], [maxy, maxx]],
            inset,
        )
    )
