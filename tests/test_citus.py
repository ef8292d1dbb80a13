"""The same answers on a Citus cluster as on one PostgreSQL (issue 17, docs/scaling.md §5).

The cluster is the one ../shared/citus/citus-cluster runs on this machine (a coordinator on
5441, workers on 5442 and 5443; scripts/ensure-citus starts it before `make test`). Each test
builds the same demo city, from the same seed and end, into a new database on the cluster
(`init-db --citus`) and into a single-node one, and asks both the same questions.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import astuple
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from bench.citus_databases import COORDINATOR_URL, create_citus_database, drop_citus_database
from db.arrays import row_params
from db.citus import NotCitus, joins_by_index
from db.engine import make_engine
from db.schema import alert, case_record, checkin, person, venue
from ingest.demo_city import build_demo_city
from ingest.forms import validate_declarant
from ingest.imports import import_checkins
from queries.declarations import declare
from queries.heatmap import venue_density
from queries.integrity import orphan_checkins, rollup_mismatches, table_counts
from queries.kpis import area_table, daily_kpis, daily_series
from queries.retention import purge
from queries.risk import risk_list
from queries.setup import init_db
from queries.trace import ONWARD_COLUMNS, TraceRules, _onward_statement, case_window, trace
from queries.venues import venue_timeline, who_checked_in
from rules.access import Scope
from rules.local_time import CITY_ZONE
from tests.command_line import manage
from tests.conftest import create_postgres_database, drop_postgres_database

pytestmark = [pytest.mark.citus, pytest.mark.xdist_group("citus")]

# Local midnight, so that the city's days are whole local days.
END = datetime(2021, 8, 16, 0, 0, tzinfo=CITY_ZONE)
ADMIN = Scope("root", "admin")


def _cluster_available() -> None:
    try:
        with make_engine(COORDINATOR_URL).connect() as connection:
            workers = connection.scalar(text("SELECT count(*) FROM pg_dist_node"))
    except OperationalError as error:
        pytest.fail(
            f"the Citus cluster is not reachable at {COORDINATOR_URL} "
            f"({error.__class__.__name__}): run scripts/ensure-citus",
            pytrace=False,
        )
    assert workers, "the Citus coordinator knows no worker: run scripts/ensure-citus"


def _city_pair(templates: dict[str, str], checkins: int, days: int) -> Iterator[dict[str, Engine]]:
    """The same demo city on one PostgreSQL and on the cluster."""
    _cluster_available()
    name = f"kbyt_test_citus_{uuid.uuid4().hex[:8]}"
    urls = {
        "single": create_postgres_database(template=templates["postgresql"]),
        "citus": create_citus_database(name),
    }
    engines = {kind: make_engine(url) for kind, url in urls.items()}
    try:
        init_db(engines["citus"], citus=True)
        for engine in engines.values():
            build_demo_city(engine, checkins=checkins, days=days, seed=7, end=END)
        yield engines
    finally:
        for engine in engines.values():
            engine.dispose()
        drop_postgres_database(urls["single"])
        drop_citus_database(name)


@pytest.fixture(scope="module")
def cities(templates: dict[str, str]) -> Iterator[dict[str, Engine]]:
    """A 20,000 check-in, 7-day city on both; tests only read it."""
    yield from _city_pair(templates, 20_000, 7)


@pytest.fixture
def small_cities(templates: dict[str, str]) -> Iterator[dict[str, Engine]]:
    """A 3,000 check-in, 3-day city on both, for a test that writes."""
    yield from _city_pair(templates, 3_000, 3)


def both(cities: dict[str, Engine], question) -> tuple:
    """The question's answer on the single node and on the cluster."""
    answers = []
    for kind in ("single", "citus"):
        with cities[kind].connect() as connection:
            answers.append(question(connection))
    return tuple(answers)


