"""The incident view as an investigator reads it: a window of its own, every member series in a
plot tall enough to read (the stack scrolls), a graph whose labels do not collide, and a view
that follows its incident when it is merged into another or dissolved."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from anomaly_desk.gui import incident_tasks as tasks
from anomaly_desk.gui.incident_desk import VIEW_MIN, IncidentDesk
from anomaly_desk.gui.incident_view import PLOT_HEIGHT, IncidentView
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.relationship_graph import MIN_SCALE
from anomaly_desk.gui.theme import dark_palette
from anomaly_desk.gui.timeline import DARK, LIGHT
from anomaly_desk.model import IncidentInfo
from anomaly_desk.progress import silent
from anomaly_desk.store import Workspace
from tests.gui.conftest import WAIT_MS, open_workspace


@pytest.fixture
def detected(qtbot: QtBot, window: MainWindow, detected_ws: Path) -> MainWindow:
    open_workspace(qtbot, window, detected_ws)
    return window


def _top_incident(path: Path) -> IncidentInfo:
    """The strongest proposal stored as an incident (the demo's cross-host slowdown)."""
    with Workspace.open(path, create=False) as ws:
        proposal = ws.propose_incidents()[0]
        return ws.create_incident(proposal.title, proposal.anomaly_ids, "tester")


def _open(qtbot: QtBot, desk: IncidentDesk, incident_id: int) -> tasks.IncidentData:
    with qtbot.waitSignal(desk.incident_shown, timeout=WAIT_MS) as shown:
        assert desk.open_incident(incident_id) is not None
    data = shown.args[0]
    assert isinstance(data, tasks.IncidentData)
    return data


def test_the_view_opens_as_a_window_large_enough_to_read(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    info = _top_incident(detected_ws)
    desk = detected.incident_desk
    data = _open(qtbot, desk, info.id)
    dock, view = desk.view_dock, desk.view
    assert view is not None and dock.isVisible() and dock.isFloating()
    assert dock.width() >= VIEW_MIN[0] and dock.height() >= VIEW_MIN[1]
    assert f"#{info.id}" in dock.windowTitle()
    # Every member series has its own plot of a readable height; the stack scrolls.
    assert len(view.plots) == len(data.traces) >= 5
    assert all(p.minimumHeight() >= PLOT_HEIGHT >= 140 for p in view.plots)
    area = view.plots_area
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    assert view.plots_widget.height() >= len(view.plots) * PLOT_HEIGHT
    # The graph: every node drawn, at a legible scale, no two labels on top of each other.
    graph = view.graph
    assert graph.graph is not None and len(graph.node_items) == len(graph.graph.nodes)
    assert graph.zoom() >= MIN_SCALE
    boxes = [label.sceneBoundingRect() for label in graph.label_items.values()]
    assert not [(a, b) for a, b in combinations(boxes, 2) if a.intersects(b)]
    nodes = [item.sceneBoundingRect() for item in graph.node_items.values()]
    assert not [(a, b) for a, b in combinations(nodes, 2) if a.intersects(b)]
    # The cross-series finding that named the members is drawn as such, not as "related".
    assert any(e.kind == "found together" for e in graph.graph.edges)
    # Opened again, it stays where (and as large as) the user left it.
    dock.resize(VIEW_MIN[0] + 50, VIEW_MIN[1] + 40)
    _open(qtbot, desk, info.id)
    assert (dock.width(), dock.height()) == (VIEW_MIN[0] + 50, VIEW_MIN[1] + 40)


def _colours(view: IncidentView) -> set[tuple[str, str]]:
    """What the view paints with, as (part, colour name) pairs."""
    found = {("background", view.plots_widget.backgroundBrush().color().name())}
    for plot in view.plots:
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            found |= {("axis", axis.pen().color().name()), ("text", axis.textPen().color().name())}
        curves = [c for c in plot.listDataItems() if isinstance(c, pg.PlotDataItem)]
        found |= {("curve", c.opts["pen"].color().name()) for c in curves}
    labels = view.graph.label_items.values()
    return found | {("label", label.brush().color().name()) for label in labels}


def test_a_theme_switch_recolours_an_open_incident_window(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    detected.set_theme("light")
    info = _top_incident(detected_ws)
    desk = detected.incident_desk
    _open(qtbot, desk, info.id)
    view = desk.view
    assert view is not None and view.plots and view.graph.label_items
    light = _colours(view)
    dark_text = dark_palette().text().color().name()
    assert ("background", LIGHT["bg"]) in light and ("curve", LIGHT["curve"]) in light
    assert ("label", dark_text) not in light

    detected.set_theme("dark")  # with the window still open
    assert _colours(view) == {
        ("background", DARK["bg"]), ("axis", DARK["fg"]), ("text", DARK["fg"]),
        ("curve", DARK["curve"]), ("label", dark_text),
    }  # fmt: skip
    detected.set_theme("light")
    assert _colours(view) == light


def _wheel(target: QPoint, modifiers: Qt.KeyboardModifier) -> QWheelEvent:
    point = QPointF(target)
    return QWheelEvent(
        point, point, QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton, modifiers,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip


def test_the_wheel_scrolls_the_stack_and_ctrl_wheel_zooms(qtbot: QtBot, detected_ws: Path) -> None:
    info = _top_incident(detected_ws)
    with Workspace.open(detected_ws, create=False) as ws:
        data = tasks.load_incident(silent(), ws, info.id)
    view = IncidentView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    view.show_incident(data)
    area, plots = view.plots_area, view.plots_widget
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0, timeout=WAIT_MS)
    before = view.plots[0].viewRange()[0]
    centre = plots.mapFromScene(view.plots[0].getViewBox().sceneBoundingRect().center())
    plain = _wheel(centre, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(plots.viewport(), plain)
    # The plot under the pointer neither zooms nor takes the event: Qt then hands a real
    # (spontaneous) wheel event to the parent, the scroll area. A synthesised one is never
    # passed on, so the test hands it over itself.
    assert view.plots[0].viewRange()[0] == before and not plain.isAccepted()
    QApplication.sendEvent(area.viewport(), _wheel(centre, Qt.KeyboardModifier.NoModifier))
    assert area.verticalScrollBar().value() > 0
    ctrl = _wheel(centre, Qt.KeyboardModifier.ControlModifier)
    QApplication.sendEvent(plots.viewport(), ctrl)
    assert view.plots[0].viewRange()[0] != before and ctrl.isAccepted()


def test_merged_into_another_the_view_shows_the_survivor(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    shown = _top_incident(detected_ws)
    with Workspace.open(detected_ws, create=False) as ws:
        rows, _ = ws.anomalies(limit=50)
        free = next(r.id for r in rows if r.id not in shown.anomaly_ids)
        other = ws.create_incident("the other one", [free], "tester")
    desk = detected.incident_desk
    _open(qtbot, desk, shown.id)
    dock = desk.dock
    with qtbot.waitSignal(dock.loaded, timeout=WAIT_MS):
        dock.show()
    ids = [dock.model.index(r, 0).data(Qt.ItemDataRole.UserRole + 1).id for r in range(2)]
    # "the other one" was created last: it is listed first and keeps the members of both.
    assert ids == [other.id, shown.id]
    dock.table.selectAll()
    with qtbot.waitSignal(desk.incident_shown, timeout=WAIT_MS) as survivor:
        dock.merge_selected()
    data = survivor.args[0]
    assert isinstance(data, tasks.IncidentData) and data.info.id == other.id
    assert desk.view is not None and desk.view.data == data
    assert set(data.info.anomaly_ids) == {*shown.anomaly_ids, free}
    assert f"Incident #{shown.id} was merged into this one" in desk.view.title.text()
    assert f"#{other.id}" in desk.view_dock.windowTitle()

    # Dissolved: the view says so and draws nothing that could be acted on.
    dock.table.selectRow(0)
    with qtbot.waitSignal(desk.incident_gone, timeout=WAIT_MS) as gone:
        dock.dissolve_selected()
    assert gone.args == [other.id]
    view = desk.view
    assert view.data is None and view.plots == [] and view.graph.graph is None
    assert "was dissolved" in view.title.text() and not view.remove_button.isEnabled()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 0, timeout=WAIT_MS)


def test_deleted_elsewhere_the_view_says_it_no_longer_exists(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    info = _top_incident(detected_ws)
    desk = detected.incident_desk
    _open(qtbot, desk, info.id)
    with Workspace.open(detected_ws, create=False) as ws:  # as the command line would
        ws.dissolve_incident(info.id, "someone else")
    with qtbot.waitSignal(desk.incident_gone, timeout=WAIT_MS) as gone:
        desk.dock.show()  # the list is read again when shown
    assert gone.args == [info.id]
    assert desk.view is not None and "no longer exists" in desk.view.title.text()


def test_an_empty_incident_window_does_not_come_back_at_start(
    qtbot: QtBot, window: MainWindow
) -> None:
    """As a saved layout would show it: nothing to show yet, so it stays closed."""
    desk = window.incident_desk
    desk.view_dock.setVisible(True)
    qtbot.waitUntil(lambda: not desk.view_dock.isVisible(), timeout=WAIT_MS)
    assert desk.view is None
