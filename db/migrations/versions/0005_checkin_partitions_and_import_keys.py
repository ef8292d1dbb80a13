"""City scale: check-ins partitioned by local day on PostgreSQL, import keys in their own table,
rollups without foreign keys.

- checkin_key (both engines): one row per stored (source, external_id), the idempotency of
  imports. A partitioned table cannot hold a unique constraint without its partition key, and
  most check-ins (declarations by QR) have no external id at all, so the uniqueness moves out
  of the check-in table: the write path claims keys here with INSERT … ON CONFLICT DO NOTHING.
  checkin keeps a small partial index on (source, external_id) for look-ups by key.
- checkin on PostgreSQL: PARTITION BY RANGE (checked_in_at), one partition per local day
  (Asia/Ho_Chi_Minh midnight), named checkin_pYYYYMMDD; primary key (id, checked_in_at,
  venue_id): it must hold the partition key, and with venue_id it also suits distribution by
  venue (docs/scaling.md). follow_up's foreign key to checkin.id cannot exist on a partitioned
  table without a unique id: retention clears follow_up.checkin_id itself. Existing rows are
  copied into the new table, partitions made for the days they fall on.
- ward_hour and venue_hour lose their foreign keys: every rollup row comes from the write path,
  which resolves the venue (and its ward) in the same transaction.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here (db.partitions may change): local midnight is UTC+7.
DAY_S = 86_400
LOCAL_OFFSET_S = 7 * 3600
COLUMNS = (
    "id, person_id, venue_id, checked_in_at, checked_out_at, channel, declared_by_person_id, "
    "symptoms, exposures, risk_level, risk_reasons, source, external_id"
)
CHECKS = """
    CONSTRAINT ck_checkin_out_after_in
        CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at),
    CONSTRAINT ck_checkin_channel CHECK (channel IN ('self','proxy','staff','advance','import')),
    CONSTRAINT ck_checkin_risk_level CHECK (risk_level BETWEEN 0 AND 2)
"""
TABLE_BODY = (
    """
    id BIGINT NOT NULL DEFAULT nextval('checkin_id_seq'),
    person_id BIGINT NOT NULL,
    venue_id BIGINT NOT NULL,
    checked_in_at BIGINT NOT NULL,
    checked_out_at BIGINT,
    channel VARCHAR(10) NOT NULL,
    declared_by_person_id BIGINT,
    symptoms VARCHAR(200) DEFAULT '' NOT NULL,
    exposures VARCHAR(100) DEFAULT '' NOT NULL,
    risk_level SMALLINT DEFAULT '0' NOT NULL,
    risk_reasons VARCHAR(400) DEFAULT '' NOT NULL,
    source VARCHAR(40) COLLATE "C" DEFAULT 'kbyt' NOT NULL,
    external_id VARCHAR(80) COLLATE "C",