def assert_same_frame(single: pd.DataFrame, citus: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(single.reset_index(drop=True), citus.reset_index(drop=True))


# --- the schema -----------------------------------------------------------------------------


def test_check_ins_and_venue_rollups_are_sharded_by_venue_together_and_lookups_copied(cities):
    with cities["citus"].connect() as connection:
        rows = connection.execute(
            text(
                "SELECT table_name::text, citus_table_type, distribution_column, colocation_id, "
                "shard_count "
                "FROM citus_tables WHERE citus_table_type <> 'local' "
                "AND table_name::text NOT LIKE 'checkin\\_p%' ORDER BY 1"
            )
        ).all()
    kinds = {name: (kind, column) for name, kind, column, _, _ in rows}
    assert kinds == {
        "checkin": ("distributed", "venue_id"),
        "venue_hour": ("distributed", "venue_id"),
        "venue_day": ("distributed", "venue_id"),
        "venue_activity": ("distributed", "venue_id"),
        "district": ("reference", "<none>"),
        "ward": ("reference", "<none>"),
        "venue": ("reference", "<none>"),
        "person": ("reference", "<none>"),
        "case_record": ("reference", "<none>"),
        "traced_contact": ("reference", "<none>"),
        "ward_hour": ("reference", "<none>"),
        "ward_day": ("reference", "<none>"),
    }
    sharded = {
        (colocation, shards) for _, kind, _, colocation, shards in rows if kind == "distributed"
    }
    assert len(sharded) == 1  # one colocation group
    assert sharded.pop()[1] == 4  # two shards for each of the two workers


def test_each_day_of_check_ins_is_a_partition_sharded_like_its_parent(cities):
    with cities["citus"].connect() as connection:
        partitions = connection.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE p.colocationid = parent.colocationid) "
                "FROM pg_inherits i JOIN pg_dist_partition p ON p.logicalrelid = i.inhrelid "
                "JOIN pg_dist_partition parent ON parent.logicalrelid = i.inhparent "
                "WHERE i.inhparent = 'checkin'::regclass"
            )
        ).one()
    assert partitions[0] >= 7 and partitions[0] == partitions[1]


def test_the_same_city_is_stored_and_its_rollups_equal_the_raw_check_ins(cities):
    single, citus = both(cities, table_counts)
    assert citus == single and single["checkin"] == 20_000
    with cities["citus"].connect() as connection:
        assert rollup_mismatches(connection) == []
        assert orphan_checkins(connection) == 0


# --- the questions --------------------------------------------------------------------------


def test_every_case_traces_to_the_same_f1_and_f2(cities):
    rules = TraceRules()
    with cities["single"].connect() as connection:
        cases = connection.execute(select(case_record).order_by(case_record.c.id)).all()
    assert len(cases) >= 10
    f2_total = 0
    for case in cases:
        since, until = case_window(case, rules, END)

        def traced(connection, case=case, since=since, until=until):
            return trace(connection, case.person_id, since, until, rules, depth=2)

        single, citus = both(cities, traced)
        assert [astuple(v) for v in citus.visits] == [astuple(v) for v in single.visits]
        assert list(citus.contacts) == list(single.contacts), f"case {case.id}"
        f2_total += len(single.level(2))
    assert f2_total > 0


def test_the_kpis_heat_map_and_density_layer_are_the_same(cities):
    last = (END - timedelta(days=1)).astimezone(CITY_ZONE).date()
    first = last - timedelta(days=6)
    for day in (first, last):
        single, citus = both(cities, lambda c, day=day: daily_kpis(c, day, CITY_ZONE, None))
        assert citus == single
    single, citus = both(cities, lambda c: daily_series(c, first, last, CITY_ZONE, None))
    assert_same_frame(single, citus)
    with cities["single"].connect() as connection:
        in_range = connection.scalar(
            select(func.count()).where(
                checkin.c.checked_in_at >= datetime.combine(first, datetime.min.time(), CITY_ZONE),
                checkin.c.checked_in_at < END,
            )
        )
    assert single["declarations"].sum() == in_range > 19_000
    for by in ("district", "ward"):
        single, citus = both(
            cities, lambda c, by=by: area_table(c, first, last, CITY_ZONE, None, by)
        )
        assert_same_frame(single, citus)
    with cities["single"].connect() as connection:
        go_vap = frozenset(
            connection.scalars(text("SELECT code FROM ward WHERE district_code = '764'"))
        )
    assert len(go_vap) > 5
    single, citus = both(cities, lambda c: area_table(c, first, last, CITY_ZONE, go_vap, "ward"))
    assert_same_frame(single, citus)
    single, citus = both(cities, lambda c: venue_density(c, first, last, CITY_ZONE, None))
    assert_same_frame(single, citus)


