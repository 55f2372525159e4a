"""The import wizard driven page by page, as a user would, into a real workspace file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.import_wizard import ImportWizard
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.model import DatasetKind
from anomaly_desk.store import Workspace
from tests.conftest import logical_snapshot, write
from tests.gui.conftest import NAB_TAXI, WAIT_MS

HOSTS, POINTS = 2000, 250  # 500,000 rows, 2,000 series: storing takes ~1 s in many chunks


@pytest.fixture(scope="session")
def many_series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    stamps = np.datetime_as_string(
        np.datetime64("2020-01-01T00:00:00") + np.arange(POINTS).astype("timedelta64[m]")
    )
    values = np.random.default_rng(7).normal(size=HOSTS)
    rows = [f"{s}Z,h{h},{v:.3f}" for s in stamps for h, v in enumerate(values)]
    path = tmp_path_factory.mktemp("big") / "many.csv"
    path.write_text("timestamp,host,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def empty_window(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> Iterator[MainWindow]:
    with qtbot.waitSignal(window.workspace_opened, timeout=WAIT_MS):
        window.open_workspace(tmp_path / "ws.sqlite", create=True)
    yield window


def start(qtbot: QtBot, window: MainWindow, path: Path) -> ImportWizard:
    wizard = window.start_import(path)
    assert wizard is not None
    with qtbot.waitSignal(wizard.planned, timeout=WAIT_MS):
        pass
    return wizard


def next_page(qtbot: QtBot, wizard: ImportWizard) -> None:
    qtbot.waitUntil(lambda: wizard.currentPage().isComplete(), timeout=WAIT_MS)
    wizard.next()


def test_nab_file_imports_through_the_pages_and_shows_the_report(
    qtbot: QtBot, empty_window: MainWindow
) -> None:
    window = empty_window
    wizard = start(qtbot, window, NAB_TAXI)
    # Page 1: the preview of the first rows.
    assert wizard.currentPage() is wizard.preview_page
    model = wizard.preview_model
    assert model.columnCount() == 2 and model.rowCount() > 100
    assert model.index(0, 0).data() == "2014-07-01 00:00:00"
    assert model.index(0, 1).data() == "10844"
    assert "CSV, comma-separated, with a header row" in wizard.preview_page.summary.text()
    next_page(qtbot, wizard)
    # Page 2: the detected mapping.
    page = wizard.mapping_page
    assert wizard.currentPage() is page
    assert page.name.text() == "nyc_taxi"
    assert page.selected_kind() is DatasetKind.TIMESERIES
    assert page.timestamp.currentText() == "timestamp"
    checked = [page.columns.item(i).text() for i in range(page.columns.count())]
    assert checked == ["value"]
    assert "no offset" in page.notes.text()  # naive times: the wizard says how they are read
    next_page(qtbot, wizard)
    # Page 3: the import runs in a worker, then the report.
    with (
        qtbot.waitSignal(window.workspace_opened, timeout=WAIT_MS),  # the explorer refresh
        qtbot.waitSignal(wizard.import_ended, timeout=WAIT_MS) as ended,
    ):
        pass
    assert ended.args == ["done"]
    report = wizard.run_page.report.toPlainText()
    assert "10,320 rows, 1 series" in report and "typical step 30 min" in report
    assert wizard.run_page.isComplete()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert window.explorer.model.find("nyc_taxi").isValid()
    assert window.snapshot is not None and "nyc_taxi" in window.snapshot.names
    wizard.accept()


def test_changing_the_kind_replans_the_mapping(qtbot: QtBot, empty_window: MainWindow) -> None:
    wizard = start(qtbot, empty_window, NAB_TAXI)
    next_page(qtbot, wizard)
    page = wizard.mapping_page
    with qtbot.waitSignal(wizard.planned, timeout=WAIT_MS) as planned:
        page.kind.setCurrentIndex(page.kind.findData(DatasetKind.EVENTS.value))
        page.kind.activated.emit(page.kind.currentIndex())
    assert planned.args[0].plan.mapping.kind is DatasetKind.EVENTS
    assert page.columns_label.text() == "Fields"
    assert not page.entity.isEnabled()
    page.name.setText("nyc_taxi")
    page.name.textEdited.emit("nyc_taxi")
    assert page.isComplete()
    wizard.reject()


def test_a_malformed_file_lists_its_errors_by_row_and_column(
    qtbot: QtBot, empty_window: MainWindow, tmp_path: Path
) -> None:
    rows = [f"2024-01-01T{h:02d}:{m:02d}:00Z,{m}" for h in range(12) for m in range(60)]
    rows[2] = "2024-01-01T00:02:00Z,12,5"  # one field too many is caught in the preview
    broken = write(tmp_path / "broken.csv", "timestamp,value\n" + "\n".join(rows) + "\n")
    wizard = empty_window.start_import(broken)
    assert wizard is not None
    with qtbot.waitSignal(wizard.plan_failed, timeout=WAIT_MS):
        pass
    panel = wizard.preview_page.problems
    assert not panel.isHidden() and not wizard.preview_page.isComplete()
    assert [panel.model.index(0, c).data() for c in range(3)] == ["3", "4", ""]  # row, line
    assert "expected 2 fields, found 3" in panel.model.index(0, 4).data()
    wizard.reject()

    rows[2] = "2024-01-01T00:02:00Z,2"
    rows[600] = "2024-01-01T10:00:00Z,abc"  # beyond the preview: caught by the import
    rows[650] = "2024-01-01T10:50:00Z,1.2.3"
    write(broken, "timestamp,value\n" + "\n".join(rows) + "\n")
    wizard = start(qtbot, empty_window, broken)
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    with qtbot.waitSignal(wizard.import_ended, timeout=WAIT_MS) as ended:
        pass
    assert ended.args == ["failed"]
    panel = wizard.run_page.problems
    table = [[panel.model.index(r, c).data() for c in range(5)] for r in range(2)]
    assert table[0][:4] == ["601", "", "value", "abc"]
    assert table[1][:4] == ["651", "", "value", "1.2.3"]
    assert "cannot be imported: 2 problems. Nothing was changed." in panel.message.text()
    assert "choose 'Import them as missing' (mapping page)" in panel.message.text()  # not a flag
    assert not wizard.run_page.isComplete()
    wizard.back()  # the user may fix the mapping and try again
    assert wizard.currentPage() is wizard.mapping_page
    wizard.reject()


def test_cancelling_a_running_import_leaves_the_workspace_unchanged(
    qtbot: QtBot, empty_window: MainWindow, many_series: Path
) -> None:
    window = empty_window
    assert window.workspace_path is not None
    before = logical_snapshot(window.workspace_path)
    wizard = start(qtbot, window, many_series)
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    job = wizard.run_page.job
    assert job is not None

    def cancel_while_storing(_fraction: float, message: str) -> None:
        if message == "storing series":  # inside the write transaction
            wizard.run_page.cancel_button.click()

    job.progressed.connect(cancel_while_storing)
    with qtbot.waitSignal(wizard.import_ended, timeout=WAIT_MS) as ended:
        pass
    assert ended.args == ["cancelled"]
    assert wizard.run_page.status.text() == "Import cancelled; nothing was changed."
    assert logical_snapshot(window.workspace_path) == before
    with Workspace.open(window.workspace_path, create=False) as ws:
        assert ws.datasets() == []
    wizard.reject()


def test_the_gui_thread_keeps_ticking_during_an_import(
    qtbot: QtBot, empty_window: MainWindow, many_series: Path
) -> None:
    wizard = start(qtbot, empty_window, many_series)
    next_page(qtbot, wizard)
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(tick)
    probe.start()
    try:
        next_page(qtbot, wizard)
        with qtbot.waitSignal(wizard.import_ended, timeout=WAIT_MS * 3) as ended:
            pass
    finally:
        probe.stop()
    assert ended.args == ["done"]
    # The import took about a second; a blocked event loop would have ticked once or twice.
    assert ticks >= 10
    qtbot.waitUntil(lambda: empty_window.runner.running() == [], timeout=WAIT_MS)
    wizard.accept()
