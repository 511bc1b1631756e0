"""Alembic environment for the merchant ledger: runs on the connection the backend hands over."""

from __future__ import annotations

from alembic import context

from tvclient.merchant.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `tvclient merchant migrate` (Database.migrate)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=context.config.get_main_option("version_table") or "alembic_version",
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
