"""Running long work off the GUI thread.

Long work is a plain function ``fn(progress, *args)`` (or ``fn(progress, ws, *args)`` when it
needs the workspace) that knows nothing of Qt; ``JobRunner.submit`` runs it on a
``QThreadPool`` and hands back a ``Job``, a QObject living in the GUI thread whose signals
(``progressed``, ``finished``, ``errored``, ``done``) always fire in the GUI thread.

Rules this module enforces so that callers cannot get them wrong:

- A job that needs the workspace opens its own ``Workspace`` inside the worker thread and
  closes it there: connections are never shared across threads.
- Cancelling is ``Progress.cancel()``: the function stops at its next chunk boundary by raising
  ``Cancelled``. Submitting a job with the same ``key`` as a running one cancels the older one
  and drops its result (a new selection replaces a slow load, superqt-style).
- Every error of every job goes to the one ``NotificationManager``; a caller that shows the
  details itself passes ``quiet=True`` so the manager only writes the status bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from anomaly_desk.errors import Cancelled
from anomaly_desk.gui.errors import NotificationManager
from anomaly_desk.progress import Progress

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress signals a second: the event loop stays calm
SHUTDOWN_TIMEOUT_MS = 10_000


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
        self._worker_progress.connect(self._on_progress)
        self._worker_result.connect(self._on_result)
        self._worker_error.connect(self._on_error)

    def cancel(self) -> None:
        self.progress.cancel()

    # -- worker thread ------------------------------------------------------------------

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
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Job holds the reference; PySide must not free it early
        self._job = job
        self._fn = fn
        self._args = args
        self._workspace = workspace
        self._create = create

    def run(self) -> None:
        job = self._job
        try:
            job.progress.check()  # cancelled while still queued
            if self._workspace is None:
                result = self._fn(job.progress, *self._args)
            else:
                # Imported here: the store pulls SQLAlchemy and pandas (~1.3 s), which must
                # not delay the window; and the connection is opened in this very thread.
                from anomaly_desk.store import Workspace

                with Workspace.open(self._workspace, create=self._create) as ws:
                    result = self._fn(job.progress, ws, *self._args)
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
        self._jobs: list[Job] = []
        self._closed = False

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        label: str,
        workspace: Path | None = None,
        create: bool = False,
        key: str | None = None,
        quiet: bool = False,
    ) -> Job:
        """Run ``fn(progress, [ws,] *args)`` in the pool; ``workspace`` opens one for it."""
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
        task = _Task(job, fn, args, workspace, create)
        job._task = task
        self._jobs.append(job)
        self._pool.start(task)
        self.jobs_changed.emit()
        return job

    @property
    def closed(self) -> bool:
        """Shut down: nothing more may be submitted (views about to close still ask)."""
        return self._closed

    def running(self) -> list[Job]:
        """Jobs still running that a user would care about (superseded ones are hidden)."""
        return [job for job in self._jobs if job.running and not job.superseded]

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def shutdown(self, timeout_ms: int = SHUTDOWN_TIMEOUT_MS) -> bool:
        """Cancel everything and wait for the workers; True when all of them stopped."""
        self._closed = True
        self.cancel_all()
        self._pool.clear()  # queued tasks never start
        stopped = self._pool.waitForDone(timeout_ms)
        return bool(stopped)

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
            job.deleteLater()
        self.jobs_changed.emit()