"""
    + CHECKS
)
INDEXES = (
    "CREATE INDEX ix_checkin_venue_time ON checkin (venue_id, checked_in_at) "
    "INCLUDE (checked_out_at, person_id)",
    "CREATE INDEX ix_checkin_person_time ON checkin (person_id, checked_in_at)",
    "CREATE INDEX ix_checkin_risky_time ON checkin (checked_in_at) WHERE risk_level > 0",
    "CREATE INDEX ix_checkin_declared_by ON checkin (declared_by_person_id) "
    "WHERE declared_by_person_id IS NOT NULL",
)
KEY_INDEX = (
    "CREATE INDEX ix_checkin_source_external_id ON checkin (source, external_id) "
    "WHERE external_id IS NOT NULL"
)


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    op.create_table(
        "checkin_key",
        sa.Column(
            "source",
            sa.String(length=40).with_variant(sa.String(length=40, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "external_id",
            sa.String(length=80).with_variant(sa.String(length=80, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("checked_in_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", "external_id", name=op.f("pk_checkin_key")),
    )
    op.execute(
        "INSERT INTO checkin_key (source, external_id, checked_in_at) "
        "SELECT source, external_id, checked_in_at FROM checkin WHERE external_id IS NOT NULL"
    )
    with op.batch_alter_table("ward_hour", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ward_hour_ward_code_ward", type_="foreignkey")
    with op.batch_alter_table("venue_hour", schema=None) as batch_op:
        batch_op.drop_constraint("fk_venue_hour_venue_id_venue", type_="foreignkey")
    if bind.dialect.name == "postgresql":
        _partition_postgresql(bind)
    else:
        _rebuild_sqlite(
            drop_unique=True,
            index=lambda batch_op: batch_op.create_index(
                "ix_checkin_source_external_id",
                ["source", "external_id"],
                unique=False,
                sqlite_where=sa.text("external_id IS NOT NULL"),
            ),
        )


def _partition_postgresql(bind: sa.Connection) -> None:
    op.execute("ALTER TABLE follow_up DROP CONSTRAINT fk_follow_up_checkin_id_checkin")
    op.execute("ALTER SEQUENCE checkin_id_seq OWNED BY NONE")
    op.execute("ALTER TABLE checkin RENAME TO checkin_unpartitioned")
    op.execute("ALTER TABLE checkin_unpartitioned DROP CONSTRAINT pk_checkin")
    op.execute("ALTER TABLE checkin_unpartitioned DROP CONSTRAINT uq_checkin_source_external_id")
    for index in (
        "ix_checkin_venue_time",
        "ix_checkin_person_time",
        "ix_checkin_risky_time",
        "ix_checkin_declared_by",
    ):
        op.execute(f"DROP INDEX {index}")
    op.execute(f"CREATE TABLE checkin ({TABLE_BODY}) PARTITION BY RANGE (checked_in_at)")
    op.execute("ALTER SEQUENCE checkin_id_seq OWNED BY checkin.id")
    days = bind.exec_driver_sql(
        f"SELECT DISTINCT (checked_in_at + {LOCAL_OFFSET_S}) / {DAY_S} "  # noqa: S608
        "FROM checkin_unpartitioned ORDER BY 1"
    ).scalars()
    for number in days:
        _attach_day(int(number))
    op.execute(
        f"INSERT INTO checkin ({COLUMNS}) "  # noqa: S608
        f"SELECT {COLUMNS} FROM checkin_unpartitioned ORDER BY id"
    )
    op.execute("DROP TABLE checkin_unpartitioned")
    op.execute(
        "ALTER TABLE checkin ADD CONSTRAINT pk_checkin PRIMARY KEY (id, checked_in_at, venue_id)"
    )
    for statement in (*INDEXES, KEY_INDEX):
        op.execute(statement)


def _attach_day(number: int) -> None:
    """The partition of local day `number` (days since 1970-01-01), created then attached, as
    db.partitions does."""
    import datetime

    day = datetime.date(1970, 1, 1) + datetime.timedelta(days=number)
    lower = number * DAY_S - LOCAL_OFFSET_S
    name = f"checkin_p{day:%Y%m%d}"
    op.execute(f"CREATE TABLE {name} (LIKE checkin INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    op.execute(
        f"ALTER TABLE checkin ATTACH PARTITION {name} "
        f"FOR VALUES FROM ({lower}) TO ({lower + DAY_S})"
    )


def _rebuild_sqlite(drop_unique: bool, index) -> None:
    """Rebuild SQLite's checkin (batch mode). Dropping the old table performs an implicit
    DELETE that would fire follow_up's ON DELETE SET NULL: keep the links and put them back."""
    op.execute("DROP TABLE IF EXISTS follow_up_links")
    op.execute(
        "CREATE TEMPORARY TABLE follow_up_links AS "
        "SELECT id, checkin_id FROM follow_up WHERE checkin_id IS NOT NULL"
    )
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        if drop_unique:
            batch_op.drop_constraint("uq_checkin_source_external_id", type_="unique")
        else:
            batch_op.create_unique_constraint(
                "uq_checkin_source_external_id", ["source", "external_id"]
            )
        index(batch_op)
    op.execute(
        "UPDATE follow_up SET checkin_id = (SELECT l.checkin_id FROM follow_up_links l "
        "WHERE l.id = follow_up.id) WHERE id IN (SELECT id FROM follow_up_links)"
    )
    op.execute("DROP TABLE follow_up_links")


def downgrade() -> None:
    """Downgrade schema."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _unpartition_postgresql()
    else:
        _rebuild_sqlite(
            drop_unique=False,
            index=lambda batch_op: batch_op.drop_index(
                "ix_checkin_source_external_id",
                sqlite_where=sa.text("external_id IS NOT NULL"),
            ),
        )
    with op.batch_alter_table("venue_hour", schema=None) as batch_op:
        batch_op.create_foreign_key("fk_venue_hour_venue_id_venue", "venue", ["venue_id"], ["id"])
    with op.batch_alter_table("ward_hour", schema=None) as batch_op:
        batch_op.create_foreign_key("fk_ward_hour_ward_code_ward", "ward", ["ward_code"], ["code"])
    op.drop_table("checkin_key")


def _unpartition_postgresql() -> None:
    op.execute("ALTER SEQUENCE checkin_id_seq OWNED BY NONE")
    body = TABLE_BODY.replace(' COLLATE "C"', "")  # as 0001 made it
    op.execute(f"CREATE TABLE checkin_unpartitioned ({body})")
    op.execute(
        f"INSERT INTO checkin_unpartitioned ({COLUMNS}) "  # noqa: S608
        f"SELECT {COLUMNS} FROM checkin ORDER BY id"
    )
    op.execute("DROP TABLE checkin")  # and its partitions and indexes
    op.execute("ALTER TABLE checkin_unpartitioned RENAME TO checkin")
    op.execute("ALTER SEQUENCE checkin_id_seq OWNED BY checkin.id")
    op.execute("ALTER TABLE checkin ADD CONSTRAINT pk_checkin PRIMARY KEY (id)")
    op.execute(
        "ALTER TABLE checkin ADD CONSTRAINT uq_checkin_source_external_id "
        "UNIQUE (source, external_id)"
    )
    for statement in INDEXES:
        op.execute(statement)
    op.execute(
        "ALTER TABLE follow_up ADD CONSTRAINT fk_follow_up_checkin_id_checkin "
        "FOREIGN KEY (checkin_id) REFERENCES checkin (id) ON DELETE SET NULL"
    )
