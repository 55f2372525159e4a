"""Jobs that stop their SQL when cancelled, interactive jobs first, jobs in a process, and the
spare process kept warm for the next one."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import psutil
from pytestqt.qtbot import QtBot

from anomaly_desk.errors import BadInputError, Cancelled
from anomaly_desk.gui.worker_process import Relay, WorkerProcessError
from anomaly_desk.gui.workers import JobRunner
from anomaly_desk.progress import Progress
from tests.gui import process_jobs
from tests.gui.conftest import WAIT_MS, Runner


def wait_for(progress: Progress, gate: threading.Event) -> str:
    assert gate.wait(WAIT_MS / 1000)
    return "interactive"


def note(progress: Progress, seen: list[str], gate: threading.Event) -> str:
    seen.append("gate open" if gate.is_set() else "gate closed")
    return "background"


def test_cancel_interrupts_the_running_statement(
    qtbot: QtBot, runner_with_notes: Runner, workspace_path: Path, tmp_path: Path
) -> None:
    jobs, _ = runner_with_notes
    marker = tmp_path / "started"
    job = jobs.submit(
        process_jobs.endless_query, marker, label="Endless", workspace=workspace_path, create=True
    )
    errors: list[object] = []
    job.errored.connect(errors.append)
    qtbot.waitUntil(marker.exists, timeout=WAIT_MS)

    def stopped() -> bool:
        # Again until it lands: an interrupt just before the statement starts is a no-op.
        job.cancel()
        return bool(errors)

    qtbot.waitUntil(stopped, timeout=WAIT_MS)  # the query never ends by itself
    assert len(errors) == 1 and isinstance(errors[0], Cancelled)


def test_background_jobs_wait_for_the_interactive_one(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, _ = runner_with_notes
    gate, seen = threading.Event(), []
    first = jobs.submit(wait_for, gate, label="Page", interactive=True)
    later = jobs.submit(note, seen, gate, label="Counts")
    assert jobs._pool.activeThreadCount() == 0  # held back, not merely slow to start
    with qtbot.waitSignals([first.finished, later.finished], timeout=WAIT_MS):
        gate.set()
    assert seen == ["gate open"]


def test_a_process_job_reports_progress_and_returns_its_result(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, _ = runner_with_notes
    messages: list[str] = []
    job = jobs.submit(process_jobs.add, 2, 3, label="Adding", process=True)
    job.progressed.connect(lambda _fraction, message: messages.append(message))
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as blocker:
        pass
    total, pid = blocker.args[0]
    assert total == 5 and pid != os.getpid()
    assert "adding" in messages


def test_relayed_calls_arrive_in_order(qtbot: QtBot, runner_with_notes: Runner) -> None:
    jobs, _ = runner_with_notes
    got: list[tuple[int, str]] = []
    job = jobs.submit(
        process_jobs.stream, Relay(lambda i, text: got.append((i, text))), 3,
        label="Streaming", process=True,
    )  # fmt: skip
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as blocker:
        pass
    assert blocker.args[0] == 3
    assert got == [(0, "item 0"), (1, "item 1"), (2, "item 2")]


def test_an_error_comes_back_whole_to_the_one_error_route(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, notes = runner_with_notes
    job = jobs.submit(process_jobs.refuse, "data.csv", label="Import", process=True, quiet=True)
    with qtbot.waitSignal(notes.notified, timeout=WAIT_MS) as blocker:
        pass
    error = job.error
    assert isinstance(error, BadInputError)
    assert error.source == "data.csv" and error.problems[0].row == 3
    assert str(error) == "data.csv: row 3, column 'value': not a number: 'x'"
    assert any("In the worker process" in n for n in error.__notes__)
    assert "data.csv" in blocker.args[0].text


def test_a_cancelled_process_job_stops_and_says_cancelled(
    qtbot: QtBot, runner_with_notes: Runner, workspace_path: Path, tmp_path: Path
) -> None:
    jobs, notes = runner_with_notes
    marker = tmp_path / "started"
    job = jobs.submit(
        process_jobs.wait_for_cancel, marker, label="Waiting", workspace=workspace_path,
        create=True, process=True,
    )  # fmt: skip
    qtbot.waitUntil(marker.exists, timeout=WAIT_MS)
    assert marker.read_text(encoding="utf-8") == str(workspace_path)  # its own connection
    with qtbot.waitSignal(job.errored, timeout=WAIT_MS) as blocker:
        job.cancel()
    assert isinstance(blocker.args[0], Cancelled)
    assert notes.history[-1].text == "Waiting cancelled; nothing was changed."


def test_a_crashed_process_is_an_error_not_a_hang(qtbot: QtBot, runner_with_notes: Runner) -> None:
    jobs, notes = runner_with_notes
    job = jobs.submit(process_jobs.die, 3, label="Crashing", process=True, quiet=True)
    with qtbot.waitSignal(job.errored, timeout=WAIT_MS) as blocker:
        pass
    assert isinstance(blocker.args[0], WorkerProcessError)
    assert "exit code 3" in str(blocker.args[0])
    assert notes.history[-1].level == "error"


def test_a_function_that_cannot_travel_is_refused_clearly(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, _ = runner_with_notes
    job = jobs.submit(lambda progress: 1, label="Lambda", process=True, quiet=True)
    with qtbot.waitSignal(job.errored, timeout=WAIT_MS) as blocker:
        pass
    assert isinstance(blocker.args[0], WorkerProcessError)
    assert "cannot run in a process" in str(blocker.args[0])


def _gone(pid: int) -> bool:
    """No such process any more, or only its exit status left for its parent to collect."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _run_add(qtbot: QtBot, jobs: JobRunner) -> tuple[int, list[str]]:
    """Run ``add`` in a process: (the process's id, the progress messages seen)."""
    messages: list[str] = []
    job = jobs.submit(process_jobs.add, 2, 3, label="Adding", process=True)
    job.progressed.connect(lambda _fraction, message: messages.append(message))
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as blocker:
        pass
    total, pid = blocker.args[0]
    assert total == 5
    return pid, messages


def test_a_warm_process_takes_the_next_job_and_a_new_one_waits_after_it(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, _ = runner_with_notes
    assert jobs.spare.pid is None  # nothing is started until the window asks
    warm = _warm(qtbot, jobs)
    pid, messages = _run_add(qtbot, jobs)
    assert pid == warm
    assert "starting a worker process" not in messages
    assert jobs.spare.pid not in (None, warm)  # started when the job ended, before its result


def _warm(qtbot: QtBot, jobs: JobRunner) -> int:
    """Start the spare at once and wait until it runs; its pid."""
    jobs.warm_process(0)
    qtbot.waitUntil(lambda: jobs.spare.pid is not None, timeout=WAIT_MS)
    pid = jobs.spare.pid
    assert pid is not None
    return pid


def test_shutdown_stops_the_waiting_process_and_starts_no_other(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, _ = runner_with_notes
    waiting = _warm(qtbot, jobs)
    assert jobs.shutdown()
    assert jobs.spare.pid is None and _gone(waiting)
    jobs.spare.refill()  # what a job ending during shutdown asks for
    assert jobs.spare.pid is None


def test_a_spare_that_died_while_waiting_is_replaced_by_a_fresh_process(
    qtbot: QtBot, runner_with_notes: Runner
) -> None:
    jobs, _ = runner_with_notes
    dead = _warm(qtbot, jobs)
    os.kill(dead, signal.SIGKILL)
    qtbot.waitUntil(lambda: _gone(dead), timeout=WAIT_MS)
    pid, messages = _run_add(qtbot, jobs)
    assert pid != dead
    assert "starting a worker process" in messages
