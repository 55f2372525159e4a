"""The table's fast paths in the store: plain-tuple pages, index seeks, ranked swimlane lanes,
and interrupting a running statement from another thread."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import event

from anomaly_desk.gui import anomaly_tasks
from anomaly_desk.gui.anomaly_tasks import top_lanes
from anomaly_desk.model import AnomalyRow, FilterSpec, Severity, SortSpec, TriageChange
from anomaly_desk.store import Workspace, anomaly_queries
from tests.gui.synthetic import synthetic_workspace


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 anomalies over 30 series (read-only here)."""
    path = tmp_path_factory.mktemp("pages") / "many.sqlite"
    synthetic_workspace(path, 30, 300, 3000)
    with Workspace.open(path, create=False) as ws:
        change = TriageChange(add_tags=("zeta", "alpha"), starred=True, severity=Severity.LOW,
                              reason="test")  # fmt: skip
        ws.triage([5, 17], change, "tester")
    return path


def test_page_columns_are_the_row_fields_in_order() -> None:
    names = [column.name for column in anomaly_queries.ROW_COLUMNS]
    assert names == [f.name for f in fields(AnomalyRow)]
    assert anomaly_tasks.TAG_SEPARATOR == anomaly_queries.TAG_SEPARATOR


def test_page_values_are_plain_tuples_that_read_back_as_rows(many: Path) -> None:
    spec, sort = FilterSpec(include_suppressed=True), SortSpec("score", True)
    with Workspace.open(many, create=False) as ws:
        values, cursor = ws.anomaly_values(spec, sort, None, 3000)
        rows, same_cursor = ws.anomalies(spec, sort, None, 3000)
    assert cursor == same_cursor and len(values) == len(rows) == 3000
    assert all(type(v) is tuple for v in values)  # not Row objects: the GC untracks them
    assert [anomaly_tasks.unpack(v) for v in values] == rows
    tagged = next(r for r in rows if r.id == 5)
    assert tagged.tags == ("alpha", "zeta") and tagged.starred
    assert tagged.severity is Severity.LOW and tagged.detected_severity is not Severity.LOW
    packed = anomaly_tasks.pack(tagged)
    assert anomaly_tasks.unpack(packed) == tagged
    assert anomaly_tasks.packed_cells(packed)[8] == "alpha, zeta"


def test_a_page_after_a_cursor_seeks_the_sort_index(many: Path) -> None:
    seen: list[tuple[str, Any]] = []
    with Workspace.open(many, create=False) as ws:
        engine = ws._conn.engine

        def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
            seen.append((statement, params))

        event.listen(engine, "before_cursor_execute", record)
        try:
            ws.anomaly_values(FilterSpec(), SortSpec("score", True), (50.0, 10**9), 200)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    statement, params = next((s, p) for s, p in seen if "ORDER BY" in s)
    raw = sqlite3.connect(many)
    try:
        plan = " / ".join(row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", params))
    finally:
        raw.close()
    # A seek to the cursor, not a walk of the index from its top (the 500th page would cost
    # 500 pages).
    assert "USING INDEX ix_anomalies_score (score<?)" in plan


def test_ranked_lanes_equal_the_strongest_of_all_lanes(many: Path) -> None:
    with Workspace.open(many, create=False) as ws:
        for spec in (FilterSpec(), FilterSpec(text="dip"), FilterSpec(types=("nothing",))):
            everything = top_lanes(ws.swimlane(spec, 24), keep=7)
            ranked, total = ws.swimlane_top(spec, 24, 7)
            assert total == len(ws.swimlane(spec, 24).lanes)
            assert ranked.lanes == everything.lanes
            assert ranked.lane_series_ids == everything.series_ids
            again = top_lanes(ranked, keep=7)  # already in order: nothing moves
            assert again.lanes == everything.lanes
            assert np.array_equal(again.scores, everything.scores)
            assert (again.start_ns, again.width_ns) == (everything.start_ns, everything.width_ns)


def test_the_interrupter_stops_a_running_statement_from_another_thread(tmp_path: Path) -> None:
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c"
    with Workspace.open(tmp_path / "ws.sqlite") as ws:
        interrupt = ws.interrupter()
        started = threading.Event()

        def stop_it() -> None:
            started.wait()
            while started.is_set():  # until the statement has surely begun and been stopped
                interrupt()
                threading.Event().wait(0.01)

        stopper = threading.Thread(target=stop_it)
        stopper.start()
        try:
            with pytest.raises(Exception, match="interrupted"), ws._read() as conn:
                started.set()
                conn.exec_driver_sql(endless)
        finally:
            started.clear()
            stopper.join()
        assert ws.count_anomalies() == 0  # the connection is still usable
