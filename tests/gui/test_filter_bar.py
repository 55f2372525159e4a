"""The filter bar alone: controls make one FilterSpec; typing is debounced; views are saved
in the workspace (and those of earlier versions, kept in QSettings, move there)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.errors import NotificationManager
from anomaly_desk.gui.filter_bar import DEBOUNCE_MS, FilterBar
from anomaly_desk.gui.filter_state import CUSTOM, NS, FilterState
from anomaly_desk.gui.saved_views import ViewStore
from anomaly_desk.gui.settings import APPLICATION, ORGANIZATION, Preferences
from anomaly_desk.gui.workers import JobRunner
from anomaly_desk.model import FilterSpec, Severity, Status
from anomaly_desk.store import Workspace
from tests.gui.conftest import WAIT_MS

END = 1_700_000_000 * NS
SERIES = [(3, "web-01/cpu_pct"), (4, "web-01/latency_ms")]


@pytest.fixture
def views() -> Iterator[ViewStore]:
    runner = JobRunner(NotificationManager())
    yield ViewStore(runner, Preferences())
    runner.shutdown()


@pytest.fixture
def bar(qtbot: QtBot, views: ViewStore) -> FilterBar:
    widget = FilterBar(views)
    qtbot.addWidget(widget)
    widget.set_workspace({"metrics": 1}, SERIES, END)
    widget.show()
    return widget


def test_clicks_apply_at_once_and_make_one_spec(qtbot: QtBot, bar: FilterBar) -> None:
    with qtbot.waitSignal(bar.changed, timeout=1000) as changed:
        qtbot.mouseClick(bar.severities.buttons[Severity.CRITICAL], Qt.MouseButton.LeftButton)
    assert changed.args[0] == FilterSpec(severities=(Severity.CRITICAL,))
    with qtbot.waitSignal(bar.changed, timeout=1000) as changed:
        bar.status.actions_by_value["new"].trigger()
    assert changed.args[0].statuses == (Status.NEW,)
    with qtbot.waitSignal(bar.changed, timeout=1000) as changed:
        bar.time.setCurrentIndex(bar.time.findData("7d"))
        bar.time.activated.emit(bar.time.currentIndex())
    spec = changed.args[0]
    assert (spec.since_ns, spec.until_ns) == (END - 7 * 86_400 * NS, END)  # of the data's end
    with qtbot.waitSignal(bar.changed, timeout=1000) as changed:
        bar.series.setCurrentIndex(bar.series.findData(4))
        bar.series.activated.emit(bar.series.currentIndex())
    assert changed.args[0].series_ids == (4,)
    with qtbot.waitSignal(bar.changed, timeout=1000) as changed:
        bar.min_score.setValue(50)
    assert changed.args[0].min_score == 50
    assert "Status: new" in bar.status.text()
    with qtbot.waitSignal(bar.changed, timeout=1000) as changed:
        bar.clear()
    assert changed.args[0] == FilterSpec() and not bar.severities.selected()


def test_typing_is_debounced_into_one_query(qtbot: QtBot, bar: FilterBar) -> None:
    specs: list[FilterSpec] = []
    bar.changed.connect(specs.append)
    started = time.perf_counter()
    with qtbot.waitSignal(bar.changed, timeout=3000):
        qtbot.keyClicks(bar.search, "latency")
    waited = time.perf_counter() - started
    assert [s.text for s in specs] == ["latency"]  # one query for seven letters
    assert waited >= DEBOUNCE_MS / 1000 * 0.9


def test_natural_language_sets_the_controls_and_shows_chips(qtbot: QtBot, bar: FilterBar) -> None:
    bar.query.setText("critical spikes on web-01/latency_ms last 7 days timeout")
    with qtbot.waitSignal(bar.changed, timeout=1000) as changed:
        bar.query.returnPressed.emit()
    spec = changed.args[0]
    assert spec.severities == (Severity.CRITICAL,) and spec.types == ("spike",)
    assert spec.series_ids == (4,) and spec.text == "timeout"
    assert (spec.since_ns, spec.until_ns) == (END - 7 * 86_400 * NS, END)
    assert bar.severities.buttons[Severity.CRITICAL].isChecked()
    assert bar.time.currentData() == CUSTOM and bar.since.isVisible()
    assert bar.series.currentText() == "web-01/latency_ms"
    assert bar.search.text() == "timeout"
    chips = bar.understood.texts()
    assert chips[0] == "severity: critical"
    assert "series: web-01/latency_ms" in chips and "type: spike" in chips
    assert bar.understood.caption.text() == "Understood:"


def test_saved_views_live_in_the_workspace(
    qtbot: QtBot, bar: FilterBar, views: ViewStore, tmp_path: Path
) -> None:
    older = FilterState(severities=(Severity.CRITICAL,), text="web")
    legacy = QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )
    legacy.setValue("filters/saved_views", json.dumps({"from before": older.to_json()}))
    legacy.sync()
    path = tmp_path / "views.sqlite"
    Workspace.open(path, create=True).close()
    with qtbot.waitSignal(views.loaded, timeout=WAIT_MS):
        views.set_workspace(path)
    assert list(views.views) == ["from before"]  # moved from QSettings into the workspace
    assert Preferences().legacy_saved_views() == {}

    state = FilterState(time_preset="24h", severities=(Severity.MAJOR,), text="disk")
    bar.set_state(state)
    with qtbot.waitSignal(views.saved, timeout=WAIT_MS):
        bar.save_view("disk trouble")
    with Workspace.open(path, create=False) as ws:
        stored = ws.saved_views()
    assert stored["disk trouble"] == state.to_json()  # the filter bar's own format
    assert FilterState.from_json(stored["from before"]) == older
    bar.clear()
    with qtbot.waitSignal(bar.changed, timeout=1000) as changed:
        assert bar.apply_view("disk trouble")
    assert bar.state() == state and changed.args[0].text == "disk"
    assert bar.severities.buttons[Severity.MAJOR].isChecked()
    bar.views_menu.aboutToShow.emit()
    names = [a.text() for a in bar.views_menu.actions()]
    assert "Save current view…" in names and "disk trouble" in names
    with qtbot.waitSignal(views.saved, timeout=WAIT_MS):
        views.delete("disk trouble")
    assert not bar.apply_view("disk trouble")
    with Workspace.open(path, create=False) as ws:
        assert list(ws.saved_views()) == ["from before"]
