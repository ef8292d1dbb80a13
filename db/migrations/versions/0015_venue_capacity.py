"""A venue's declared capacity, optional: the most people it should hold at once, against
which the crowding alert compares its last hour's check-ins (rules/crowding.py). Venues that
exist have none until an import or the administration page gives one.

On SQLite the column and its check are added in place (ALTER TABLE … ADD COLUMN with a column
constraint), not by the batch mode's copy of the table: dropping the old venue table would
fail on the foreign keys that accounts, alerts and advance declarations hold to it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "capacity IS NULL OR capacity > 0"


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE venue ADD COLUMN capacity INTEGER "
            f"CONSTRAINT ck_venue_capacity CHECK ({CHECK})"
        )
        return
    op.add_column("venue", sa.Column("capacity", sa.Integer(), nullable=True))
    op.create_check_constraint(op.f("ck_venue_capacity"), "venue", CHECK)


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE venue DROP COLUMN capacity")
        return
    op.drop_constraint(op.f("ck_venue_capacity"), "venue", type_="check")
    op.drop_column("venue", "capacity")
