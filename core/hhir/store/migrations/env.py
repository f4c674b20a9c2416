"""Alembic environment: runs on the connection the Store hands over (one transaction for all steps)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from hhir.store.schema import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, transaction_per_migration=False, render_as_batch=True)
    # Inside the Store's transaction this is a no-op, so all steps commit (or roll back) together.
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line during development, with sqlalchemy.url set in alembic.ini
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        _run(conn)
