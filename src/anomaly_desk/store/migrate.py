"""Schema versioning: create, upgrade with a backup first, refuse a newer workspace.

Alembic keeps the running migration's context in module-level proxies (``alembic.context``,
``alembic.op``): two threads migrating at once, even on different files, run each other's DDL
on the wrong connection (a crash, not an error). Every migration in the process therefore
runs under one lock; opening a workspace already at the current schema never takes it.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from anomaly_desk.errors import NewerWorkspaceError, WorkspaceError

log = logging.getLogger(__name__)


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "anomaly_desk.store:migrations")
    return config


_MIGRATION_LOCK = threading.Lock()


@functools.cache
def _revisions() -> tuple[str, frozenset[str]]:
    """(head, every known revision), read once: the scripts ship with the code and never change
    while it runs, and reading them compiles every migration file (~5 ms of held GIL per
    workspace opened, and the window's workers open one per job)."""
    with _MIGRATION_LOCK:  # Alembic loads the scripts as modules: one thread at a time
        scripts = ScriptDirectory.from_config(_config())
        head = scripts.get_current_head()
        assert head is not None
        return head, frozenset(rev.revision for rev in scripts.walk_revisions())


def head_revision() -> str:
    return _revisions()[0]


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _run_upgrade(engine: Engine) -> None:
    config = _config()
    with engine.connect().execution_options(anomaly_desk_immediate=True) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()


def ensure_schema(engine: Engine, path: Path) -> None:
    """Bring the workspace at ``path`` to the current schema, or refuse with a clear reason.

    A new file gets the whole schema in one transaction. An older one is copied aside with the
    SQLite backup API before it is upgraded, since the file is the user's evidence.
    """
    head, known = _revisions()
    with engine.connect() as conn:
        if current_revision(conn) == head:
            return
    with _MIGRATION_LOCK:
        _migrate(engine, path, head, known)


def _migrate(engine: Engine, path: Path, head: str, known: frozenset[str]) -> None:
    # Read again under the lock: another thread of this process may have just migrated the file.
    with engine.connect() as conn:
        current = current_revision(conn)
        has_tables = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type='table'"
        ).scalar_one()
    if current == head:
        return
    if current is None:
        if has_tables:
            raise WorkspaceError(
                f"{path} is an SQLite file but not an Anomaly Desk workspace (no schema version)"
            )
        _run_upgrade(engine)
        return
    if current not in known:
        raise NewerWorkspaceError(
            f"{path} was written by a newer version of Anomaly Desk (schema {current}); "
            "this version knows schemas up to "
            f"{head}. Upgrade Anomaly Desk to open it; the file was not changed."
        )
    backup = path.with_name(
        f"{path.name}.before-{head}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.bak"
    )
    log.warning("upgrading workspace schema %s -> %s; backup at %s", current, head, backup)
    copy_with_backup_api(path, backup)
    _run_upgrade(engine)


def copy_with_backup_api(source: Path, dest: Path) -> None:
    """A consistent copy of a live workspace (never copy the file itself while it is open)."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
