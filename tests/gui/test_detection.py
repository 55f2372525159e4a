"""Anomaly > Detect… in the real window: the preview, the streamed findings, the stored run."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from anomaly_desk.detect.catalog import ALL, FAMILIES, ordered
from anomaly_desk.gui.anomaly_model import LiveRole
from anomaly_desk.gui.detection_dialog import DetectionDialog
from anomaly_desk.gui.detection_tasks import Preview
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.model import DetectionRunInfo
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


def wait_preview(qtbot: QtBot, dialog: DetectionDialog, families: frozenset[str]) -> Preview:
    """The preview for ``families`` (one for an earlier choice may arrive first)."""
    with qtbot.waitSignal(
        dialog.preview_ready,
        timeout=WAIT_MS,
        check_params_cb=lambda p: p.detectors == families,
    ) as ready:
        pass
    preview = ready.args[0]
    assert isinstance(preview, Preview)
    return preview


def test_chosen_families_change_the_preview_and_are_what_the_run_stores(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    dialog = open_dialog(qtbot, window)
    assert dialog.select_dataset("datacenter_metrics")
    boxes = dialog.families
    assert list(boxes) == list(FAMILIES) and all(b.isChecked() for b in boxes.values())
    assert boxes["shape"].toolTip() == FAMILIES["shape"] and boxes["shape"].isEnabled()
    deviation = boxes["deviation"]
    assert not deviation.isEnabled() and "Always on" in deviation.toolTip()

    # A burst of clicks computes one preview, for where the clicks ended.
    boxes["shape"].setChecked(False)
    boxes["gaps"].setChecked(False)
    boxes["gaps"].setChecked(True)
    assert dialog.preview.text() == "Computing a preview…"
    no_shape = wait_preview(qtbot, dialog, ALL - {"shape"})
    dataset_id = no_shape.dataset_id
    assert (dataset_id, ALL - {"shape", "gaps"}) not in dialog.previews
    shown = dialog.preview.text()
    assert shown.startswith(f"≈ {no_shape.counts[50]:,} ")

    boxes["scales"].setChecked(False)
    fewer = wait_preview(qtbot, dialog, ALL - {"shape", "scales"})
    assert fewer.counts != no_shape.counts  # unticking a family changes the count
    assert dialog.preview.text().startswith(f"≈ {fewer.counts[50]:,} ")
    boxes["scales"].setChecked(True)  # back to a choice already previewed: a lookup
    assert dialog.preview.text() == shown
    assert dialog.preview_job is None and not dialog.preview_delay.isActive()

    flow = window.detection
    with qtbot.waitSignal(flow.run_stored, timeout=WAIT_MS) as stored:
        dialog.run_button.click()
    info = stored.args[0]
    assert isinstance(info, DetectionRunInfo)
    assert info.config["detectors"] == ordered(ALL - {"shape"})
    assert window.preferences.detect_families() == ALL - {"shape"}
    again = open_dialog(qtbot, window)  # the next dialog starts from the last run's choice
    assert again.chosen_families() == ALL - {"shape"}
    again.reject()


def test_event_and_record_datasets_keep_their_own_detectors(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    dialog = open_dialog(qtbot, demo_window)
    assert dialog.select_dataset("logins")
    with qtbot.waitSignal(dialog.preview_ready, timeout=WAIT_MS):
        pass
    assert not dialog.family_box.isEnabled()
    assert "run their own detectors" in dialog.families["shape"].toolTip()
    request = dialog.request()
    assert request is not None and request.detectors is None
    assert dialog.select_dataset("shop_orders")
    assert dialog.family_box.isEnabled() and not dialog.families["deviation"].isEnabled()
    assert dialog.families["trend"].toolTip() == FAMILIES["trend"]
    wait_preview(qtbot, dialog, ALL)
    request = dialog.request()
    assert request is not None and request.detectors == ALL
    dialog.reject()


def test_the_last_choice_of_families_is_remembered() -> None:
    from anomaly_desk.gui.settings import Preferences

    prefs = Preferences()
    assert prefs.detect_families() is None  # never chosen: all
    prefs.set_detect_families(ALL - {"shape", "trend"})
    assert Preferences().detect_families() == ALL - {"shape", "trend"}
    prefs.set_detect_families(ALL)  # stored as "all", so families added later are on too
    assert Preferences().detect_families() is None
