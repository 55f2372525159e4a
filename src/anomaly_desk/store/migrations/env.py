"""Alembic environment: always run on the connection the workspace hands over."""

from __future__ import annotations

from alembic import context

from anomaly_desk.store.schema import include_in_autogenerate, metadata

connection = context.config.attributes["connection"]
# render_as_batch: SQLite can only alter tables by copying them; batch mode does that.
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    include_object=include_in_autogenerate,
)
with context.begin_transaction():
    context.run_migrations()
