"""Anomaly > Detect… in the real window: the preview, the streamed findings, the stored run."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.anomaly_model import LiveRole
from anomaly_desk.gui.detection_dialog import DetectionDialog
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.store import Workspace
from tests.gui.conftest import WAIT_MS, open_workspace


def open_dialog(qtbot: QtBot, window: MainWindow) -> DetectionDialog:
    with qtbot.waitSignal(window.detection.dialog_opened, timeout=WAIT_MS) as opened:
        window.menu_actions.detect.trigger()
    dialog = opened.args[0]
    assert isinstance(dialog, DetectionDialog) and dialog.isVisible()
    return dialog


@pytest.fixture
def demo_window(qtbot: QtBot, window: MainWindow, demo_ws: Path) -> MainWindow:
    open_workspace(qtbot, window, demo_ws)
    return window


def test_the_preview_counts_follow_the_slider(qtbot: QtBot, demo_window: MainWindow) -> None:
    dialog = open_dialog(qtbot, demo_window)
    assert dialog.select_dataset("shop_orders")
    with qtbot.waitSignal(dialog.preview_ready, timeout=WAIT_MS) as ready:
        pass
    preview = ready.args[0]
    assert list(preview.counts) == sorted(preview.counts)  # more sensitive, more anomalies
    dialog.slider.setValue(100)
    most = dialog.preview.text()
    dialog.slider.setValue(0)
    fewest = dialog.preview.text()
    assert most.startswith(f"≈ {preview.counts[100]:,} ") and "critical" in most
    assert fewest.startswith(f"≈ {preview.counts[0]:,} ")
    assert preview.counts[100] > preview.counts[0]
    assert dialog.sensitivity.text() == "0.00"
    assert dialog.select_dataset("logins")
    with qtbot.waitSignal(dialog.preview_ready, timeout=WAIT_MS):
        pass
    assert "no preview for event and record datasets" in dialog.preview.text()
    dialog.reject()


def test_findings_stream_in_then_the_stored_run_replaces_them(
    qtbot: QtBot, demo_window: MainWindow, demo_ws: Path
) -> None:
    window = demo_window
    dialog = open_dialog(qtbot, window)
    assert dialog.select_dataset("datacenter_metrics")
    live_seen: list[int] = []
    window.detection.live_added.connect(
        lambda n: live_seen.append(window.investigation.model.live_count())
    )
    flow = window.detection
    stored: list[object] = []
    flow.run_stored.connect(stored.append)
    with qtbot.waitSignals(
        [flow.run_started, flow.live_added, flow.run_stored], order="simple", timeout=WAIT_MS
    ):
        dialog.run_button.click()
    assert window.detection.dialog is None  # closed (and deleted) once the run started
    assert live_seen and live_seen[-1] > 0  # italic "live" rows were in the table
    info = stored[0]
    model = window.investigation.model
    with qtbot.waitSignal(window.investigation.counts_shown, timeout=WAIT_MS) as counted:
        pass
    assert counted.args[0].total == info.anomaly_count > 0  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: model.rowCount() > 0 and model.live_count() == 0, timeout=WAIT_MS)
    assert model.index(0, 0).data(LiveRole) is False
    assert window.anomaly_pane.currentWidget() is window.anomaly_pane.splitter
    assert (
        window.statusBar().currentMessage()
        == f"Detection stored {counted.args[0].total} anomalies."
    )
    with Workspace.open(demo_ws, create=False) as ws:
        assert ws.count_anomalies() == counted.args[0].total


def test_a_cancelled_run_stores_nothing(
    qtbot: QtBot, demo_window: MainWindow, demo_ws: Path
) -> None:
    window = demo_window
    dialog = open_dialog(qtbot, window)
    assert dialog.select_dataset("datacenter_metrics")
    flow = window.detection
    with qtbot.waitSignal(flow.run_started, timeout=WAIT_MS):
        dialog.run_button.click()
    assert window.jobs.isVisible() and window.jobs.job is flow.job
    with qtbot.waitSignal(flow.run_ended, timeout=WAIT_MS) as ended:
        window.jobs.cancel_button.click()  # the status bar's cancel
    assert ended.args[0] == "cancelled"
    assert window.investigation.model.live_count() == 0
    with Workspace.open(demo_ws, create=False) as ws:
        assert ws.count_anomalies() == 0 and ws.detection_runs() == []


def test_findings_of_the_shown_series_appear_on_the_timeline_as_they_come(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    investigation = window.investigation
    with qtbot.waitSignals([window.series_shown, investigation.markers_shown], timeout=WAIT_MS):
        assert window.explorer.select("datacenter_metrics", "web-03/latency_ms")
    timeline = window.timeline
    assert timeline is not None and timeline.data is not None
    assert timeline.overlays.rows == ()  # nothing detected yet
    shown_id = timeline.data.info.id
    live_on_timeline: list[int] = []
    flow = window.detection
    flow.live_added.connect(lambda _n: live_on_timeline.append(len(timeline.overlays.rows)))
    dialog = open_dialog(qtbot, window)
    assert dialog.select_dataset("datacenter_metrics")
    with qtbot.waitSignals([flow.run_started, flow.run_stored], order="simple", timeout=WAIT_MS):
        dialog.run_button.click()
    # While the run streamed, the timeline showed its findings on this series (live ids < 0).
    assert live_on_timeline and max(live_on_timeline) > 0
    # Once stored, the live markers give way to the stored anomalies of the same series.
    qtbot.waitUntil(
        lambda: (
            len(timeline.overlays.rows) > 0
            and all(r.id > 0 and r.series_id == shown_id for r in timeline.overlays.rows)
        ),
        timeout=WAIT_MS,
    )
