"""A daily ward rollup (ward_day), filled from the hourly one.

The heat map's area table over 14 days summed about 92,000 ward-hours (273 wards x 24 hours
x 14 days) on every view; ward_day holds one row per ward and local day (Asia/Ho_Chi_Minh
midnight, UTC+7), kept by the write path like the other rollups.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DAY_S = 86_400
LOCAL_OFFSET_S = 7 * 3600


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ward_day",
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("ward_code", sa.String(length=5), nullable=False),
        sa.Column("checkins", sa.Integer(), nullable=False),
        sa.Column("at_risk", sa.Integer(), nullable=False),
        sa.Column("high_risk", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day_start", "ward_code", name=op.f("pk_ward_day")),
    )
    day = f"(hour_start + {LOCAL_OFFSET_S}) / {DAY_S} * {DAY_S} - {LOCAL_OFFSET_S}"
    op.execute(
        "INSERT INTO ward_day (day_start, ward_code, checkins, at_risk, high_risk) "  # noqa: S608
        f"SELECT {day}, ward_code, sum(checkins), sum(at_risk), sum(high_risk) "
        f"FROM ward_hour GROUP BY {day}, ward_code"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("ward_day")
