"""Workspaces created or upgraded by several threads at once, or interrupted part way."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from anomaly_desk.store import Workspace
from anomaly_desk.store.engine import make_engine
from anomaly_desk.store.migrate import _config, current_revision, head_revision

THREADS = 8


def _open_all(paths: list[Path]) -> list[str | None]:
    """Open every path from a thread of its own, all released at the same instant; the
    revision each ends up at (an exception in any thread fails the test)."""
    start = threading.Barrier(len(paths))

    def open_one(path: Path) -> str | None:
        start.wait()
        with Workspace.open(path) as ws:
            return current_revision(ws._conn)

    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(open_one, paths))


@pytest.mark.parametrize("round_", range(3))  # a race shows only now and then: try thrice
def test_fresh_workspaces_created_by_many_threads_at_once(tmp_path: Path, round_: int) -> None:
    paths = [tmp_path / f"ws{i}.sqlite" for i in range(THREADS)]
    assert _open_all(paths) == [head_revision()] * THREADS


def test_old_workspaces_upgraded_by_many_threads_at_once(tmp_path: Path) -> None:
    from alembic import command

    paths = [tmp_path / f"old{i}.sqlite" for i in range(THREADS)]
    for path in paths:
        engine = make_engine(path)
        config = _config()
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
            conn.commit()
        engine.dispose()
    assert _open_all(paths) == [head_revision()] * THREADS
    assert len(list(tmp_path.glob("old*.sqlite.before-*.bak"))) == THREADS


@pytest.mark.parametrize("round_", range(3))
def test_one_new_workspace_opened_by_many_threads_at_once(tmp_path: Path, round_: int) -> None:
    path = tmp_path / "shared.sqlite"
    assert _open_all([path] * THREADS) == [head_revision()] * THREADS
    with Workspace.open(path, create=False) as ws:
        created = ws._conn.exec_driver_sql(
            "SELECT count(*) FROM workspace_meta WHERE key = 'created_at'"
        ).scalar()
    assert created == 1


def test_a_creation_that_fails_part_way_leaves_no_half_built_schema(tmp_path: Path) -> None:
    # Alembic commits after every revision unless told SQLite's DDL is transactional: a failure
    # (or another process looking) in the middle then found an "old" workspace at 0002.
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def fail_at_third_revision(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("CREATE TABLE RULES"):
            raise RuntimeError("disk unplugged")

    path = tmp_path / "new.sqlite"
    event.listen(Engine, "before_cursor_execute", fail_at_third_revision)
    try:
        with pytest.raises(Exception, match="disk unplugged"):
            Workspace.open(path)
    finally:
        event.remove(Engine, "before_cursor_execute", fail_at_third_revision)
    raw = sqlite3.connect(path)
    try:
        tables = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        raw.close()
    assert tables == []
    with Workspace.open(path) as ws:  # and the next attempt builds it whole
        assert current_revision(ws._conn) == head_revision()
