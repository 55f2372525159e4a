"""Running long work off the GUI thread.

Long work is a plain function ``fn(progress, *args)`` (or ``fn(progress, ws, *args)`` when it
needs the workspace) that knows nothing of Qt; ``JobRunner.submit`` runs it on a
``QThreadPool`` and hands back a ``Job``, a QObject living in the GUI thread whose signals
(``progressed``, ``finished``, ``errored``, ``done``) always fire in the GUI thread.

Rules this module enforces so that callers cannot get them wrong:

- A job that needs the workspace opens its own ``Workspace`` inside the worker thread and
  closes it there: connections are never shared across threads.
- Cancelling is ``Progress.cancel()``: the function stops at its next chunk boundary by raising
  ``Cancelled``, and the SQLite statement it is running is interrupted (a superseded count or
  swimlane frees its thread at once instead of finishing a query nobody wants). Submitting a
  job with the same ``key`` as a running one cancels the older one and drops its result (a new
  selection replaces a slow load, superqt-style).
- ``interactive=True`` jobs (the table's pages: what the user waits for) run on a pool of their
  own, so a long count or swimlane can never queue them, and other jobs submitted meanwhile
  start when no interactive job runs (or, while pages keep coming, ``DEFER_MAX_S`` later): on
  two cores the first rows of a new filter then have a core to themselves, not a third of one.
- Worker threads share the GIL with the GUI thread, which needs it for every call into Python
  (each ``data()`` of a repaint); the runner shortens the interpreter's switch interval so the
  GUI thread waits ~1 ms for it, not 5.
- ``process=True`` jobs (import, detection: long CPU-bound work) run in a spawned process
  (``worker_process``): a thread would hold the GIL the GUI thread needs for every repaint.
  Progress, cancel, ``Relay`` callbacks, results and errors behave as for a thread job.
  ``warm_process`` keeps a spare process started for the next such job (``SpareProcess``).
- Every error of every job goes to the one ``NotificationManager``; a caller that shows the
  details itself passes ``quiet=True`` so the manager only writes the status bar.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from anomaly_desk.errors import Cancelled
from anomaly_desk.gui.errors import NotificationManager
from anomaly_desk.gui.worker_process import (
    Hook,
    SpareProcess,
    call_with_workspace,
    run_in_process,
)
from anomaly_desk.progress import Progress

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress signals a second: the event loop stays calm
INTERACTIVE_THREADS = 2
PROCESS_WAITERS = 4  # threads that only wait for worker processes: they cost no CPU
DEFER_MAX_S = 0.5  # while pages keep coming, background jobs start at most this late
SWITCH_INTERVAL_S = 0.001  # Python's default is 0.005
SHUTDOWN_TIMEOUT_MS = 10_000
WARM_DELAY_MS = 3000  # a spare process's imports wait until the window's own start-up is done


class Job(QObject):
    """One submitted piece of work, as seen from the GUI thread."""

    progressed = Signal(float, str)
    finished = Signal(object)  # the function's return value
    errored = Signal(object)  # the exception (Cancelled included)
    done = Signal()  # after finished or errored, or when a superseded job ends

    # Emitted from the worker thread; the receiving slots are methods of this object, which
    # lives in the GUI thread, so Qt queues them there. Public signals are re-emitted from
    # those slots, so even a lambda connected to them runs in the GUI thread.
    _worker_progress = Signal(float, str)
    _worker_result = Signal(object)
    _worker_error = Signal(object)

    def __init__(self, label: str, key: str | None, quiet: bool, parent: QObject) -> None:
        super().__init__(parent)
        self.label = label
        self.key = key
        self.quiet = quiet
        self.superseded = False
        self.running = True
        self.fraction = 0.0
        self.message = ""
        self.error: BaseException | None = None
        self.progress = Progress(self._report_from_worker)
        self._last_emit = 0.0
        self._last_message = ""
        self._task: _Task | None = None
        self._interrupt: Hook | None = None  # stops the worker's running SQL statement
        self._interrupt_lock = threading.Lock()
        self._worker_progress.connect(self._on_progress)
        self._worker_result.connect(self._on_result)
        self._worker_error.connect(self._on_error)

    def cancel(self, interrupt: bool = True) -> None:
        """Stop at the next chunk; ``interrupt`` also aborts the running SQL statement (a write
        in progress then rolls back: what a user's Cancel or a superseding query wants). A
        statement that starts just after the cancel is not interrupted: it runs to its end."""
        self.progress.cancel()
        if interrupt:
            with self._interrupt_lock:
                if self._interrupt is not None:
                    self._interrupt()

    # -- worker thread ------------------------------------------------------------------

    def _attach_interrupt(self, hook: Hook | None) -> None:
        with self._interrupt_lock:  # cancel() never calls a hook whose connection is closing
            self._interrupt = hook

    def _report_from_worker(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if (
            now - self._last_emit >= PROGRESS_INTERVAL_S
            or message != self._last_message
            or fraction >= 1.0
        ):
            self._last_emit = now
            self._last_message = message
            self._worker_progress.emit(fraction, message)

    # -- GUI thread -----------------------------------------------------------------------

    @Slot(float, str)
    def _on_progress(self, fraction: float, message: str) -> None:
        if self.running and not self.superseded:
            self.fraction, self.message = fraction, message
            self.progressed.emit(fraction, message)

    @Slot(object)
    def _on_result(self, result: object) -> None:
        self._end()
        if not self.superseded:
            self.finished.emit(result)
        self.done.emit()

    @Slot(object)
    def _on_error(self, exc: object) -> None:
        self._end()
        assert isinstance(exc, BaseException)
        self.error = exc
        if not self.superseded:
            self.errored.emit(exc)
        self.done.emit()

    def _end(self) -> None:
        self.running = False
        self._task = None


class _Task(QRunnable):
    def __init__(
        self,
        job: Job,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        workspace: Path | None,
        create: bool,
        process: bool,
        spare: SpareProcess,
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Job holds the reference; PySide must not free it early
        self._job = job
        self._fn = fn
        self._args = args
        self._workspace = workspace
        self._create = create
        self.process = process
        self._spare = spare

    def run(self) -> None:
        job = self._job
        try:
            job.progress.check()  # cancelled while still queued
            if self.process:
                result = run_in_process(
                    self._fn, self._args, self._workspace, self._create, job.progress,
                    job._report_from_worker, job._attach_interrupt, self._spare,
                )  # fmt: skip
            else:
                result = call_with_workspace(
                    self._fn, job.progress, self._args, self._workspace, self._create,
                    job._attach_interrupt,
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - every error travels to the GUI thread
            job._worker_error.emit(exc)
        else:
            job._worker_result.emit(result)


class JobRunner(QObject):
    """Owns the thread pool; starts, tracks, cancels and shuts down jobs."""

    jobs_changed = Signal()

    def __init__(self, notifications: NotificationManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notifications = notifications
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(2, QThreadPool.globalInstance().maxThreadCount()))
        self._interactive_pool = QThreadPool(self)
        self._interactive_pool.setMaxThreadCount(INTERACTIVE_THREADS)
        # A process job's thread only waits: an import taking minutes must not hold one of the
        # two threads that counts, swimlanes and details need.
        self._process_pool = QThreadPool(self)
        self._process_pool.setMaxThreadCount(PROCESS_WAITERS)
        self._interactive: set[Job] = set()  # interactive jobs not done yet
        self._deferred: list[_Task] = []  # background tasks waiting for them
        self._deferred_since = 0.0
        self._jobs: list[Job] = []
        self._closed = False
        self.spare = SpareProcess()
        self._warm = QTimer(self)
        self._warm.setSingleShot(True)
        self._warm.timeout.connect(self.spare.keep)
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))

    def warm_process(self, delay_ms: int = WARM_DELAY_MS) -> None:
        """Have a worker process started and waiting ``delay_ms`` from now, so that the next
        process job (an import, a detection) starts at once instead of ~1.5 s later; each
        such job then leaves a fresh one behind. Stopped by ``shutdown``."""
        if not self._closed and not self._warm.isActive():
            self._warm.start(delay_ms)

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        label: str,
        workspace: Path | None = None,
        create: bool = False,
        key: str | None = None,
        quiet: bool = False,
        interactive: bool = False,
        process: bool = False,
    ) -> Job:
        """Run ``fn(progress, [ws,] *args)`` in the pool; ``workspace`` opens one for it.

        ``interactive``: on the pool kept for what the user is waiting on; ``process``: in a
        process of its own (``fn`` and the arguments must pickle; wrap callbacks in ``Relay``).
        """
        if self._closed:
            raise RuntimeError("the job runner is shut down")
        if key is not None:
            for old in self._jobs:
                if old.key == key and old.running:
                    old.superseded = True
                    old.cancel()
        job = Job(label, key, quiet, self)
        job.errored.connect(self._on_job_errored)
        job.done.connect(self._on_job_done)
        task = _Task(job, fn, args, workspace, create, process, self.spare)
        job._task = task
        self._jobs.append(job)
        if interactive:
            self._interactive.add(job)
            self._interactive_pool.start(task)
        else:
            if not self._deferred:
                self._deferred_since = time.monotonic()
            self._deferred.append(task)
        self._release_deferred()
        self.jobs_changed.emit()
        return job

    def _release_deferred(self) -> None:
        waited = time.monotonic() - self._deferred_since
        if self._deferred and (not self._interactive or waited > DEFER_MAX_S):
            tasks, self._deferred = self._deferred, []
            for task in tasks:
                (self._process_pool if task.process else self._pool).start(task)

    @property
    def closed(self) -> bool:
        """Shut down: nothing more may be submitted (views about to close still ask)."""
        return self._closed

    def running(self) -> list[Job]:
        """Jobs still running that a user would care about (superseded ones are hidden)."""
        return [job for job in self._jobs if job.running and not job.superseded]

    def cancel_all(self, interrupt: bool = True) -> None:
        for job in self._jobs:
            job.cancel(interrupt)

    def shutdown(self, timeout_ms: int = SHUTDOWN_TIMEOUT_MS) -> bool:
        """Cancel everything and wait for the workers; True when all of them stopped.

        Statements are not interrupted: a triage change being written as the window closes is
        kept (long work still stops at its next chunk, a process job at once)."""
        self._closed = True
        self._warm.stop()
        self.spare.shutdown()  # first: a job ending now must not start another
        self.cancel_all(interrupt=False)
        deadline = time.monotonic() + timeout_ms / 1000
        stopped = True
        self._deferred = []  # never start, as queued ones
        for pool in (self._pool, self._interactive_pool, self._process_pool):
            pool.clear()  # queued tasks never start
            left_ms = max(0, int(1000 * (deadline - time.monotonic())))
            stopped = bool(pool.waitForDone(left_ms)) and stopped
        return stopped

    @Slot(object)
    def _on_job_errored(self, exc: object) -> None:
        job = self.sender()
        assert isinstance(job, Job) and isinstance(exc, BaseException)
        quiet = job.quiet or isinstance(exc, Cancelled)
        self._notifications.report(exc, context=job.label, quiet=quiet)

    @Slot()
    def _on_job_done(self) -> None:
        job = self.sender()
        if isinstance(job, Job) and job in self._jobs:
            self._jobs.remove(job)
            self._interactive.discard(job)
            job.deleteLater()
        if not self._closed:
            self._release_deferred()
        self.jobs_changed.emit()
