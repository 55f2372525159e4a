"""The part of ``Workspace`` every other part builds on: one connection, short transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, select

from anomaly_desk.store import schema
from anomaly_desk.store.engine import IMMEDIATE


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class WorkspaceBase:
    """Holds the connection; subclasses add datasets, anomalies and rules."""

    def __init__(self, path: Path, connection: Connection) -> None:
        self.path = path
        self._conn = connection

    def interrupter(self) -> Callable[[], None]:
        """A function that aborts the statement running on this workspace's connection, to be
        called from another thread (a cancelled job's query stops within milliseconds instead
        of running to its end). The statement fails with "interrupted"; an interrupted write
        rolls its transaction back. Call it only while this workspace is open."""
        raw = self._conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        return raw.interrupt

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        # An explicit short transaction: an autobegun one would pin an old WAL snapshot.
        with self._conn.begin():
            yield self._conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        self._conn.execution_options(**{IMMEDIATE: True})
        try:
            with self._conn.begin():
                yield self._conn
        finally:
            self._conn.execution_options(**{IMMEDIATE: False})

    def _meta(self, key: str) -> str | None:
        with self._read() as conn:
            value = conn.execute(
                select(schema.workspace_meta.c.value).where(schema.workspace_meta.c.key == key)
            ).scalar_one_or_none()
        return value
