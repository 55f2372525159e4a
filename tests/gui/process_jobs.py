"""Job functions the worker-process tests run in a child process: importable and Qt-free, so the
child loads this module alone (a test module would pull Qt and the fixtures into it)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anomaly_desk.errors import BadInputError, Problem
from anomaly_desk.progress import Progress


def add(progress: Progress, a: int, b: int) -> tuple[int, int]:
    progress.update(0.5, "adding")
    return a + b, os.getpid()


def stream(progress: Progress, sink: Callable[[int, str], None], n: int) -> int:
    for i in range(n):
        progress.check()
        sink(i, f"item {i}")
    return n


def refuse(progress: Progress, source: str) -> None:
    progress.check()
    raise BadInputError(source, [Problem("not a number", row=3, column="value", value="x")])


def wait_for_cancel(progress: Progress, ws: Any, marker: Path) -> None:
    """Says it started (a file the test waits for), then reports progress until cancelled."""
    marker.write_text(str(ws.path), encoding="utf-8")
    while True:
        progress.update(0.5, "waiting")
        time.sleep(0.005)


def die(progress: Progress, code: int) -> None:
    progress.check()
    os._exit(code)  # a crash: no answer, no exception


def endless_query(progress: Progress, ws: Any, marker: Path) -> int:
    """A statement that never ends by itself: only an interrupt stops it."""
    marker.write_text("started", encoding="utf-8")
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"
    with ws._read() as conn:
        return int(conn.exec_driver_sql(endless).scalar_one())
