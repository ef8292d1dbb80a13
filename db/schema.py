"""The database schema as SQLAlchemy Core tables; migrations in db/migrations build it.

Instants are UtcInstant columns (db.columns): UTC epoch seconds on both engines, aware datetimes
at the Python edge.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.sql.expression import true

from db.columns import Id, UtcInstant, metadata

CHANNELS = ("self", "proxy", "staff", "advance", "import")
CASE_STATUSES = ("suspected", "confirmed", "cleared")
# Roles and follow-up statuses are defined once, with their rules (rules.access, rules.follow_up);
# the CHECK constraints below spell the same lists for the database.

district = Table(
    "district",
    metadata,
    Column("code", String(3), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # Quận, Huyện, Thành phố
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
)

ward = Table(
    "ward",
    metadata,
    Column("code", String(5), primary_key=True),
    Column("district_code", String(3), ForeignKey("district.code"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # Phường, Xã, Thị trấn
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
)

venue = Table(
    "venue",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token", String(32), nullable=False, unique=True),
    Column("venue_ref", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    # The name without accents or case (rules.text.search_key), kept by the write path.
    Column("search_name", String(200), nullable=False, server_default="", index=True),
    Column("sector", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("address", String(300), nullable=False, server_default=""),
    Column("ward_code", String(5), ForeignKey("ward.code"), nullable=False, index=True),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("dwell_minutes", Integer, nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
    # What staff do when a risky person arrives; empty means the city's default procedure.
    Column("procedure", Text, nullable=False, server_default=""),
    # The most people it should hold at once, as declared (0015); none: not declared. The
    # crowding alert compares its last hour's check-ins with a share of it (rules.crowding).
    Column("capacity", Integer),
    CheckConstraint("sector IN ('health','government','enterprise','public')", name="sector"),
    CheckConstraint("dwell_minutes BETWEEN 1 AND 1440", name="dwell"),
    CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
)

person = Table(
    "person",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("phone", String(16), nullable=False),
    Column("full_name", String(120), nullable=False),
    Column("id_number", String(20)),
    Column("birth_year", SmallInteger),
    Column("home_ward_code", String(5), ForeignKey("ward.code")),
    # Dependants are declared under a relative's phone: phone and name together identify.
    UniqueConstraint("phone", "full_name"),
)

# Import keys (source, external_id) compare byte by byte on PostgreSQL: COLLATE "C" is cheaper
# to index than the database's linguistic collation, and identifiers need no linguistic order.
ByteText40 = String(40).with_variant(String(40, collation="C"), "postgresql")
ByteText80 = String(80).with_variant(String(80, collation="C"), "postgresql")

# The fact table has no foreign keys: per-row referential checks cost ~45 % of load time at
# city scale, and the write path already resolves every person and venue id inside the same
# transaction. `manage.py check` (queries.integrity.orphan_checkins) verifies it.
#
# On PostgreSQL (migration 0005) this table is PARTITION BY RANGE (checked_in_at), one partition
# per local day (db.partitions), and its primary key is (id, checked_in_at, venue_id): a key of
# a partitioned table must hold the partition key, and venue_id lets it be distributed by venue
# (docs/scaling.md); ids come from one sequence, so id alone is still unique. SQLite keeps one
# table with id as its key. Imports are idempotent on (source, external_id) through
# checkin_key below, not through a unique constraint here. follow_up.checkin_id's foreign key
# exists on SQLite only (PostgreSQL cannot reference a partitioned table without a unique id):
# retention clears the link itself.
checkin = Table(
    "checkin",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("person_id", BigInteger, nullable=False),
    Column("venue_id", BigInteger, nullable=False),
    Column("checked_in_at", UtcInstant, nullable=False),
    Column("checked_out_at", UtcInstant),
    Column("channel", String(10), nullable=False),
    Column("declared_by_person_id", BigInteger),
    Column("symptoms", String(200), nullable=False, server_default=""),  # ';'-separated
    Column("exposures", String(100), nullable=False, server_default=""),  # ';'-separated
    Column("risk_level", SmallInteger, nullable=False, server_default="0"),
    Column("risk_reasons", String(400), nullable=False, server_default=""),
    Column("source", ByteText40, nullable=False, server_default="kbyt"),
    Column("external_id", ByteText80),
    CheckConstraint(
        "checked_out_at IS NULL OR checked_out_at >= checked_in_at", name="out_after_in"
    ),
    CheckConstraint("channel IN ('self','proxy','staff','advance','import')", name="channel"),
    CheckConstraint("risk_level BETWEEN 0 AND 2", name="risk_level"),
)
# Trace and venue timeline: a venue's check-ins in a bounded time range, answered from the
# index alone on PostgreSQL (time out and person are INCLUDEd).
Index(
    "ix_checkin_venue_time",
    checkin.c.venue_id,
    checkin.c.checked_in_at,
    postgresql_include=["checked_out_at", "person_id"],
)
# A case's own visits.
Index("ix_checkin_person_time", checkin.c.person_id, checkin.c.checked_in_at)
# Retention: whether a person still has check-ins declared for others.
Index(
    "ix_checkin_declared_by",
    checkin.c.declared_by_person_id,
    postgresql_where=checkin.c.declared_by_person_id.is_not(None),
    sqlite_where=checkin.c.declared_by_person_id.is_not(None),
)
# Risk lists: at-risk declarations by time, small because most rows are risk 0.
Index(
    "ix_checkin_risky_time",
    checkin.c.checked_in_at,
    postgresql_where=checkin.c.risk_level > 0,
    sqlite_where=checkin.c.risk_level > 0,
)
# A check-in by its import key (a declaration's confirmation); only imported rows have one.
Index(
    "ix_checkin_source_external_id",
    checkin.c.source,
    checkin.c.external_id,
    postgresql_where=checkin.c.external_id.is_not(None),
    sqlite_where=checkin.c.external_id.is_not(None),
)

# What a declaration said about identity (ID number, birth year, home ward), kept beside its
# check-in: an anonymous form never changes a known person's stored identity, since anyone can
# type anyone's name and phone. Written only when something was declared; retention deletes it
# with its check-in (checked_in_at says when).
checkin_identity = Table(
    "checkin_identity",
    metadata,
    Column("checkin_id", BigInteger, primary_key=True),
    Column("checked_in_at", UtcInstant, nullable=False, index=True),
    Column("id_number", String(20)),
    Column("birth_year", SmallInteger),
    Column("home_ward_code", String(5)),
)

# The import keys stored so far: one row per check-in with an external id. The write path
# claims keys here (INSERT … ON CONFLICT DO NOTHING) before it writes the check-ins, which is
# what keeps imports idempotent, concurrent ones included; retention deletes a key with its
# check-in (checked_in_at says when).
checkin_key = Table(
    "checkin_key",
    metadata,
    Column("source", ByteText40, primary_key=True),
    Column("external_id", ByteText80, primary_key=True),
    Column("checked_in_at", UtcInstant, nullable=False),
)

# Room on each rollup page for its rows' next versions (migration 0013): every declaration
# updates its venue's and ward's current hour and day, and on a full page the new version
# would need an entry in every index instead of staying beside the old one (a HOT update).
ROLLUP_STORAGE: dict[str, Any] = {"postgresql_with": {"fillfactor": "70"}}

# Hourly rollups, kept by every write path in the same transaction as the check-ins.
# hour_start is a UTC instant on the hour; Asia/Ho_Chi_Minh days are exact sums of them.
# No foreign keys (a check per new rollup row, and a lock on the venue's row): the write path
# resolves each check-in's venue and ward in the same transaction and refuses unknown venues.
ward_hour = Table(
    "ward_hour",
    metadata,
    Column("ward_code", String(5), primary_key=True),
    Column("hour_start", UtcInstant, primary_key=True),
    Column("checkins", Integer, nullable=False),
    Column("at_risk", Integer, nullable=False),
    Column("high_risk", Integer, nullable=False),
    **ROLLUP_STORAGE,
)
Index("ix_ward_hour_hour", ward_hour.c.hour_start, ward_hour.c.ward_code)

# Keyed by hour first: new hours go to the right edge of the one index (migration 0012). A
# venue's own hours are found by one probe of the key per hour (queries.venues.venue_timeline).
venue_hour = Table(
    "venue_hour",
    metadata,
    Column("venue_id", BigInteger, nullable=False),
    Column("hour_start", UtcInstant, nullable=False),
    Column("checkins", Integer, nullable=False),
    Column("at_risk", Integer, nullable=False),
    Column("high_risk", Integer, nullable=False),
    PrimaryKeyConstraint("hour_start", "venue_id"),
    **ROLLUP_STORAGE,
)

# The same per venue and local day (Asia/Ho_Chi_Minh: day_start is local midnight, UTC+7, as a
# UTC instant). Active units per day or per range are distinct venues, which hours cannot be
# summed into: at city scale the hourly rollup holds about 130,000 venue-hours a day, this
# one at most one row per venue and day. first_hour_start, the venue's first hour with a
# check-in that day, answers "active before 10 o'clock" for a day still under way.
venue_day = Table(
    "venue_day",
    metadata,
    Column("day_start", UtcInstant, primary_key=True),
    Column("venue_id", BigInteger, primary_key=True),
    Column("checkins", Integer, nullable=False),
    Column("at_risk", Integer, nullable=False),
    Column("high_risk", Integer, nullable=False),
    Column("first_hour_start", UtcInstant, nullable=False),
    **ROLLUP_STORAGE,
)

# Per ward and local day (day_start as in venue_day): the area table and the daily series read
# 273 rows a day here instead of 24 times as many ward-hours.
ward_day = Table(
    "ward_day",
    metadata,
    Column("day_start", UtcInstant, primary_key=True),
    Column("ward_code", String(5), primary_key=True),
    Column("checkins", Integer, nullable=False),
    Column("at_risk", Integer, nullable=False),
    Column("high_risk", Integer, nullable=False),
    **ROLLUP_STORAGE,
)

# Local days per bitmask row of venue_activity. 63, not 64: bit 63 would make the value
# negative as a signed BIGINT, which both engines' integers are.
ACTIVITY_BLOCK_DAYS = 63

# Which local days (as in venue_day) each venue had a check-in on, 63 days to a row: bit i of
# days is local day block * 63 + i (local day: days since 1970-01-01 in Asia/Ho_Chi_Minh).
# "Active on any day of a range" (the area table's active units) then reads one row per venue
# and block instead of one per venue and day: 14 days at city scale are ~47,000 rows, not
# ~650,000. The key leads with block because a range reads whole blocks, which makes them
# contiguous stretches of the key; venue_id completes it for the write path's upsert.
venue_activity = Table(
    "venue_activity",
    metadata,
    Column("block", Integer, primary_key=True),
    Column("venue_id", BigInteger, primary_key=True),
    Column("days", BigInteger, nullable=False),
    **ROLLUP_STORAGE,
)

case_record = Table(
    "case_record",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("person_id", BigInteger, ForeignKey("person.id"), nullable=False, index=True),
    Column("status", String(12), nullable=False),
    Column("onset_date", Date),
    Column("test_date", Date),
    Column("isolated_at", UtcInstant),
    Column("created_at", UtcInstant, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    CheckConstraint("status IN ('suspected','confirmed','cleared')", name="status"),
    CheckConstraint("onset_date IS NOT NULL OR test_date IS NOT NULL", name="has_date"),
)

# The contacts a trace found, so that a traced person is high risk wherever they check in.
traced_contact = Table(
    "traced_contact",
    metadata,
    Column("case_id", BigInteger, ForeignKey("case_record.id"), primary_key=True),
    Column("person_id", BigInteger, ForeignKey("person.id"), primary_key=True, index=True),
    Column("level", SmallInteger, nullable=False),  # 1 = F1, 2 = F2
    Column("first_exposure_at", UtcInstant, nullable=False),
    Column("traced_at", UtcInstant, nullable=False),
)

follow_up = Table(
    "follow_up",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("person_id", BigInteger, ForeignKey("person.id"), nullable=False, index=True),
    Column("checkin_id", BigInteger, ForeignKey("checkin.id", ondelete="SET NULL")),
    Column("status", String(12), nullable=False),
    Column("assignee", String(64), nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("at", UtcInstant, nullable=False),
    Column("by", String(64), nullable=False),
    CheckConstraint("status IN ('new','contacted','tested','isolated','cleared')", name="status"),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200)),  # empty for single sign-on accounts
    Column("role", String(20), nullable=False),
    Column("district_code", String(3), ForeignKey("district.code")),
    Column("ward_code", String(5), ForeignKey("ward.code")),
    Column("venue_id", BigInteger, ForeignKey("venue.id")),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", UtcInstant, nullable=False),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcInstant),
    Column("last_login_at", UtcInstant),
    CheckConstraint(
        "role IN ('admin','command_centre','leadership','district_officer','ward_officer',"
        "'epidemiologist','venue_staff')",
        name="role",
    ),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UtcInstant, nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("action", String(40), nullable=False),  # view, export, trace, …
    Column("subject", String(200), nullable=False),  # what was seen, in English as written
    # The same as a key of the catalogue (audit.subject.<key>) and its values, to show it in a
    # reader's language (0014); none on rows written before.
    Column("subject_key", String(60)),
    Column("subject_values", JSON(none_as_null=True)),
    Column("case_id", BigInteger),
    Column("purpose", String(300), nullable=False, server_default=""),
    Column("row_count", Integer, nullable=False, server_default="0"),
    Column("detail", Text, nullable=False, server_default=""),
)

# A declaration made before arriving: staff confirm the short code at the door, which turns it
# into a check-in with the real arrival time.
advance_declaration = Table(
    "advance_declaration",
    metadata,
    Column("code", String(12), primary_key=True),
    Column("venue_id", BigInteger, ForeignKey("venue.id"), nullable=False),
    Column("person_id", BigInteger, ForeignKey("person.id"), nullable=False),
    Column("declared_by_person_id", BigInteger, ForeignKey("person.id")),
    Column("symptoms", String(200), nullable=False, server_default=""),
    Column("exposures", String(100), nullable=False, server_default=""),
    Column("created_at", UtcInstant, nullable=False),
    Column("expires_at", UtcInstant, nullable=False),
    Column("checkin_id", BigInteger),  # set when confirmed at the venue
    Column("confirmed_at", UtcInstant),
    Column("confirmed_by", String(64)),
    # The form's submission key: a double tap stores one declaration and shows one code.
    Column("submission", String(64), unique=True),
    # Identity fields as declared; they go to checkin_identity when the code is confirmed.
    Column("id_number", String(20)),
    Column("birth_year", SmallInteger),
    Column("home_ward_code", String(5)),
)
Index(
    "ix_advance_declaration_venue", advance_declaration.c.venue_id, advance_declaration.c.created_at
)
# Retention deletes people nobody refers to: without these, checking each deleted person's
# foreign keys read the whole table once per person (204 s for 29,875 people, 20k rows each).
Index("ix_advance_declaration_person", advance_declaration.c.person_id)
Index(
    "ix_advance_declaration_declared_by",
    advance_declaration.c.declared_by_person_id,
    postgresql_where=advance_declaration.c.declared_by_person_id.is_not(None),
    sqlite_where=advance_declaration.c.declared_by_person_id.is_not(None),
)

# Raised when an open case or a traced contact checks in anywhere: staff act at once and the
# command centre counts them.
alert = Table(
    "alert",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("checkin_id", BigInteger, nullable=False),
    Column("person_id", BigInteger, ForeignKey("person.id"), nullable=False, index=True),
    Column("venue_id", BigInteger, ForeignKey("venue.id"), nullable=False),
    Column("raised_at", UtcInstant, nullable=False, index=True),
    Column("reason", String(40), nullable=False),  # open_case, traced_contact
    Column("acknowledged_by", String(64)),
    Column("acknowledged_at", UtcInstant),
)

# Keys of partner systems for the ingest API (POST /api/v1/checkins). The key itself is shown
# once; only its SHA-256 digest is stored (256 random bits need no slow hash). A key writes
# check-ins under its source only; revoked_at ends it.
api_key = Table(
    "api_key",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(40), nullable=False),
    Column("prefix", String(12), nullable=False),  # the key's first characters, to tell keys apart
    Column("digest", String(64), nullable=False, unique=True),
    Column("note", String(200), nullable=False, server_default=""),
    Column("created_at", UtcInstant, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("revoked_at", UtcInstant),
    Column("last_used_at", UtcInstant),
)

# Wall screens of the command centre: a long-lived device link, kept as a SHA-256 digest (the
# link carries 256 random bits), revocable; its sessions see the command-centre pages of its
# district (or the city) and no personal data.
wall_screen = Table(
    "wall_screen",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("district_code", String(3), ForeignKey("district.code")),  # none: the whole city
    Column("link_digest", String(64), nullable=False, unique=True),
    Column("created_at", UtcInstant, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("revoked_at", UtcInstant),
    Column("last_seen_at", UtcInstant),
)

# A signed-in browser: the cookie carries a random secret, this row its SHA-256 digest. Every
# run of the dashboard reads the row and its account, so a revoked session, a deactivated
# account or an expired one ends at the next click. Either an account's or a wall screen's.
user_session = Table(
    "user_session",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("user_id", Id, ForeignKey("app_user.id")),
    Column("wall_screen_id", Id, ForeignKey("wall_screen.id")),
    Column("created_at", UtcInstant, nullable=False),
    Column("last_seen_at", UtcInstant, nullable=False),
    Column("expires_at", UtcInstant, nullable=False),
    Column("revoked_at", UtcInstant),
    Column("user_agent", String(200), nullable=False, server_default=""),
    Column("method", String(20), nullable=False),  # password, sso, wall_screen
    # A session made in the dashboard (single sign-on) reaches its browser through a one-time
    # ticket: the cookie is set when the browser presents it (web/auth.py).
    Column("adopted", Boolean, nullable=False, server_default=true()),
    CheckConstraint("(user_id IS NULL) <> (wall_screen_id IS NULL)", name="owner"),
    Index("ix_user_session_user_id", "user_id"),
    Index("ix_user_session_wall_screen_id", "wall_screen_id"),
)
