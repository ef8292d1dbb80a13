"""Which local days each venue was active on, as 63-day bitmasks (venue_activity), filled from
the daily venue rollup.

The area table's active units (distinct venues with a check-in in a range of days) read every
venue_day row of the range: about 650,000 rows for 14 days at 20 million check-ins, hashed to
~47,000 venues on every view. venue_activity holds one row per venue and 63-day block, bit i
of days standing for local day block * 63 + i (days since 1970-01-01 in Asia/Ho_Chi_Minh),
kept by the write path like the other rollups.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DAY_S = 86_400
LOCAL_OFFSET_S = 7 * 3600
BLOCK_DAYS = 63  # not 64: the top bit of a signed BIGINT would make the value negative


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "venue_activity",
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("days", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("block", "venue_id", name=op.f("pk_venue_activity")),
    )
    day = f"((day_start + {LOCAL_OFFSET_S}) / {DAY_S})"
    if op.get_bind().dialect.name == "postgresql":
        bits = f"bit_or(CAST(1 AS bigint) << CAST({day} % {BLOCK_DAYS} AS integer))"
    else:
        # SQLite has no bit_or aggregate. venue_day holds a venue's day once, so its bits are
        # distinct and their sum is their OR.
        bits = f"sum(1 << ({day} % {BLOCK_DAYS}))"
    op.execute(
        "INSERT INTO venue_activity (block, venue_id, days) "  # noqa: S608
        f"SELECT {day} / {BLOCK_DAYS}, venue_id, {bits} "
        f"FROM venue_day GROUP BY {day} / {BLOCK_DAYS}, venue_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        # The area table reads it at once; without statistics the planner guesses its size.
        op.execute("ANALYZE venue_activity")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("venue_activity")
