"""An audit row's subject as a key and its values, so that the administration page shows it in
its reader's language (issue 14). The English subject text stays as written, for forensic
exports and for the rows written before; those have no key and are shown as stored.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_key", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("subject_values", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("subject_values")
        batch_op.drop_column("subject_key")
