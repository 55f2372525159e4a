"""Every item model passes Qt's QAbstractItemModelTester; big tables scroll safely."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from anomaly_desk.errors import Problem
from anomaly_desk.gui.explorer_model import (
    DATASETS,
    INCIDENTS,
    SAVED_VIEWS,
    ExplorerModel,
    NodeKind,
    NodeKindRole,
)
from anomaly_desk.gui.loaders import WorkspaceSnapshot, load_snapshot
from anomaly_desk.gui.table_models import FrameModel, ProblemsModel
from anomaly_desk.progress import silent
from anomaly_desk.store import Workspace


def snapshot_of(path: Path) -> WorkspaceSnapshot:
    with Workspace.open(path, create=False) as ws:
        return load_snapshot(silent(), ws)


def labels(model: ExplorerModel, parent: object = None) -> list[str]:
    index = model.datasets_index() if parent is None else parent
    return [model.index(r, 0, index).data() for r in range(model.rowCount(index))]


def test_explorer_model_passes_the_model_tester(qtmodeltester: ModelTester, demo_ws: Path) -> None:
    model = ExplorerModel()
    qtmodeltester.check(model)
    model.set_snapshot(snapshot_of(demo_ws))
    qtmodeltester.check(model)
    top = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert top == [DATASETS, SAVED_VIEWS, INCIDENTS]
    assert labels(model) == ["datacenter_metrics", "expenses", "logins", "shop_orders"]
    metrics = model.find("datacenter_metrics")
    hosts = labels(model, metrics)
    assert hosts[:2] == ["web-01", "web-02"] and len(hosts) == 6  # long layout: by entity
    web01 = model.index(0, 0, metrics)
    assert labels(model, web01) == ["cpu_pct", "latency_ms", "requests"]
    leaf = model.index(0, 0, web01)
    assert leaf.data(NodeKindRole) == NodeKind.SERIES.value
    assert model.index(0, 1, web01).data() == "8,064 pts"
    logins = model.find("logins")
    assert labels(model, logins) == ["user", "src_host", "dst_host", "action", "result"]
    shop = model.find("shop_orders")
    assert labels(model, shop) == ["orders_eu", "orders_us", "orders_apac"]  # wide: flat


def test_refresh_inserts_and_removes_rows_without_a_reset(
    qtmodeltester: ModelTester, qtbot: QtBot, demo_ws: Path
) -> None:
    full = snapshot_of(demo_ws)
    model = ExplorerModel()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setRecursiveFilteringEnabled(True)
    qtmodeltester.check(proxy)
    without = replace(full, datasets=tuple(d for d in full.datasets if d.info.name != "logins"))
    model.set_snapshot(without)
    assert labels(model) == ["datacenter_metrics", "expenses", "shop_orders"]
    resets: list[object] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.rowsInserted, timeout=1000) as inserted:
        model.set_snapshot(full)
    assert inserted.args[1:] == [2, 2] and resets == []
    assert labels(model) == ["datacenter_metrics", "expenses", "logins", "shop_orders"]
    with qtbot.waitSignal(model.rowsRemoved, timeout=1000):
        model.set_snapshot(without)
    assert labels(model) == ["datacenter_metrics", "expenses", "shop_orders"]
    proxy.setFilterFixedString("latency")
    assert proxy.rowCount() == 1  # only the Datasets group keeps a match


def test_frame_and_problem_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    frame = FrameModel()
    qtmodeltester.check(frame)
    frame.set_frame(pd.DataFrame({"t": ["2024-01-01", None], "v": ["1", "x"]}, dtype=object))
    frame.set_highlight({"t": "timestamp"})
    qtmodeltester.check(frame)
    assert frame.index(1, 0).data() == ""  # an empty cell is "", never None
    assert frame.headerData(0, Qt.Orientation.Horizontal) == "t\n[timestamp]"
    problems = ProblemsModel()
    problems.set_problems([Problem("not a number", row=3, column="v", value="x")], more=4)
    qtmodeltester.check(problems)
    row = [problems.index(0, c).data() for c in range(problems.columnCount())]
    assert row == ["3", "", "v", "x", "not a number"]
    assert problems.index(1, 4).data() == "... and 4 more problems not listed"


def test_a_large_table_scrolls_to_the_bottom_many_times(qtbot: QtBot) -> None:
    # PySide6 6.12 on Python 3.11 crashed exactly here (PLATFORM.md); keep the guard.
    model = FrameModel()
    rows = 50_000
    model.set_frame(pd.DataFrame({"a": [None] * rows, "b": ["x"] * rows}, dtype=object), rows)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.show()
    for _ in range(60):
        view.scrollToBottom()
        view.scrollToTop()
        qtbot.wait(1)
    assert model.rowCount() == rows
