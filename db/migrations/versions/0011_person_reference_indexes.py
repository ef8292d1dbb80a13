"""Indexes on the person references that had none (advance declarations, alerts), so that the
retention purge, which now deletes people nobody refers to, checks each deleted person's
foreign keys by index instead of reading those tables once per person.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_advance_declaration_person", "advance_declaration", ["person_id"])
    op.create_index(
        "ix_advance_declaration_declared_by",
        "advance_declaration",
        ["declared_by_person_id"],
        postgresql_where=sa.text("declared_by_person_id IS NOT NULL"),
        sqlite_where=sa.text("declared_by_person_id IS NOT NULL"),
    )
    op.create_index(op.f("ix_alert_person_id"), "alert", ["person_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_alert_person_id"), table_name="alert")
    op.drop_index("ix_advance_declaration_declared_by", table_name="advance_declaration")
    op.drop_index("ix_advance_declaration_person", table_name="advance_declaration")
