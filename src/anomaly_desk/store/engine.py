"""Opening the workspace file with the settings that keep it safe.

WAL lets readers (the GUI) work while a worker writes; ``synchronous=FULL`` because the file is
often the only copy of the evidence and NORMAL may lose an acknowledged commit on power loss.
pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the real one
(otherwise DDL and savepoints escape the transaction); writers ask for BEGIN IMMEDIATE so two
writers queue on the busy timeout instead of failing halfway.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

BUSY_TIMEOUT_MS = 30_000
IMMEDIATE = "anomaly_desk_immediate"


def make_engine(path: Path) -> Engine:
    # NullPool: a connection per checkout, closed on return; a Workspace is used by one thread
    # and holds its connection for its lifetime, so there is nothing to pool.
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=NullPool,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the file to WAL (a setting stored in the file: once is enough).

    Switching needs the file to itself, and SQLite answers "database is locked" at once,
    without waiting on the busy timeout, when several connections open a brand-new file
    together (each holds a read lock the others wait on). So: skip when already WAL, and retry
    the switch until the busy timeout has passed.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