def _busiest_venues(engine: Engine, count: int) -> list[int]:
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(checkin.c.venue_id)
                .group_by(checkin.c.venue_id)
                .order_by(func.count().desc(), checkin.c.venue_id)
                .limit(count)
            )
        )


def test_venue_timelines_and_who_was_there_are_the_same(cities):
    start, end = END - timedelta(days=7), END
    venues = _busiest_venues(cities["single"], 5)
    assert _busiest_venues(cities["citus"], 5) == venues
    for venue_id in venues:
        for minutes in (60, 15):
            single, citus = both(
                cities, lambda c, v=venue_id, m=minutes: venue_timeline(c, v, start, end, m)
            )
            assert_same_frame(single, citus)
        for page in (0, 1):
            single, citus = both(
                cities,
                lambda c, v=venue_id, p=page: who_checked_in(c, v, start, end, ADMIN, p, 50),
            )
            assert (citus.total, citus.masked) == (single.total, single.masked)
            assert_same_frame(single.rows, citus.rows)


def test_the_risk_list_is_the_same_page_by_page(cities):
    start, end = END - timedelta(days=7), END
    for level in (None, 2):
        for offset in (0, 100):
            single, citus = both(
                cities,
                lambda c, lv=level, o=offset: risk_list(
                    c, start, end, None, ADMIN, level=lv, limit=100, offset=o
                ),
            )
            assert citus[1] == single[1] and single[1] > 0
            assert_same_frame(single[0], citus[0])


# --- writes ---------------------------------------------------------------------------------


def _import_file(engine: Engine) -> bytes:
    """150 check-ins on the city's last day: known people at its venues, new people, and five
    rows that must be refused, plus one external id given twice."""
    with engine.connect() as connection:
        refs = list(connection.scalars(select(venue.c.venue_ref).order_by(venue.c.id).limit(40)))
        known = connection.execute(
            select(person.c.phone, person.c.full_name).order_by(person.c.id).limit(60)
        ).all()
    day = END - timedelta(hours=20)
    lines = ["external_id,venue_ref,phone,full_name,checked_in_at,checked_out_at,channel,symptoms"]
    for n in range(150):
        phone, name = known[n] if n < 60 else (f"09{n:08d}", f"Người Mới {n}")
        at = (day + timedelta(minutes=7 * n)).isoformat()
        symptoms = "fever" if n % 10 == 0 else ""
        lines.append(f"p-{n},{refs[n % 40]},{phone},{name},{at},,import,{symptoms}")
    lines += [
        f"p-bad-1,NO-SUCH-VENUE,0912345678,Ai Đó,{day.isoformat()},,import,",
        f"p-bad-2,{refs[0]},12,Ai Đó,{day.isoformat()},,import,",
        f"p-bad-3,{refs[0]},0912345678,Ai Đó,not a time,,import,",
        f"p-bad-4,{refs[0]},0912345678,,{day.isoformat()},,import,",
        f"p-bad-5,{refs[0]},0912345678,Ai Đó,{day.isoformat()},,import,cough;no-such-symptom",
        f"p-7,{refs[1]},0912345678,Lặp Lại,{day.isoformat()},,import,",
    ]
    return ("\n".join(lines) + "\n").encode()


