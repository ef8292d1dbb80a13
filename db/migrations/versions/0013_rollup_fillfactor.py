"""Room on the rollups' pages for their rows' next versions (PostgreSQL fillfactor 70).

Every declaration adds one to its venue's and ward's current hour and day: an update of a row
written minutes earlier. With full pages (the default fillfactor of 100) the new version
lands on another page and every index gets an entry for it: on the 20-million-check-in city
0.1 % of venue_hour's and 4 % of ward_hour's updates were HOT (heap-only, no index entry).
Leaving 30 % of each new page free lets the next versions stay on their page and the
indexes alone. Pages written before this keep their rows; new days' pages get the room.
SQLite has no such setting.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUPS = ("venue_hour", "ward_hour", "venue_day", "ward_day", "venue_activity")


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        for table in ROLLUPS:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        for table in ROLLUPS:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
