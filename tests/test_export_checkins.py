"""Exporting a district's check-ins in the import format, and the round trip back in."""

import io
import shutil
from datetime import UTC, datetime, timedelta, timezone

import pytest

from db.engine import make_engine
from db.schema import checkin, person, venue
from ingest.exports import ExportError, export_checkins
from ingest.imports import import_checkins, import_venues
from tests.checkin_rows import stored_checkins
from tests.conftest import create_postgres_database, drop_postgres_database

SAIGON = timezone(timedelta(hours=7))
NOW = datetime(2021, 8, 20, 12, 0, tzinfo=UTC)
VENUES = """venue_ref,name,sector,kind,ward_code,address,lat,lon
CHO-1,Chợ Tân Định,public,market,26734,48 Hai Bà Trưng,10.7905,106.6905
CHO-2,Chợ Bến Thành,public,market,26743,Lê Lợi,10.7725,106.6980
BV-1,Bệnh viện Chợ Rẫy,health,hospital,27307,201B Nguyễn Chí Thanh,10.7579,106.6594
"""
# Quận 1 (760) has CHO-1 and CHO-2; BV-1 is in Quận 5.
CHECKINS = """external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms,exposures
M-3,CHO-2,0903123457,Trần Thị Bình,2021-08-01T09:05:00+07:00,2021-08-01T09:35:00+07:00,staff,cough;fever,case_contact
M-1,CHO-1,0903123456,Nguyễn Văn An,2021-08-01T08:10:00,,self,,
M-2,CHO-1,0903123456,"'=HYPERLINK(""http://x"";""An"")",2021-08-01T08:10:00,,proxy,,
M-4,CHO-1,0903123458,'@Lê Văn Cường,2021-08-01T23:59:59,,,,travel_abroad
M-5,CHO-1,0903123459,''Bé Na,2021-08-02T00:00:00,,advance,shortness_of_breath,
M-6,BV-1,0903123456,Nguyễn Văn An,2021-08-01T10:00:00,,,,
M-7,CHO-1,0903123456,Nguyễn Văn An,2021-07-31T23:59:59,,,,
M-8,CHO-2,0903123460,'-Phạm Thị Dung,2021-08-01T12:00:00Z,,,,
"""


def fill(engine):
    assert import_venues(engine, io.BytesIO(VENUES.encode())).created == 3
    report = import_checkins(engine, io.BytesIO(CHECKINS.encode()), source="moh", now=NOW)
    assert (report.imported, report.rejected) == (8, 0), report.errors


def export(engine, since, until, district="760"):
    out = io.StringIO()
    with engine.connect() as connection:
        rows = export_checkins(connection, district, since, until, out)
    return rows, out.getvalue()


def day(d, hour=0):
    return datetime(2021, 8, d, hour, tzinfo=SAIGON)


def test_the_export_is_the_import_format_in_time_order_with_offsets_and_safe_cells(engine):
    fill(engine)
    rows, text = export(engine, day(1), day(2))
    assert rows == 5
    assert text.splitlines() == [
        "external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms,"
        "exposures",
        "moh:M-1,CHO-1,'+84903123456,Nguyễn Văn An,2021-08-01T08:10:00+07:00,,self,,",
        'moh:M-2,CHO-1,\'+84903123456,"\'=HYPERLINK(""http://x"";""An"")",'
        "2021-08-01T08:10:00+07:00,,proxy,,",
        "moh:M-3,CHO-2,'+84903123457,Trần Thị Bình,2021-08-01T09:05:00+07:00,"
        "2021-08-01T09:35:00+07:00,staff,fever;cough,case_contact",
        "moh:M-8,CHO-2,'+84903123460,'-Phạm Thị Dung,2021-08-01T19:00:00+07:00,,,,",
        "moh:M-4,CHO-1,'+84903123458,'@Lê Văn Cường,2021-08-01T23:59:59+07:00,,,,travel_abroad",
    ]  # M-6 is in another district, M-7 and M-5 outside [since, until)


