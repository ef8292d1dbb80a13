"""venue_hour keyed by (hour_start, venue_id), without its second index.

Keyed by venue first, every batch of check-ins for new hours touched a leaf page of the key
per venue: at 20 million check-ins (45,000 venues, a 230 MB key) an import's rollup upsert read
and dirtied most of the index per chunk, wrote a full-page image of each page to the WAL, and
was the largest statement of the import (12.4 s for 542,340 new venue-hours, 493 MB of WAL;
keyed by hour: 6.2 s, 112 MB). New hours now go to the right edge of the one index. Reads by
hour across venues (the heat map outside the daily rollups' zone) use the key; a venue's own
hourly timeline probes the key once per hour of its range.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    _key_by("hour_start", "venue_id", drop_index=True)


def downgrade() -> None:
    """Downgrade schema."""
    _key_by("venue_id", "hour_start", drop_index=False)
    op.create_index("ix_venue_hour_hour", "venue_hour", ["hour_start", "venue_id"])


def _key_by(first: str, second: str, drop_index: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        if drop_index:
            op.execute("DROP INDEX ix_venue_hour_hour")
        op.execute("ALTER TABLE venue_hour DROP CONSTRAINT pk_venue_hour")
        op.execute(
            f"ALTER TABLE venue_hour ADD CONSTRAINT pk_venue_hour PRIMARY KEY ({first}, {second})"
        )
        return
    with op.batch_alter_table("venue_hour", recreate="always") as batch_op:
        if drop_index:
            batch_op.drop_index("ix_venue_hour_hour")
        batch_op.drop_constraint("pk_venue_hour", type_="primary")
        batch_op.create_primary_key("pk_venue_hour", [first, second])
