"""Workspaces created or upgraded by several threads at once (the window's workers do that)."""

from __future__ import annotations

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
