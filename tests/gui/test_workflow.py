"""The whole investigation, driven through the widgets as a user would: import a NAB file,
detect, filter by severity and text, open the detail and comment on it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.detail_triage import NO_COMMENTS
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.model import FilterSpec, Severity
from anomaly_desk.store import Workspace
from tests.gui.conftest import NAB_TAXI, WAIT_MS


def test_import_detect_filter_and_read_an_anomaly(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    workspace = tmp_path / "case.sqlite"
    with qtbot.waitSignal(window.workspace_opened, timeout=WAIT_MS):
        window.open_workspace(workspace, create=True)
    pane = window.anomaly_pane
    assert pane.currentWidget() is pane.placeholder  # nothing detected yet

    # 1. Import nyc_taxi through the wizard's pages.
    with qtbot.waitSignal(window.wizard_opened, timeout=WAIT_MS):
        wizard = window.start_import(NAB_TAXI)
    assert wizard is not None
    for _page in ("preview", "mapping"):
        qtbot.waitUntil(lambda: wizard.currentPage().isComplete(), timeout=WAIT_MS)
        wizard.next()
    with (
        qtbot.waitSignal(window.workspace_opened, timeout=WAIT_MS),
        qtbot.waitSignal(wizard.import_ended, timeout=WAIT_MS),
    ):
        pass
    wizard.accept()
    assert window.snapshot is not None and "nyc_taxi" in window.snapshot.names

    # 2. Detect through the dialog; findings stream in, then the run is stored.
    with qtbot.waitSignal(window.detection.dialog_opened, timeout=WAIT_MS) as opened:
        window.menu_actions.detect.trigger()
    dialog = opened.args[0]
    assert dialog.selected().name == "nyc_taxi"
    with qtbot.waitSignal(dialog.preview_ready, timeout=WAIT_MS):
        pass
    expected, _ = dialog.shown_preview().at(dialog.slider.value())
    investigation = window.investigation
    with qtbot.waitSignal(window.detection.run_stored, timeout=WAIT_MS) as stored:
        dialog.run_button.click()
    found = stored.args[0].anomaly_count
    # The preview filters the findings of one run at full sensitivity by score: events group a
    # little differently at the chosen threshold, so it is an estimate ("≈" in the dialog).
    assert found > 0 and abs(found - expected) <= max(3, 0.2 * found)
    with qtbot.waitSignal(investigation.counts_shown, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: investigation.model.rowCount() == found, timeout=WAIT_MS)
    assert pane.currentWidget() is pane.splitter
    assert window.anomaly_counts.text().startswith(f"{found:,} anomal")

    # 3. Filter: the critical chip, then a word of the narratives in the search box.
    with qtbot.waitSignal(investigation.counts_shown, timeout=WAIT_MS):
        qtbot.mouseClick(
            window.filter_bar.severities.buttons[Severity.CRITICAL], Qt.MouseButton.LeftButton
        )
    with Workspace.open(workspace, create=False) as ws:
        critical = ws.count_anomalies(FilterSpec(severities=(Severity.CRITICAL,)))
        typical = ws.count_anomalies(FilterSpec(severities=(Severity.CRITICAL,), text="typical"))
    assert 0 < critical < found and typical > 0
    qtbot.waitUntil(lambda: investigation.model.rowCount() == critical, timeout=WAIT_MS)
    assert window.anomaly_counts.text().startswith(f"{critical:,} anomal")
    with qtbot.waitSignal(investigation.counts_shown, timeout=WAIT_MS):
        qtbot.keyClicks(window.filter_bar.search, "typical")  # debounced: one query
    qtbot.waitUntil(lambda: investigation.model.rowCount() == typical, timeout=WAIT_MS)
    model = investigation.model
    assert all(model.index(r, 0).data() == "critical" for r in range(model.rowCount()))
    # The natural-language box says back what it understood.
    window.filter_bar.query.setText("critical spikes")
    # Both: the counts and the table's first page come from separate jobs, in either order.
    with qtbot.waitSignals([investigation.counts_shown, model.page_loaded], timeout=WAIT_MS):
        window.filter_bar.query.returnPressed.emit()
    assert window.filter_bar.understood.texts() == ["severity: critical", "type: spike"]
    assert all(model.anomaly(r).type == "spike" for r in range(model.rowCount()))

    # 4. Open the first anomaly: the narrative, the context; then comment on it.
    with qtbot.waitSignal(investigation.detail_shown, timeout=WAIT_MS) as shown:
        window.menu_actions.triage["next"].trigger()
    detail = shown.args[0]
    detail_pane = window.detail_pane
    assert detail_pane is not None
    assert detail_pane.narrative.text() == detail.explanation["narrative"]
    assert detail_pane.narrative.text().startswith("value was")
    assert detail_pane.header.text().count("CRITICAL") == 1
    assert detail_pane.triage.comment_texts() == NO_COMMENTS
    qtbot.keyClicks(detail_pane.triage.comment_box, "Taxi demand dropped: holiday?")
    with qtbot.waitSignal(window.triage.info_shown, timeout=WAIT_MS):
        qtbot.mouseClick(detail_pane.triage.comment_button, Qt.MouseButton.LeftButton)
    assert "holiday?" in detail_pane.triage.comment_texts()
    assert detail_pane.triage.comment_box.toPlainText() == ""
    timeline = window.timeline
    assert timeline is not None
    qtbot.waitUntil(lambda: timeline.series_id() == detail.row.series_id, timeout=WAIT_MS)
    assert "nyc_taxi" in timeline.title.text()
