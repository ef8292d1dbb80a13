"""Public capture: what an anonymous declaration said about identity, kept with its check-in;
a submission key on advance declarations; partner API keys.

- checkin_identity: the ID number, birth year and home ward typed on a declaration. The
  anonymous form never changes a known person's stored identity (anyone can type anyone's
  name and phone), so what was declared is kept here, beside the check-in, for the
  authorities to read. Retention deletes it with its check-in (checked_in_at says when).
- advance_declaration.submission: the form's submission key, so a double tap on "send" stores
  one advance declaration and shows one code; and the declared identity fields, carried to
  checkin_identity when staff confirm the code.
- api_key: keys of partner systems for POST /api/v1/checkins, stored as SHA-256 digests (the
  key is 256 random bits, so a fast digest is enough), revocable.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "checkin_identity",
        sa.Column("checkin_id", sa.BigInteger(), nullable=False),
        sa.Column("checked_in_at", sa.BigInteger(), nullable=False),
        sa.Column("id_number", sa.String(20)),
        sa.Column("birth_year", sa.SmallInteger()),
        sa.Column("home_ward_code", sa.String(5)),
        sa.PrimaryKeyConstraint("checkin_id", name=op.f("pk_checkin_identity")),
    )
    op.create_index("ix_checkin_identity_checked_in_at", "checkin_identity", ["checked_in_at"])
    with op.batch_alter_table("advance_declaration") as table:
        table.add_column(sa.Column("submission", sa.String(64)))
        table.add_column(sa.Column("id_number", sa.String(20)))
        table.add_column(sa.Column("birth_year", sa.SmallInteger()))
        table.add_column(sa.Column("home_ward_code", sa.String(5)))
        table.create_unique_constraint("uq_advance_declaration_submission", ["submission"])
    op.create_table(
        "api_key",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("revoked_at", sa.BigInteger()),
        sa.Column("last_used_at", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_key_digest")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("api_key")
    with op.batch_alter_table("advance_declaration") as table:
        table.drop_constraint("uq_advance_declaration_submission", type_="unique")
        table.drop_column("home_ward_code")
        table.drop_column("birth_year")
        table.drop_column("id_number")
        table.drop_column("submission")
    op.drop_index("ix_checkin_identity_checked_in_at", table_name="checkin_identity")
    op.drop_table("checkin_identity")
