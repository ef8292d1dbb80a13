"""Alembic environment: migrations run on the connection handed in by db.migrate."""

from alembic import context

from db.columns import UtcInstant
from db.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `python manage.py init-db` (db.migrate.upgrade).")


def render_item(type_, obj, autogen_context):
    """Migrations are frozen: write UtcInstant as the BIGINT it stores, not as our Python type."""
    if type_ == "type" and isinstance(obj, UtcInstant):
        return "sa.BigInteger()"
    return False


context.configure(
    connection=connection,
    render_item=render_item,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
