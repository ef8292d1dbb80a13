"""A daily venue rollup (venue_day), filled from the hourly one.

Active units (distinct venues with a check-in) per local day cannot be summed from hours; read
from venue_hour they cost a scan of every venue-hour in the range (about 1.1 million rows for
the KPIs' eight days at 20 million check-ins). venue_day holds one row per venue and local
day (Asia/Ho_Chi_Minh midnight, UTC+7), kept by the write path like the other rollups.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DAY_S = 86_400
LOCAL_OFFSET_S = 7 * 3600


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "venue_day",
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("checkins", sa.Integer(), nullable=False),
        sa.Column("at_risk", sa.Integer(), nullable=False),
        sa.Column("high_risk", sa.Integer(), nullable=False),
        sa.Column("first_hour_start", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day_start", "venue_id", name=op.f("pk_venue_day")),
    )
    day = f"(hour_start + {LOCAL_OFFSET_S}) / {DAY_S} * {DAY_S} - {LOCAL_OFFSET_S}"
    op.execute(
        "INSERT INTO venue_day (day_start, venue_id, checkins, at_risk, high_risk, "  # noqa: S608
        "first_hour_start) "
        f"SELECT {day}, venue_id, sum(checkins), sum(at_risk), sum(high_risk), min(hour_start) "
        f"FROM venue_hour GROUP BY {day}, venue_id"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("venue_day")
