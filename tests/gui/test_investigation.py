"""The anomaly views in the real window on a detected workspace: table, swimlane, timeline
overlays, detail pane and the J/K keys, kept in step by one filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.anomaly_model import AnomalyIdRole
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.model import Severity
from tests.gui.conftest import WAIT_MS, open_workspace, stored_counts

NS = 1_000_000_000
PAGE = 10  # the demo finds a few dozen anomalies: smaller pages so that paging shows


@pytest.fixture
def detected(qtbot: QtBot, window: MainWindow, detected_ws: Path) -> MainWindow:
    model = window.investigation.model
    model.first_page = model.next_page = PAGE
    with qtbot.waitSignals(
        [model.page_loaded, window.investigation.counts_shown, window.investigation.swimlane_shown],
        timeout=WAIT_MS,
    ):
        open_workspace(qtbot, window, detected_ws)
    return window


def test_a_detected_workspace_shows_table_swimlane_and_counts(
    detected: MainWindow, detected_ws: Path
) -> None:
    window = detected
    total, critical, lanes = stored_counts(detected_ws)
    pane = window.anomaly_pane
    assert pane.currentWidget() is pane.splitter
    model = window.investigation.model
    # The view asks for more pages until its rows fill it: whole pages, or everything.
    assert model.rowCount() >= PAGE and (model.rowCount() % PAGE == 0 or model.complete)
    assert model.index(0, 0).data() == "critical"
    assert window.anomaly_counts.text().startswith(f"{total} anomalies · {critical} critical")
    swimlane = window.swimlane
    assert swimlane is not None and swimlane.view is not None
    assert swimlane.view.lanes[0].endswith("latency_ms") and swimlane.view.hidden > 0
    assert f"highest of {lanes} lanes" in swimlane.caption.text()
    assert window.menu_actions.triage["next"].isEnabled()
    assert not window.menu_actions.triage["confirm"].isEnabled()  # nothing selected yet


def test_the_filter_drives_table_counts_and_swimlane(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    window = detected
    _, critical, _ = stored_counts(detected_ws)
    investigation = window.investigation
    with qtbot.waitSignals(
        [investigation.model.page_loaded, investigation.counts_shown, investigation.swimlane_shown],
        timeout=WAIT_MS,
    ):
        qtbot.mouseClick(
            window.filter_bar.severities.buttons[Severity.CRITICAL], Qt.MouseButton.LeftButton
        )
    model = investigation.model
    assert model.rowCount() == min(critical, PAGE) or model.rowCount() == critical
    assert {model.anomaly(r).severity for r in range(model.rowCount())} == {Severity.CRITICAL}
    assert window.anomaly_counts.text().startswith(f"{critical} anomalies · {critical} critical")
    swimlane = window.swimlane
    assert swimlane is not None and swimlane.view is not None
    assert swimlane.view.scores[swimlane.view.scores > 0].min() >= 75
    # Both swimlanes, the one shown on opening included, are cached: going back and forth
    # shows the very same views again without a query.
    cached = dict(investigation.swimlane_cache)
    assert len(cached) == 2
    with qtbot.waitSignal(investigation.swimlane_shown, timeout=1000) as default:
        window.filter_bar.clear()
    with qtbot.waitSignal(investigation.swimlane_shown, timeout=1000) as again:
        qtbot.mouseClick(
            window.filter_bar.severities.buttons[Severity.CRITICAL], Qt.MouseButton.LeftButton
        )
    assert investigation.swimlane_cache == cached
    views = [id(v) for v in cached.values()]
    assert id(default.args[0]) in views and id(again.args[0]) in views
    assert default.args[0] is not again.args[0]


def test_a_swimlane_cell_filters_the_table_and_shows_the_series(
    qtbot: QtBot, detected: MainWindow
) -> None:
    window = detected
    swimlane = window.swimlane
    assert swimlane is not None and swimlane.view is not None
    view = swimlane.view
    lane = 0
    bucket = int(view.scores[lane].argmax())
    model = window.investigation.model
    with qtbot.waitSignals([model.page_loaded, window.series_shown], timeout=WAIT_MS):
        picked = swimlane.click_cell(lane, bucket)
    assert picked is not None and picked.series_id is not None
    rows = [model.anomaly(r) for r in range(model.rowCount())]
    assert rows and all(r.series_id == picked.series_id for r in rows)
    assert all(r.end_ns >= picked.start_ns and r.start_ns <= picked.end_ns for r in rows)
    assert window.filter_bar.selection.text().startswith(f"Selection: {view.lanes[0]}")
    timeline = window.timeline
    assert timeline is not None and timeline.series_id() == picked.series_id
    low, high = timeline.visible_range()
    assert low <= picked.start_ns / NS and high >= picked.start_ns / NS  # zoomed onto the cell
    with qtbot.waitSignal(model.page_loaded, timeout=WAIT_MS):
        window.filter_bar.selection_clear.click()
    assert model.rowCount() == PAGE and not window.filter_bar.selection.isVisible()
    # A click on the plot itself goes through the same path.
    box = swimlane.plot.getPlotItem().getViewBox()
    centre = QPointF(view.start_ns / NS + (bucket + 0.5) * view.width_ns / NS, 0.5)
    assert swimlane.cell_at(box.mapViewToScene(centre)) == (0, bucket)


def test_timeline_band_markers_and_range_drag(qtbot: QtBot, detected: MainWindow) -> None:
    window = detected
    investigation = window.investigation
    with qtbot.waitSignals(
        [window.series_shown, investigation.band_shown, investigation.markers_shown],
        timeout=WAIT_MS,
    ):
        window.explorer.select("datacenter_metrics", "db-01/latency_ms")
    timeline = window.timeline
    assert timeline is not None
    overlays = timeline.overlays
    band_x, band_low = overlays.band_low.getData()
    assert band_x is not None and len(band_x) > 1000 and overlays.band_fill.isVisible()
    _, band_high = overlays.band_high.getData()
    assert (band_high >= band_low).all()
    spots = overlays.markers.points()
    assert len(spots) == len(overlays.rows) > 0
    strongest = overlays.rows[0]
    assert spots[0].brush().color().name() == "#fe5050"  # critical red, as in the table
    model = investigation.model
    with qtbot.waitSignal(investigation.detail_shown, timeout=WAIT_MS) as shown:
        overlays.markers.sigClicked.emit(overlays.markers, [spots[0]], None)
    assert shown.args[0].row.id == strongest.id
    current = window.anomaly_pane.table.currentIndex()
    assert current.isValid() and current.data(AnomalyIdRole) == strongest.id

    class Drag:  # what pyqtgraph hands the view box for a Shift + drag
        def __init__(self, a: float, b: float, finish: bool) -> None:
            box = timeline.view_box
            self.a = box.mapViewToScene(QPointF(a, 0))
            self.b = box.mapViewToScene(QPointF(b, 0))
            self.finish = finish

        def button(self) -> Qt.MouseButton:
            return Qt.MouseButton.LeftButton

        def modifiers(self) -> Qt.KeyboardModifier:
            return Qt.KeyboardModifier.ShiftModifier

        def buttonDownScenePos(self) -> QPointF:
            return self.a

        def scenePos(self) -> QPointF:
            return self.b

        def isFinish(self) -> bool:
            return self.finish

        def accept(self) -> None:
            pass

    start = strongest.start_ns / NS
    timeline.view_box.mouseDragEvent(Drag(start - 3600, start, False))
    assert overlays.selection.isVisible()
    with qtbot.waitSignal(model.page_loaded, timeout=WAIT_MS):
        timeline.view_box.mouseDragEvent(Drag(start - 3600, start + 3600, True))
    rows = [model.anomaly(r) for r in range(model.rowCount())]
    assert rows and all(
        r.end_ns >= (start - 3601) * NS and r.start_ns <= (start + 3601) * NS for r in rows
    )
    assert len({r.series_id for r in rows}) > 1  # a time range, across series
    assert window.filter_bar.selection.isVisible()


def test_selecting_a_row_loads_the_detail(qtbot: QtBot, detected: MainWindow) -> None:
    window = detected
    investigation = window.investigation
    table = window.anomaly_pane.table
    with qtbot.waitSignal(investigation.detail_shown, timeout=WAIT_MS) as shown:
        table.select_row(0)
    detail = shown.args[0]
    pane = window.detail_pane
    assert pane is not None and pane.currentWidget() is pane.page
    assert "typical for" in pane.narrative.text()
    assert pane.facts["Actual"].text() == f"{detail.row.actual:,.4g}"
    assert "robust σ" in pane.facts["Deviation"].text()
    assert pane.contributions.items and pane.contributions.items[0][0].startswith("seasonal")
    x, _ = pane.context.curve.getData()
    assert x is not None and x[0] < detail.row.start_ns / NS < x[-1]
    assert pane.related.count() == len(detail.related) > 0
    assert pane.triage.anomaly_id == detail.row.id and not pane.triage.comment_button.isEnabled()
    related_id = detail.related[0].id
    with qtbot.waitSignal(investigation.detail_shown, timeout=WAIT_MS) as jumped:
        pane.related.itemClicked.emit(pane.related.item(0))
    assert jumped.args[0].row.id == related_id


def test_j_and_k_move_through_the_table(
    qtbot: QtBot, detected: MainWindow, detected_ws: Path
) -> None:
    window = detected
    window.activateWindow()
    table = window.anomaly_pane.table
    model = window.investigation.model
    with qtbot.waitSignal(window.investigation.detail_shown, timeout=WAIT_MS):
        window.menu_actions.triage["next"].trigger()
    assert table.currentIndex().row() == 0
    window.menu_actions.triage["next"].trigger()
    window.menu_actions.triage["next"].trigger()
    window.menu_actions.triage["previous"].trigger()
    assert table.currentIndex().row() == 1
    assert table.selected_ids() == [model.anomaly(1).id]
    assert model.canFetchMore()
    table.select_row(model.rowCount() - 1)
    with qtbot.waitSignal(model.page_loaded, timeout=WAIT_MS):
        table.step(+1)  # past the loaded rows: the next page comes, the view never waits
    assert model.rowCount() > PAGE
    assert QApplication.focusWidget() is not None
