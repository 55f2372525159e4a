"""The worker mechanism alone: pure functions in a pool, signals in the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from anomaly_desk.errors import BadInputError, Cancelled
from anomaly_desk.gui.errors import NotificationManager
from anomaly_desk.gui.workers import JobRunner
from anomaly_desk.progress import Progress
from tests.gui.conftest import WAIT_MS, Runner


def count_to(progress: Progress, n: int) -> int:
    for i in range(n):
        progress.update(i / n, "counting")
    return n


def where_am_i(progress: Progress, ws: object) -> tuple[int, str]:
    progress.check()
    return threading.get_ident(), str(ws.path)  # type: ignore[attr-defined]


def wait_for_cancel(progress: Progress, started: threading.Event) -> None:
    started.set()
    while True:
        progress.update(0.5, "waiting")
        threading.Event().wait(0.005)


def fail_with(progress: Progress, exc: BaseException) -> None:
    raise exc


def test_result_and_progress_arrive_in_the_gui_thread(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, _ = runner_with_notes
    seen_threads: list[int] = []
    job = jobs.submit(count_to, 2000, label="Counting")
    results: list[object] = []
    job.progressed.connect(lambda *_: seen_threads.append(threading.get_ident()))
    job.finished.connect(results.append)
    with qtbot.waitSignals([job.finished, job.done], order="strict", timeout=WAIT_MS):
        pass
    assert results == [2000]
    assert seen_threads, "progress was reported"
    assert set(seen_threads) <= {threading.get_ident()}
    assert jobs.running() == []


def test_a_workspace_job_opens_its_own_connection_in_the_worker(
    qtbot: QtBot, runner_with_notes: Runner, workspace_path: Path
) -> None:
    jobs, _ = runner_with_notes
    job = jobs.submit(where_am_i, label="Where", workspace=workspace_path, create=True)
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as blocker:
        pass
    thread, path = blocker.args[0]
    assert thread != threading.get_ident()
    assert path == str(workspace_path)


def test_errors_go_to_the_notification_manager(qtbot: QtBot, runner_with_notes: Runner) -> None:
    jobs, notes = runner_with_notes
    bad = BadInputError("data.csv", "no data rows")
    job = jobs.submit(fail_with, bad, label="Import")
    with qtbot.waitSignal(notes.notified, timeout=WAIT_MS) as blocker:
        pass
    assert blocker.args[0].level == "warning"
    assert "data.csv: no data rows" in blocker.args[0].text
    assert job.error is bad
    assert notes.dialog is not None  # not quiet: a non-modal dialog says it too
    notes.dialog.close()


def test_cancel_raises_cancelled_at_the_next_chunk(qtbot: QtBot, runner_with_notes: Runner) -> None:
    jobs, notes = runner_with_notes
    started = threading.Event()
    job = jobs.submit(wait_for_cancel, started, label="Waiting")
    assert started.wait(5)
    with qtbot.waitSignal(job.errored, timeout=WAIT_MS) as blocker:
        job.cancel()
    assert isinstance(blocker.args[0], Cancelled)
    assert notes.history[-1].text == "Waiting cancelled; nothing was changed."
    assert notes.dialog is None  # a cancel is no error: status bar only


def test_a_new_job_with_the_same_key_supersedes_the_old(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, notes = runner_with_notes
    started = threading.Event()
    old = jobs.submit(wait_for_cancel, started, label="Old", key="timeline")
    assert started.wait(5)
    new = jobs.submit(count_to, 10, label="New", key="timeline")
    results: list[object] = []
    old.finished.connect(results.append)
    old.errored.connect(results.append)
    with qtbot.waitSignals([old.done, new.finished], timeout=WAIT_MS):
        pass
    assert results == []  # the superseded job ends silently
    assert notes.history == []


def test_shutdown_cancels_running_jobs(qtbot: QtBot) -> None:
    notes = NotificationManager()
    jobs = JobRunner(notes)
    started = threading.Event()
    jobs.submit(wait_for_cancel, started, label="Forever")
    assert started.wait(5)
    assert jobs.shutdown(timeout_ms=5000)
    with pytest.raises(RuntimeError, match="shut down"):
        jobs.submit(count_to, 1, label="Late")