def test_an_import_stores_and_refuses_the_same_rows_and_is_idempotent(small_cities):
    data = _import_file(small_cities["single"])
    reports = {}
    for kind, engine in small_cities.items():
        first = import_checkins(engine, io.BytesIO(data), source="partner", chunk_size=40, now=END)
        again = import_checkins(engine, io.BytesIO(data), source="partner", now=END)
        reports[kind] = (first, again)
    single, citus = reports["single"], reports["citus"]
    for report in (single[0], citus[0]):
        assert (report.read, report.imported, report.already_present, report.rejected) == (
            156,
            150,
            1,  # p-7 a second time
            5,
        )
    assert [(e.line, e.reasons) for e in citus[0].errors] == [
        (e.line, e.reasons) for e in single[0].errors
    ]
    for report in (single[1], citus[1]):  # the repeat of p-7 too, this time
        assert (report.imported, report.already_present) == (0, 151)

    def imported_rows(connection):
        return connection.execute(
            select(
                checkin.c.external_id, checkin.c.venue_id, checkin.c.person_id,
                checkin.c.checked_in_at, checkin.c.risk_level, checkin.c.risk_reasons,
            )
            .where(checkin.c.source == "partner")
            .order_by(checkin.c.external_id)
        ).all()  # fmt: skip

    single_rows, citus_rows = both(small_cities, imported_rows)
    assert citus_rows == single_rows and len(single_rows) == 150
    assert both(small_cities, table_counts)[0] == both(small_cities, table_counts)[1]
    with small_cities["citus"].connect() as connection:
        assert rollup_mismatches(connection) == []


def test_the_purge_deletes_the_same_rows_and_drops_the_same_days(small_cities):
    """(The rollups keep the purged days' counts, on both.)"""
    now = END + timedelta(days=1)
    reports = {}
    for kind, engine in small_cities.items():
        with engine.begin() as connection:
            reports[kind] = purge(connection, now, retention_days=2)
    assert reports["citus"] == reports["single"]
    assert reports["single"].checkins > 0 and reports["single"].partitions_dropped >= 1
    single, citus = both(small_cities, table_counts)
    assert citus == single
    with small_cities["citus"].connect() as connection:
        remaining = connection.scalar(select(func.min(checkin.c.checked_in_at)))
    assert remaining >= now - timedelta(days=2)


def test_declarations_store_alert_and_confirm_the_same(small_cities):
    with small_cities["single"].connect() as connection:
        venues = list(connection.scalars(select(venue.c.id).order_by(venue.c.id).limit(2)))
        case = connection.execute(
            select(person.c.full_name, person.c.phone)
            .join(case_record, case_record.c.person_id == person.c.id)
            .order_by(case_record.c.id)
            .limit(1)
        ).one()
    at = END - timedelta(hours=2)
    an, errors = validate_declarant("Nguyễn Văn An", "0903000001", symptoms=("cough",))
    binh, more = validate_declarant("Trần Thị Bình", "0903000002", exposures=("lockdown_area",))
    known, known_errors = validate_declarant(case.full_name, case.phone)
    assert errors == more == known_errors == {}

    def declarations(connection):
        return [
            declare(connection, venues[0], [an], "self", at, "s1", b"key"),
            declare(connection, venues[0], [binh, an], "proxy", at, "s2", b"key", declared_by=an),
            declare(connection, venues[1], [known], "self", at, "s3", b"key"),
            declare(connection, venues[1], [known], "self", at, "s3", b"key"),  # a double tap
        ]

    answers = {}
    for kind, engine in small_cities.items():
        with engine.begin() as connection:
            answers[kind] = declarations(connection)
    assert answers["citus"] == answers["single"]

    def stored(connection):
        return (
            connection.execute(
                select(checkin.c.venue_id, checkin.c.channel, checkin.c.risk_level)
                .where(checkin.c.checked_in_at == at)
                .order_by(checkin.c.id)
            ).all(),
            connection.execute(select(alert.c.reason).order_by(alert.c.id)).all(),
        )

    single, citus = both(small_cities, stored)
    assert citus == single and len(single[0]) == 4
    assert ("open_case",) in single[1]
    with small_cities["citus"].connect() as connection:
        assert rollup_mismatches(connection) == []


# --- where the work goes --------------------------------------------------------------------


