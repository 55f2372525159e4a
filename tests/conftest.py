"""Fixtures every test may use. Each test gets a fresh workspace file of its own."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
NAB_DIR = SHARED_DATA / "nab"
ODDS_DIR = SHARED_DATA / "odds"


@pytest.fixture(scope="session")
def nab_dir() -> Path:
    # The shared data sits beside every checkout, CI's included; missing data is a failure,
    # never a reason to skip.
    assert (NAB_DIR / "data").is_dir(), f"shared NAB data missing at {NAB_DIR}"
    return NAB_DIR


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    return tmp_path / "ws.sqlite"


@pytest.fixture
def ws(workspace_path: Path) -> Iterator[object]:
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace_path) as workspace:
        yield workspace


def logical_snapshot(path: Path) -> str:
    """Every row of every table, as SQL text: equal snapshots mean nothing changed."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
