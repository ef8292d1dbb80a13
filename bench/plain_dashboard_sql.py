"""Plain SQL for the same answers as the dashboards' queries: what bench/run.py compares ours
with (run through psycopg2 directly, or COPY … TO STDOUT for the export)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

HEAT_MAP_SQL = """
WITH declared AS (
    SELECT w.district_code AS code, sum(h.checkins) AS declarations, sum(h.at_risk) AS at_risk
    FROM ward_day h JOIN ward w ON w.code = h.ward_code
    WHERE h.day_start >= %(start)s AND h.day_start < %(end)s
    GROUP BY w.district_code
), cases AS (
    SELECT w.district_code AS code, count(*) AS cases
    FROM case_record c JOIN person p ON p.id = c.person_id JOIN ward w ON w.code = p.home_ward_code
    WHERE c.created_at >= %(start)s AND c.created_at < %(end)s AND c.status <> 'cleared'
    GROUP BY w.district_code
), active AS (
    SELECT w.district_code AS code, count(*) AS units
    FROM (SELECT DISTINCT venue_id FROM venue_day
          WHERE day_start >= %(start)s AND day_start < %(end)s) d
    JOIN venue v ON v.id = d.venue_id JOIN ward w ON w.code = v.ward_code
    GROUP BY w.district_code
)
SELECT d.code, n.name, d.declarations, d.at_risk, coalesce(c.cases, 0), coalesce(a.units, 0),
       d.at_risk::float / nullif(d.declarations, 0)
FROM declared d JOIN district n ON n.code = d.code
LEFT JOIN cases c ON c.code = d.code LEFT JOIN active a ON a.code = d.code
ORDER BY d.declarations DESC
"""

DENSITY_SQL = """
SELECT v.lat, v.lon, sum(d.checkins) AS weight
FROM venue_day d JOIN venue v ON v.id = d.venue_id
WHERE d.day_start >= %(start)s AND d.day_start < %(end)s
GROUP BY v.id, v.lat, v.lon ORDER BY weight DESC LIMIT 3000
"""

# Per local day of [start, end): check-ins, at risk, high risk (the daily ward rollup), active
# units (the daily venue rollup), new open cases and distinct traced contacts; a row for every day.
SERIES_SQL = """
WITH days AS (
    SELECT generate_series(%(first)s::int, %(last)s::int) AS day
), declared AS (
    SELECT (day_start + %(offset)s) / 86400 AS day, sum(checkins) AS n, sum(at_risk) AS risky,
           sum(high_risk) AS high
    FROM ward_day WHERE day_start >= %(start)s AND day_start < %(end)s GROUP BY 1
), active AS (
    SELECT (day_start + %(offset)s) / 86400 AS day, count(*) AS units
    FROM venue_day WHERE day_start >= %(start)s AND day_start < %(end)s GROUP BY 1
), cases AS (
    SELECT (created_at + %(offset)s) / 86400 AS day, count(*) AS n FROM case_record
    WHERE created_at >= %(start)s AND created_at < %(end)s AND status <> 'cleared' GROUP BY 1
), contacts AS (
    SELECT (traced_at + %(offset)s) / 86400 AS day, count(DISTINCT person_id) AS n
    FROM traced_contact WHERE traced_at >= %(start)s AND traced_at < %(end)s GROUP BY 1
)
SELECT days.day, coalesce(d.n, 0), coalesce(d.risky, 0), coalesce(d.high, 0),
       coalesce(c.n, 0), coalesce(t.n, 0), coalesce(a.units, 0)
FROM days LEFT JOIN declared d USING (day) LEFT JOIN active a USING (day)
LEFT JOIN cases c USING (day) LEFT JOIN contacts t USING (day)
ORDER BY days.day
"""
UNITS_SQL = """
SELECT sector, count(*) FROM venue WHERE active AND registered_on <= %(day)s GROUP BY sector
"""


# venue_hour is keyed by (hour_start, venue_id) (migration 0012): a venue's hours are probed
# one key per hour of the range.
TIMELINE_HOUR_SQL = """
SELECT h.hour_start, h.checkins, h.at_risk, coalesce(c.n, 0)
FROM venue_hour h LEFT JOIN (
    SELECT k.checked_in_at / 3600 * 3600 AS bucket, count(*) AS n FROM checkin k
    WHERE k.venue_id = %(venue)s AND k.checked_in_at >= %(start)s AND k.checked_in_at < %(end)s
      AND k.person_id IN (SELECT person_id FROM case_record WHERE status <> 'cleared')
    GROUP BY 1
) c ON c.bucket = h.hour_start
WHERE h.venue_id = %(venue)s AND h.hour_start = ANY(ARRAY(
    SELECT generate_series((%(start)s + 3599) / 3600 * 3600, %(end)s - 1, 3600)))
ORDER BY h.hour_start
"""
TIMELINE_15_SQL = """
SELECT k.checked_in_at / 900 * 900 AS bucket, count(*), count(*) FILTER (WHERE k.risk_level > 0),
       count(o.person_id)
FROM checkin k LEFT JOIN (
    SELECT DISTINCT person_id FROM case_record WHERE status <> 'cleared'
) o ON o.person_id = k.person_id
WHERE k.venue_id = %(venue)s AND k.checked_in_at >= %(start)s AND k.checked_in_at < %(end)s
GROUP BY 1 ORDER BY 1
"""

RISK_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (person_id) person_id, status, assignee FROM follow_up
    ORDER BY person_id, id DESC
)
SELECT k.id, k.person_id, k.checked_in_at, p.full_name, p.phone, v.name, w.name, k.risk_level,
       k.risk_reasons, coalesce(l.status, 'new'), coalesce(l.assignee, ''), count(*) OVER ()
FROM checkin k JOIN venue v ON v.id = k.venue_id JOIN ward w ON w.code = v.ward_code
JOIN person p ON p.id = k.person_id LEFT JOIN latest l ON l.person_id = k.person_id
WHERE k.checked_in_at >= %(start)s AND k.checked_in_at < %(end)s AND k.risk_level > 0
ORDER BY k.checked_in_at DESC, k.id DESC LIMIT 200
"""

# A trace's contact list: level, name, phone, first exposure (local), minutes, venues.
EXPORT_SELECT = """
SELECT CASE WHEN p.id %% 5 = 0 THEN 'F1' ELSE 'F2' END AS level, p.full_name, p.phone,
       to_char(to_timestamp(%(at)s + p.id %% 86400) AT TIME ZONE 'Asia/Ho_Chi_Minh',
               'YYYY-MM-DD"T"HH24:MI:SS+07:00') AS first_exposure,
       p.id %% 90 + 1 AS overlap_minutes, 'CDM-BD' AS venues
FROM person p ORDER BY p.id LIMIT %(rows)s
"""


def plain_rows_of(engine: Engine, sql: str, params: dict[str, Any]) -> list[tuple]:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        connection.rollback()
        return list(rows)
    finally:
        connection.close()


def plain_copy_out(engine: Engine, sql: str, params: dict[str, Any]) -> bytes:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        query = cursor.mogrify(sql, params).decode()
        buffer = _Sink()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
        connection.rollback()
        return buffer.data()
    finally:
        connection.close()


class _Sink:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes | str) -> None:
        self.parts.append(data.encode() if isinstance(data, str) else data)

    def data(self) -> bytes:
        return b"".join(self.parts)
