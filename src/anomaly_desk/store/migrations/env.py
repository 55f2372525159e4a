"""Alembic environment: always run on the connection the workspace hands over."""

from __future__ import annotations

from alembic import context

from anomaly_desk.store.schema import include_in_autogenerate, metadata

connection = context.config.attributes["connection"]
# render_as_batch: SQLite can only alter tables by copying them; batch mode does that.
# transactional_ddl: Alembic assumes SQLite cannot roll DDL back and commits after every
# revision, so another process opening a brand-new file saw it half-built (an "old" schema
# to back up and upgrade), and a crash left it so. SQLite's DDL is transactional: the whole
# upgrade is one transaction.
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    include_object=include_in_autogenerate,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
