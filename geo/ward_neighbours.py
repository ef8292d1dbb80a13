"""Which wards are neighbours: queen contiguity of the ward shapes the maps draw.

Two wards are neighbours when their shapes share at least one boundary point (queen contiguity,
libpysal's test of shared vertices, which on these shapes finds the same pairs as shapely's
touch test). The shapes are geo.boundaries.build_shapes's: Voronoi cells around the official
ward centres, clipped to the districts of a configured boundary file or to an outline of the
city. They tile the city, so every ward has neighbours; on the 273 wards the Voronoi cells give
about 5.7 neighbours a ward, the cells clipped to the real districts about 4.2 (a cell cut by a
district border leaves a gap where the two districts' cells do not meet).

A ward with no neighbour (an island: a ward whose shape touches no other, or a ward whose
neighbours are all left out of an analysis because they had no declaration) is never dropped:
it gets its ISLAND_NEIGHBOURS nearest wards by distance between centroids (in metres, UTM 48N)
as neighbours, both ways, and the result names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
from libpysal.weights import Queen, W

from geo.maps import city_shapes

ISLAND_NEIGHBOURS = 3
METRIC_CRS = "EPSG:32648"  # UTM zone 48N: metres, and HCMC lies inside it


@dataclass(frozen=True)
class WardGraph:
    """Queen neighbours of every ward (by ward code) and each ward's centroid in metres."""

    codes: tuple[str, ...]
    neighbours: Mapping[str, tuple[str, ...]]
    centroids: Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class WardWeights:
    """Binary spatial weights over some wards, in the order asked for; islands are the wards
    that had no queen neighbour among them and were given their nearest wards instead."""

    weights: W
    islands: tuple[str, ...]


def queen_graph(wards: gpd.GeoDataFrame) -> WardGraph:
    """The queen neighbours of wards (code, geometry; any CRS with lon/lat or metres)."""
    frame = wards.reset_index(drop=True)
    codes = [str(code) for code in frame["code"]]
    queen = Queen.from_dataframe(frame, ids=codes, use_index=False, silence_warnings=True)
    projected = frame.geometry.to_crs(METRIC_CRS) if frame.crs is not None else frame.geometry
    points = projected.centroid
    return WardGraph(
        codes=tuple(codes),
        neighbours={code: tuple(sorted(queen.neighbors[code])) for code in codes},
        centroids={
            code: (float(x), float(y)) for code, x, y in zip(codes, points.x, points.y, strict=True)
        },
    )


@lru_cache(maxsize=4)
def city_graph(boundary_file: str | None) -> WardGraph:
    """The city's 273 wards' neighbours, from the shapes the maps draw; built once per process
    (they depend only on the shapes)."""
    return queen_graph(city_shapes(boundary_file).wards)


def ward_weights(graph: WardGraph, codes: Iterable[str], k: int = ISLAND_NEIGHBOURS) -> WardWeights:
    """Binary weights over codes (wards of graph, in this order): queen neighbours among them,
    and for each ward with none there, its k nearest of them by centroid, both ways."""
    order = list(dict.fromkeys(codes))
    unknown = sorted(set(order) - set(graph.codes))
    if unknown:
        raise ValueError(f"wards not in the neighbour graph: {unknown}")
    chosen = set(order)
    neighbours = {
        code: [other for other in graph.neighbours[code] if other in chosen] for code in order
    }
    islands = tuple(code for code in order if not neighbours[code])
    if islands and len(order) > 1:
        xy = np.array([graph.centroids[code] for code in order])
        for island in islands:
            here = np.array(graph.centroids[island])
            distances = np.hypot(*(xy - here).T)
            nearest = sorted(range(len(order)), key=lambda i: (distances[i], order[i]))
            ranked = [order[i] for i in nearest if order[i] != island]
            for other in ranked[: min(k, len(order) - 1)]:
                if other not in neighbours[island]:
                    neighbours[island].append(other)
                if island not in neighbours[other]:
                    neighbours[other].append(island)
    weights = W(
        {code: sorted(found) for code, found in neighbours.items()},
        id_order=order,
        silence_warnings=True,
    )
    return WardWeights(weights, islands)
