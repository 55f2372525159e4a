"""GUI test fixtures: real widgets offscreen, isolated settings, and no leftovers.

Like napari's conftest, every GUI test fails if it leaves a QTimer active, a QThread running,
a QThreadPool task running or a Python thread alive: those are the bugs that crash a later
test or keep the app from quitting. pytest-qt closes the widgets a test registered with
``qtbot.addWidget`` before these checks run.
"""

from __future__ import annotations

import shutil
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QSettings, QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QStatusBar
from pytestqt.qtbot import QtBot

from anomaly_desk.gui.errors import NotificationManager
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.settings import Preferences
from anomaly_desk.gui.workers import JobRunner

WAIT_MS = 20_000  # generous: CI machines have two slow cores; tests wait on signals, not sleeps


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> Iterator[Path]:
    """Every test gets an empty settings directory: no recent workspaces, default theme."""
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


class _Tracker:
    def __init__(self) -> None:
        self.timers: list[weakref.ref[QTimer]] = []
        self.threads: list[weakref.ref[QThread]] = []
        self.pools: list[weakref.ref[QThreadPool]] = []
        self.pending_single_shots = 0

    @staticmethod
    def alive(refs: list[Any], check: Callable[[Any], bool]) -> list[Any]:
        found = []
        for ref in refs:
            obj = ref()
            if obj is not None and shiboken6.isValid(obj) and check(obj):
                found.append(obj)
        return found


@pytest.fixture(autouse=True)
def no_leftovers(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Tracker]:
    tracker = _Tracker()
    timer_start, thread_start, pool_start = QTimer.start, QThread.start, QThreadPool.start
    single_shot = QTimer.singleShot

    def start_timer(self: QTimer, *args: Any) -> None:
        tracker.timers.append(weakref.ref(self))
        timer_start(self, *args)

    def start_thread(self: QThread, *args: Any) -> None:
        tracker.threads.append(weakref.ref(self))
        thread_start(self, *args)

    def start_pool(self: QThreadPool, *args: Any) -> None:
        tracker.pools.append(weakref.ref(self))
        pool_start(self, *args)

    def start_single_shot(*args: Any) -> None:
        callback = args[-1]
        if callable(callback) and not hasattr(callback, "emit"):
            tracker.pending_single_shots += 1

            def run() -> None:
                tracker.pending_single_shots -= 1
                callback()

            args = (*args[:-1], run)
        single_shot(*args)

    monkeypatch.setattr(QTimer, "start", start_timer)
    monkeypatch.setattr(QThread, "start", start_thread)
    monkeypatch.setattr(QThreadPool, "start", start_pool)
    monkeypatch.setattr(QTimer, "singleShot", staticmethod(start_single_shot))
    before = set(threading.enumerate())
    yield tracker

    problems = []
    pools = tracker.alive(tracker.pools, lambda p: p.activeThreadCount() > 0)
    for pool in pools:
        pool.waitForDone(2000)  # let the next test start clean, but still fail this one
    if pools:
        problems.append(f"{len(pools)} thread pool(s) still running tasks")
    threads = tracker.alive(tracker.threads, lambda t: t.isRunning())
    if threads:
        problems.append(f"{len(threads)} QThread(s) still running")
    timers = tracker.alive(tracker.timers, lambda t: t.isActive())
    for timer in timers:
        timer.stop()
    if timers:
        problems.append(f"{len(timers)} QTimer(s) still active")
    if tracker.pending_single_shots:
        qtbot.waitUntil(lambda: tracker.pending_single_shots == 0, timeout=2000)
        problems.append("QTimer.singleShot callbacks were still pending")
    extra = [
        t
        for t in set(threading.enumerate()) - before
        if t.is_alive() and not isinstance(t, threading._DummyThread)
    ]
    for thread in extra:
        thread.join(timeout=2)
    if [t for t in extra if t.is_alive()]:
        problems.append(f"Python threads left running: {[t.name for t in extra]}")
    if problems:
        pytest.fail("test left work behind: " + "; ".join(problems))


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, built once (as a user's first start would) and copied per test."""
    from anomaly_desk.demo import build_demo_workspace

    return build_demo_workspace(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def demo_ws(tmp_path: Path, demo_source: Path) -> Path:
    dest = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_source, dest)
    return dest


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    win = MainWindow(Preferences(), demo_path=tmp_path / "built-demo.sqlite")
    qtbot.addWidget(win)
    win.show()
    return win


Runner = tuple[JobRunner, NotificationManager]


@pytest.fixture
def runner_with_notes(qtbot: QtBot) -> Iterator[Runner]:
    """A real JobRunner with its notifications (the worker tests' fixture)."""
    bar = QStatusBar()
    qtbot.addWidget(bar)
    notes = NotificationManager(None, bar)
    jobs = JobRunner(notes)
    yield jobs, notes
    assert jobs.shutdown()  # a test that leaves a job running fails here


def open_workspace(qtbot: QtBot, win: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(win.workspace_opened, timeout=WAIT_MS):
        win.open_workspace(path)


NAB_TAXI = (
    Path(__file__).resolve().parents[2].parent
    / "shared" / "data" / "nab" / "data" / "realKnownCause" / "nyc_taxi.csv"
)  # fmt: skip


@pytest.fixture(scope="session")
def detected_source(demo_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace after detection on its two time series datasets, built once."""
    from anomaly_desk.analysis import run_detection
    from anomaly_desk.store import Workspace

    dest = tmp_path_factory.mktemp("detected") / "detected.sqlite"
    shutil.copyfile(demo_source, dest)
    with Workspace.open(dest, create=False) as ws:
        for name in ("datacenter_metrics", "shop_orders"):
            run_detection(ws, name)
    return dest


@pytest.fixture
def detected_ws(tmp_path: Path, detected_source: Path) -> Path:
    dest = tmp_path / "detected.sqlite"
    shutil.copyfile(detected_source, dest)
    return dest


MANY_ANOMALIES, MANY_SERIES, MANY_POINTS = 50_000, 40, 2_000


@pytest.fixture(scope="session")
def many_anomalies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with 50,000 synthetic anomalies over 40 series (read-only in tests)."""
    from tests.gui.synthetic import synthetic_workspace

    path = tmp_path_factory.mktemp("many") / "many.sqlite"
    return synthetic_workspace(path, MANY_SERIES, MANY_POINTS, MANY_ANOMALIES)


def stored_counts(path: Path) -> tuple[int, int, int]:
    """(anomalies, critical ones, swimlane lanes) in a workspace: the detectors evolve, so
    tests compare the window with the store rather than with numbers of one detector version."""
    from anomaly_desk.model import FilterSpec, Severity
    from anomaly_desk.store import Workspace

    with Workspace.open(path, create=False) as ws:
        critical = ws.count_anomalies(FilterSpec(severities=(Severity.CRITICAL,)))
        return ws.count_anomalies(), critical, len(ws.swimlane(FilterSpec(), 72).lanes)
