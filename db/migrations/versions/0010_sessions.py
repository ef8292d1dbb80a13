"""Sessions that last and end: server-side sign-in sessions and wall-screen devices.

- user_session: one row per signed-in browser; the cookie holds a random secret and the row its
  SHA-256 digest. Idle and absolute expiry, revocation (sign-out, deactivation), user agent.
- wall_screen: a command-centre screen registered by an administrator; its device link opens a
  long-lived, revocable session of the command-centre role for its district or the city.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "wall_screen",
        sa.Column("id", Id, nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("district_code", sa.String(3)),
        sa.Column("link_digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("revoked_at", sa.BigInteger()),
        sa.Column("last_seen_at", sa.BigInteger()),
        sa.ForeignKeyConstraint(
            ["district_code"], ["district.code"], name=op.f("fk_wall_screen_district_code_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wall_screen")),
        sa.UniqueConstraint("name", name=op.f("uq_wall_screen_name")),
        sa.UniqueConstraint("link_digest", name=op.f("uq_wall_screen_link_digest")),
    )
    op.create_table(
        "user_session",
        sa.Column("id", Id, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("user_id", Id),
        sa.Column("wall_screen_id", Id),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger()),
        sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("adopted", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (wall_screen_id IS NULL)", name=op.f("ck_user_session_owner")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_session_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["wall_screen_id"],
            ["wall_screen.id"],
            name=op.f("fk_user_session_wall_screen_id_wall_screen"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("digest", name=op.f("uq_user_session_digest")),
    )
    op.create_index("ix_user_session_user_id", "user_session", ["user_id"])
    op.create_index("ix_user_session_wall_screen_id", "user_session", ["wall_screen_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_user_session_wall_screen_id", table_name="user_session")
    op.drop_index("ix_user_session_user_id", table_name="user_session")
    op.drop_table("user_session")
    op.drop_table("wall_screen")