def test_the_window_is_half_open_and_other_districts_are_separate(engine):
    fill(engine)
    assert export(engine, day(2), day(3))[1].splitlines()[1:] == [
        "moh:M-5,CHO-1,'+84903123459,''Bé Na,2021-08-02T00:00:00+07:00,,advance,"
        "shortness_of_breath,"
    ]
    assert export(engine, day(1), day(2), district="774")[0] == 1  # Quận 5: M-6
    assert export(engine, day(1), day(2), district="761")[1].count("\n") == 1  # header only


@pytest.mark.parametrize(
    "since, until, district, message",
    [
        (day(2), day(1), "760", "until must be after since"),
        (datetime(2021, 8, 1), day(2), "760", "give since and until with a time zone"),
        (day(1), day(2), "999", "unknown district '999'"),
    ],
)
def test_bad_export_arguments(engine, since, until, district, message):
    with pytest.raises(ExportError, match=message):
        export(engine, since, until, district)


@pytest.fixture
def empty_engine(database_url, templates, tmp_path):
    """Another fresh database of the same engine as `engine`."""
    if database_url.startswith("sqlite"):
        path = tmp_path / "second.db"
        shutil.copy(templates["sqlite"], path)
        url = f"sqlite:///{path}"
    else:
        url = create_postgres_database(template=templates["postgresql"])
    second = make_engine(url)
    yield second
    second.dispose()
    if not url.startswith("sqlite"):
        drop_postgres_database(url)


def content(engine):
    """Every check-in as what it says, without the ids of the system that holds it."""
    return sorted(
        stored_checkins(
            engine, venue.c.venue_ref, person.c.phone, person.c.full_name,
            checkin.c.checked_in_at, checkin.c.checked_out_at, checkin.c.channel,
            checkin.c.symptoms, checkin.c.exposures, checkin.c.risk_level, checkin.c.risk_reasons,
            where=venue.c.ward_code.in_(["26734", "26743"]),
        )
    )  # fmt: skip


def test_export_then_import_into_an_empty_database_gives_the_same_rows(engine, empty_engine):
    fill(engine)
    rows, text = export(engine, day(1) - timedelta(days=1), day(3))
    assert import_venues(empty_engine, io.BytesIO(VENUES.encode())).created == 3
    report = import_checkins(empty_engine, io.StringIO(text), source="kbyt-q1", now=NOW)
    again = import_checkins(empty_engine, io.StringIO(text), source="kbyt-q1", now=NOW)

    assert (rows, report.imported, report.rejected) == (7, 7, 0)
    assert (again.imported, again.already_present) == (0, 7)  # overlapping exports: no doubles
    assert content(empty_engine) == content(engine)
    names = {row[2] for row in content(empty_engine)}
    assert {'=HYPERLINK("http://x";"An")', "@Lê Văn Cường", "'Bé Na", "-Phạm Thị Dung"} <= names


def test_an_empty_database_exports_a_header(engine):
    assert export(engine, day(1), day(2)) == (
        0,
        "external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms,"
        "exposures\n",
    )


def test_exports_stream_many_windows_in_order(engine):
    assert import_venues(engine, io.BytesIO(VENUES.encode())).created == 3
    header = CHECKINS.splitlines()[0]
    lines = [
        f"T-{i},CHO-{1 + i % 2},0903123456,Nguyễn Văn An,"
        f"{(day(1) + timedelta(minutes=37 * (99 - i))).isoformat()},,,,"
        for i in range(100)
    ]
    import_checkins(engine, io.StringIO("\n".join([header, *lines]) + "\n"), now=NOW)
    rows, text = export(engine, day(1), day(5))
    times = [line.split(",")[4] for line in text.splitlines()[1:]]
    assert rows == 100 and times == sorted(times)
