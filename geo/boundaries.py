"""Shapes for maps: district polygons from a boundary file, or an honest approximation.

A boundary file (GeoJSON, GeoPackage or Shapefile, read with geopandas) must carry the official
3-digit district code in a column named ``district_code`` (or ``code``). Its codes are checked
against the reference: an unknown, missing or repeated code is an error naming the codes.

Without a file, districts and wards are drawn as Voronoi cells around the official ward centres,
clipped to the city's outline and dissolved by district. They are correct in topology (every
ward and district has one cell, cells tile the city) but approximate in shape; maps say so.
No ward polygons under an open licence are available, so ward shapes are always such cells,
clipped to the district polygons when a boundary file gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point

CODE_COLUMNS = ("district_code", "code")
ShapeSource = Literal["boundary_file", "voronoi"]


class BoundaryError(ValueError):
    """The boundary file cannot be used; the message says why, naming codes or columns."""


@dataclass(frozen=True)
class Shapes:
    """District and ward polygons (EPSG:4326) and where they came from."""

    districts: gpd.GeoDataFrame  # code, name, geometry
    wards: gpd.GeoDataFrame  # code, district_code, name, geometry
    source: ShapeSource
    attribution: str = ""


def load_district_boundaries(path: Path, districts: pd.DataFrame) -> gpd.GeoDataFrame:
    """Read and validate a district boundary file against the reference districts
    (a frame with code and name)."""
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # pyogrio raises several kinds for unreadable files
        raise BoundaryError(f"cannot read boundary file {path}: {error}") from None
    column = next((c for c in CODE_COLUMNS if c in frame.columns), None)
    if column is None:
        raise BoundaryError(
            f"boundary file {path} has no district code column (expected one of "
            f"{list(CODE_COLUMNS)}; found {sorted(c for c in frame.columns if c != 'geometry')})"
        )
    codes = frame[column].astype(str).str.strip()
    reference = set(districts["code"])
    unknown = sorted(set(codes) - reference)
    missing = sorted(reference - set(codes))
    repeated = sorted(codes[codes.duplicated()].unique())
    problems = []
    if unknown:
        problems.append(f"codes not in the reference: {unknown}")
    if missing:
        problems.append(f"reference districts missing: {missing}")
    if repeated:
        problems.append(f"codes given more than once: {repeated}")
    empty = sorted(codes[frame.geometry.is_empty | frame.geometry.isna()])
    if empty:
        problems.append(f"districts without a geometry: {empty}")
    if problems:
        raise BoundaryError(f"boundary file {path}: " + "; ".join(problems))
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    names = dict(zip(districts["code"], districts["name"], strict=True))
    result = gpd.GeoDataFrame(
        {
            "code": codes.to_numpy(),
            "name": [names[c] for c in codes],
            "geometry": shapely.make_valid(frame.geometry.to_numpy()),
        },
        crs="EPSG:4326",
    )
    return result.sort_values("code").reset_index(drop=True)


def city_outline(wards: pd.DataFrame) -> shapely.Geometry:
    """A plausible outline of the city around all ward centres (about 2 km beyond them)."""
    points = MultiPoint(
        [Point(lon, lat) for lon, lat in zip(wards["lon"], wards["lat"], strict=True)]
    )
    return shapely.concave_hull(points, ratio=0.35).buffer(0.02)


def voronoi_wards(wards: pd.DataFrame, clip_to: shapely.Geometry) -> gpd.GeoDataFrame:
    """One cell per ward centre (points nearer that centre than any other), clipped."""
    points = _distinct_points(wards)
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=clip_to, ordered=True)
    geometries = [cell.intersection(clip_to) for cell in cells.geoms]
    return gpd.GeoDataFrame(
        {
            "code": wards["code"].to_numpy(),
            "district_code": wards["district_code"].to_numpy(),
            "name": wards["name"].to_numpy(),
            "geometry": geometries,
        },
        crs="EPSG:4326",
    )


def _distinct_points(wards: pd.DataFrame) -> list[Point]:
    """Ward centres, nudged about 10 m apart where the reference gives two wards one centre."""
    seen: dict[tuple[float, float], int] = {}
    points = []
    for lon, lat in zip(wards["lon"], wards["lat"], strict=True):
        repeats = seen.get((lon, lat), 0)
        seen[(lon, lat)] = repeats + 1
        points.append(Point(lon + repeats * 1e-4, lat + repeats * 1e-4))
    return points


def build_shapes(
    districts: pd.DataFrame, wards: pd.DataFrame, boundary_file: Path | None = None
) -> Shapes:
    """District and ward shapes from the boundary file when given, Voronoi cells otherwise."""
    if boundary_file is not None:
        real = load_district_boundaries(boundary_file, districts)
        outline = shapely.union_all(real.geometry.to_numpy())
        cells = voronoi_wards(wards, outline.buffer(0.0005))
        # A ward's cell is kept inside its own district's polygon.
        by_code = dict(zip(real["code"], real.geometry, strict=True))
        cells["geometry"] = gpd.GeoSeries(
            [
                cell.intersection(by_code[district])
                for cell, district in zip(cells.geometry, cells["district_code"], strict=True)
            ],
            index=cells.index,
            crs=cells.crs,
        )
        return Shapes(real, cells, "boundary_file")
    cells = voronoi_wards(wards, city_outline(wards))
    dissolved = cells.dissolve(by="district_code").reset_index()
    names = dict(zip(districts["code"], districts["name"], strict=True))
    district_shapes = gpd.GeoDataFrame(
        {
            "code": dissolved["district_code"],
            "name": [names[c] for c in dissolved["district_code"]],
            "geometry": dissolved.geometry,
        },
        crs="EPSG:4326",
    )
    return Shapes(district_shapes, cells, "voronoi")