def _plan(engine: Engine, sql: str, params: dict) -> str:
    with engine.connect() as connection:
        return "\n".join(connection.execute(text(f"EXPLAIN (COSTS OFF) {sql}"), params).scalars())


def test_a_venue_s_check_ins_are_read_from_one_shard_and_a_person_s_from_every_shard(cities):
    [venue_id] = _busiest_venues(cities["citus"], 1)
    with cities["citus"].connect() as connection:
        person_id = connection.scalar(
            select(checkin.c.person_id).where(checkin.c.venue_id == venue_id).limit(1)
        )
        shards = connection.scalar(
            text("SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'checkin'::regclass")
        )
    at_venue = _plan(
        cities["citus"],
        "SELECT person_id FROM checkin WHERE venue_id = :v AND checked_in_at >= :t",
        {"v": venue_id, "t": int((END - timedelta(days=1)).timestamp())},
    )
    assert "Custom Scan (Citus Adaptive)" in at_venue and "Task Count: 1" in at_venue
    by_person = _plan(
        cities["citus"],
        "SELECT venue_id FROM checkin WHERE person_id = :p",
        {"p": person_id},
    )
    assert f"Task Count: {shards}" in by_person and shards > 1


def test_the_f1s_onward_visits_are_read_by_index_on_every_shard(cities):
    """Each shard joins the F1s to its check-ins by index probes, not by hashing them (what
    one PostgreSQL gets from LATERAL … OFFSET 0); the settings last only for that read."""
    statement = _onward_statement("postgresql", citus=True)
    with cities["citus"].connect() as connection:
        people = np.array(
            connection.scalars(select(person.c.id).order_by(person.c.id).limit(2_000)).all()
        )
        zeros = np.zeros(len(people), dtype=np.int64)
        compiled = statement.compile(dialect=connection.dialect)
        sql = str(compiled)
        params = {
            **compiled.params,
            **row_params("postgresql", "onward", ONWARD_COLUMNS, [people, zeros, zeros]),
            "until": int(END.timestamp()),
        }
        with joins_by_index(connection):
            plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {sql}", params).scalars())
            rows = len(connection.exec_driver_sql(sql, params).all())
        after = connection.exec_driver_sql("SHOW enable_hashjoin").scalar()
    assert "Task Count: 4" in plan and "Nested Loop" in plan
    assert "Hash Join" not in plan and "Merge Join" not in plan
    assert rows > 0 and after == "on"
    with cities["single"].connect() as connection:  # the same rows as one PostgreSQL's
        assert len(connection.exec_driver_sql(sql, params).all()) == rows


def test_init_db_citus_on_a_database_without_the_extension_says_what_to_do(templates):
    url = create_postgres_database(template=templates["postgresql"])
    engine = make_engine(url)
    try:
        with pytest.raises(NotCitus, match="CREATE EXTENSION citus"):
            init_db(engine, citus=True)
    finally:
        engine.dispose()
        drop_postgres_database(url)


def test_init_db_citus_from_the_command_line_distributes_and_refuses_what_cannot_be(
    templates, tmp_path
):
    name = f"kbyt_test_citus_{uuid.uuid4().hex[:8]}"
    url = create_citus_database(name)
    try:
        made = manage("init-db", "--citus", "--shard-count", "2", database_url=url)
        again = manage("init-db", "--citus", database_url=url)
        with_sqlite = manage("init-db", "--citus", database_url=f"sqlite:///{tmp_path}/k.db")
        without_citus = manage("init-db", "--shard-count", "2", database_url=url)
    finally:
        drop_citus_database(name)
    assert made.returncode == 0, made.stderr
    assert "Citus: checkin: distributed by venue_id in 2 shards" in made.stdout
    assert "Citus: person: reference table" in made.stdout
    assert again.returncode == 0 and "Citus:" not in again.stdout  # nothing left to do
    assert with_sqlite.returncode == 2
    assert "needs a PostgreSQL URL of a Citus coordinator" in with_sqlite.stderr
    assert without_citus.returncode == 2
    assert "--shard-count goes with --citus" in without_citus.stderr
