"""Map shapes: a validated boundary file, or Voronoi cells around the official ward centres."""

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box, mapping

from geo.admin_units import hcmc_districts, hcmc_wards
from geo.boundaries import BoundaryError, build_shapes, load_district_boundaries
from tests.conftest import SHARED_BOUNDARIES

DISTRICTS = pd.DataFrame([d.__dict__ for d in hcmc_districts()])
WARDS = pd.DataFrame([w.__dict__ for w in hcmc_wards()])


def squares_file(tmp_path, codes, column="district_code", name="districts.geojson"):
    """One 0.01° square per district code, around that district's centre."""
    centres = {d.code: (d.lon, d.lat) for d in hcmc_districts()}
    features = []
    for code in codes:
        lon, lat = centres.get(code, (106.7, 10.8))
        features.append(
            {
                "type": "Feature",
                "properties": {column: code},
                "geometry": mapping(box(lon - 0.005, lat - 0.005, lon + 0.005, lat + 0.005)),
            }
        )
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_a_complete_file_is_read_with_reference_names(tmp_path):
    path = squares_file(tmp_path, list(DISTRICTS["code"]))
    shapes = load_district_boundaries(path, DISTRICTS)
    assert len(shapes) == 22
    assert shapes.crs.to_epsg() == 4326
    assert shapes.iloc[0][["code", "name"]].tolist() == ["760", "Quận 1"]


def test_the_code_may_be_in_a_column_named_code(tmp_path):
    path = squares_file(tmp_path, list(DISTRICTS["code"]), column="code")
    assert len(load_district_boundaries(path, DISTRICTS)) == 22


@pytest.mark.parametrize(
    ("codes", "column", "message"),
    [
        (None, "ma_quan", "has no district code column (expected one of ['district_code', 'code']; found ['ma_quan'])"),
        ("drop 760, add 999", "district_code", "codes not in the reference: ['999']; reference districts missing: ['760']"),
        ("repeat 761", "district_code", "codes given more than once: ['761']"),
    ],
)  # fmt: skip
def test_code_mismatches_are_named(tmp_path, codes, column, message):
    all_codes = list(DISTRICTS["code"])
    if codes == "drop 760, add 999":
        all_codes = [c for c in all_codes if c != "760"] + ["999"]
    elif codes == "repeat 761":
        all_codes = all_codes + ["761"]
    path = squares_file(tmp_path, all_codes, column=column)
    with pytest.raises(BoundaryError) as raised:
        load_district_boundaries(path, DISTRICTS)
    assert message in str(raised.value)


def test_an_unreadable_file_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{ this is not json")
    with pytest.raises(BoundaryError, match="cannot read boundary file"):
        load_district_boundaries(path, DISTRICTS)


def test_a_projected_file_is_brought_to_lon_lat(tmp_path):
    path = squares_file(tmp_path, list(DISTRICTS["code"]))
    projected = gpd.read_file(path).to_crs("EPSG:32648")  # UTM 48N, as in census shapefiles
    gpkg = tmp_path / "districts.gpkg"
    projected.to_file(gpkg, driver="GPKG")
    shapes = load_district_boundaries(gpkg, DISTRICTS)
    assert shapes.crs.to_epsg() == 4326
    q1 = shapes.set_index("code").geometry["760"]
    assert q1.contains(Point(106.702825, 10.775388))


def test_without_a_file_voronoi_cells_tile_the_city():
    shapes = build_shapes(DISTRICTS, WARDS)
    assert shapes.source == "voronoi"
    assert len(shapes.districts) == 22 and len(shapes.wards) == 273
    district_of = dict(zip(shapes.districts["code"], shapes.districts.geometry, strict=True))
    ward_of = dict(zip(shapes.wards["code"], shapes.wards.geometry, strict=True))
    # The reference gives Phường 10 and Phường 11 of Quận 6 one centre: each still gets a cell.
    shared_centre = {"27364", "27385"}
    for w in hcmc_wards():
        centre = Point(w.lon, w.lat)
        assert district_of[w.district_code].contains(centre), w.code
        if w.code not in shared_centre:
            assert ward_of[w.code].contains(centre), w.code
    assert all(ward_of[code].area > 0 for code in shared_centre)
    assert ward_of["27364"].touches(ward_of["27385"])
    cells = shapes.wards.geometry.to_numpy()
    overlap = sum(c.area for c in cells) - shapely.union_all(cells).area
    assert abs(overlap) < 1e-9  # cells do not overlap


@pytest.mark.skipif(not SHARED_BOUNDARIES.is_file(), reason="../shared/geo is not on this machine")
def test_the_real_district_layer_matches_the_reference():
    shapes = build_shapes(DISTRICTS, WARDS, SHARED_BOUNDARIES)
    assert shapes.source == "boundary_file"
    assert sorted(shapes.districts["code"]) == sorted(DISTRICTS["code"])
    thu_duc = shapes.districts.set_index("code").to_crs("EPSG:32648").area["769"] / 1e6
    assert 205 < thu_duc < 215  # about 211.6 km², per SOURCE.md
    inside = sum(
        shapes.districts.set_index("code")
        .geometry[w.district_code]
        .buffer(0.002)
        .contains(Point(w.lon, w.lat))
        for w in hcmc_wards()
    )
    assert inside == 273  # every ward centre within ~200 m of its own district
    assert not shapes.wards.geometry.is_empty.any()
