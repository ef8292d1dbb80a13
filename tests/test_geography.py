"""The reference geography of Ho Chi Minh City, as loaded into both databases."""

from sqlalchemy import Connection, func, select

from db.schema import district, ward
from geo.admin_units import hcmc_districts, hcmc_wards, inside_hcmc
from queries.geography import list_districts, list_wards, load_geography


def geography_counts(connection: Connection) -> tuple[int, int]:
    """(districts, wards) in the database."""
    return (
        connection.scalar(select(func.count()).select_from(district)) or 0,
        connection.scalar(select(func.count()).select_from(ward)) or 0,
    )


def test_22_districts_and_273_wards():
    districts, wards = hcmc_districts(), hcmc_wards()
    assert len(districts) == 22
    assert len(wards) == 273
    assert {d.code for d in districts} == {
        "760", "761", "764", "765", "766", "767", "768", "769", "770", "771", "772",
        "773", "774", "775", "776", "777", "778", "783", "784", "785", "786", "787",
    }  # fmt: skip
    assert {w.district_code for w in wards} == {d.code for d in districts}
    assert all(len(w.code) == 5 and w.code.isdigit() for w in wards)
    assert all(inside_hcmc(w.lat, w.lon) for w in wards)


def test_names_are_official_and_nfc():
    by_code = {d.code: d for d in hcmc_districts()}
    assert by_code["760"].name == "Quận 1"
    assert by_code["769"].name == "Thành phố Thủ Đức"
    assert by_code["787"].name == "Huyện Cần Giờ"
    wards = {w.code: w for w in hcmc_wards()}
    assert wards["26734"].name == "Phường Tân Định"
    assert wards["26734"].district_code == "760"
    assert wards["27580"].name == "Xã Tân Xuân"
    assert sum(1 for w in wards.values() if w.district_code == "769") == 34


def test_the_database_holds_the_reference(engine):
    with engine.connect() as connection:
        assert geography_counts(connection) == (22, 273)
        wards = list_wards(connection, district_code="760")
        assert len(wards) == 10
        assert list_districts(connection).iloc[0].to_dict() == {
            "code": "760", "name": "Quận 1", "kind": "Quận", "lat": 10.775388, "lon": 106.702825,
        }  # fmt: skip


def test_loading_again_changes_nothing(engine):
    with engine.begin() as connection:
        load_geography(connection, hcmc_districts(), hcmc_wards())
    with engine.connect() as connection:
        assert geography_counts(connection) == (22, 273)
        assert connection.scalar(select(ward.c.name).where(ward.c.code == "26743")) == (
            "Phường Bến Thành"
        )
        assert connection.scalar(select(district.c.kind).where(district.c.code == "783")) == (
            "Huyện"
        )
