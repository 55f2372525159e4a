"""Running a job's function in a process of its own, for long CPU-bound work (import, detection).

Why a process: a worker *thread* shares the GIL with the GUI thread, and import and detection
hold it in long pure-Python, numpy and pandas stretches; the window then stutters however the
work is chunked. A spawned process shares nothing with the window but the workspace file (it
opens its own connection, as every worker does). Qt-free: the child never imports Qt.

The parent side (``run_in_process``) is called in a worker thread and blocks it until the child
is done, so to ``JobRunner`` a process job is a thread job like any other:

- progress comes back over a pipe and goes to the same ``report`` callback as a thread job's;
- cancelling the parent's ``Progress`` sends "cancel": the child's ``Progress`` raises
  ``Cancelled`` at its next chunk and its running SQLite statement is interrupted, so a
  cancelled write rolls back; a child that has not stopped ``CANCEL_GRACE_S`` later is killed
  (SQLite rolls back what it had not committed);
- ``Relay(callback)`` arguments are called in the child and run in the parent (live findings);
- the result, or the exception with the child's traceback as a note, comes back to the caller.

The child runs at a lower CPU priority (the window wins the two cores) and starts in ~1.5 s
(the interpreter and the store's imports), which is why only long work goes there. A
``SpareProcess`` hides that wait: it keeps one child started and its imports done, idle until
the next job takes it, and starts the next spare when that job is over. A spare never opens a
workspace before it has a job, so stopping it at shutdown cannot hurt one.

``call_with_workspace`` is the part thread and process jobs share: open the job's own
``Workspace``, make cancel interrupt its statement, run the function.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import pickle
import signal
import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, ParamSpec

from anomaly_desk.errors import Cancelled
from anomaly_desk.progress import Progress

P = ParamSpec("P")
Hook = Callable[[], None]
Attach = Callable[[Hook | None], None]

POLL_S = 0.05  # how often the waiting thread looks at the cancel flag
CANCEL_GRACE_S = 5.0  # then the child is killed (shutdown waits 10 s for every job)
PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress messages a second over the pipe
NICE = 10  # the child's CPU priority below the window's (POSIX)
SPARE_EXIT_S = 0.2  # an idle spare leaves at once; one still importing is killed
PRELOAD = ("anomaly_desk.store",)  # what every job with a workspace imports (~1 s)
_CONTEXT = multiprocessing.get_context("spawn")  # never fork a process running Qt threads
if sys.platform != "win32":  # what the first start would import (~1 ms), beside another job
    import multiprocessing.popen_spawn_posix


class Relay(Generic[P]):
    """A callback a job may call from a process: there it is sent to the parent, which calls
    the wrapped function (in the thread waiting for the process) with the same arguments.
    In a thread job it is a plain call. Arguments must pickle."""

    def __init__(self, fn: Callable[P, None]) -> None:
        self.fn = fn

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        self.fn(*args, **kwargs)


class WorkerProcessError(RuntimeError):
    """The worker process ended without an answer (killed, crashed) or could not be started."""


def call_with_workspace(
    fn: Callable[..., Any],
    progress: Progress,
    args: tuple[Any, ...],
    workspace: Path | None,
    create: bool,
    attach: Attach,
) -> Any:
    """``fn(progress, *args)``, or ``fn(progress, ws, *args)`` with a workspace opened here.

    While ``fn`` runs, ``attach`` holds the function that interrupts the workspace's running
    statement; an error caused by that interruption becomes ``Cancelled``.
    """
    if workspace is None:
        return fn(progress, *args)
    # Imported here: the store pulls SQLAlchemy and pandas (~1.3 s), which must not delay the
    # window; and the connection is opened in this very thread.
    from anomaly_desk.store import Workspace

    with Workspace.open(workspace, create=create) as ws:
        attach(ws.interrupter())
        try:
            progress.check()  # cancelled before the hook was attached
            return fn(progress, ws, *args)
        except Exception as exc:
            if progress.cancelled and interrupted(exc):
                raise Cancelled("cancelled") from exc
            raise
        finally:
            attach(None)


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "interrupted" (directly or wrapped by SQLAlchemy)."""
    cause = getattr(exc, "orig", exc)
    return isinstance(cause, sqlite3.OperationalError) and "interrupted" in str(cause)


# -- parent side ------------------------------------------------------------------------------


def run_in_process(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    workspace: Path | None,
    create: bool,
    progress: Progress,
    report: Callable[[float, str], None],
    attach: Attach,
    spare: SpareProcess | None = None,
) -> Any:
    """Run ``fn`` as ``call_with_workspace`` would, in a spawned process; blocks until done.

    ``attach`` gets a function that tells the child to cancel at once (the caller's cancel
    calls it, so cancelling does not wait for this thread's next look at ``progress``).
    ``spare``: take its waiting process if it has one, and let it start the next when done.
    """
    relays: list[Callable[..., None]] = []
    wire_args = tuple(_wire(arg, relays) for arg in args)
    try:
        request = pickle.dumps((fn, wire_args, workspace, create))
    except Exception as exc:  # a lambda, a bound method, an open file...
        raise WorkerProcessError(
            f"{getattr(fn, '__name__', fn)!r} cannot run in a process"
        ) from exc
    child = spare.take() if spare is not None else None
    try:
        if child is not None:
            try:
                child.to_child.send_bytes(request)
            except OSError:  # the spare died while it waited (killed, out of memory)
                child.close(0)
                child = None
        if child is None:
            report(0.0, "starting a worker process")  # ~1.5 s of imports before it reports
            child = _Child.start(preload=False)
            try:
                child.to_child.send_bytes(request)
            except BaseException:
                child.close(0)
                raise
        return _run(child, progress, report, attach, relays)
    finally:
        if spare is not None:
            spare.refill()  # after this job, not beside it: the two cores are busy enough


def _run(
    child: _Child,
    progress: Progress,
    report: Callable[[float, str], None],
    attach: Attach,
    relays: list[Callable[..., None]],
) -> Any:
    """Wait for the child that has the request; always leaves it ended and closed."""
    sent = threading.Lock()
    cancelled = [False]
    to_child = child.to_child

    def cancel_child() -> None:  # from any thread, once
        with sent:
            if not cancelled[0] and not to_child.closed:
                cancelled[0] = True
                with contextlib.suppress(OSError):  # the child is gone: its EOF says so
                    to_child.send("cancel")

    try:
        attach(cancel_child)
        try:
            return _wait(child.process, child.from_child, progress, cancel_child, report, relays)
        finally:
            attach(None)
    finally:
        cancel_child()  # if we leave early (a relay failed): the child stops too
        with sent:
            to_child.close()
        child.close(CANCEL_GRACE_S)


class _Child:
    """A started worker process and our ends of its two pipes."""

    def __init__(self, process: Any, to_child: Connection, from_child: Connection) -> None:
        self.process = process
        self.to_child = to_child
        self.from_child = from_child

    @classmethod
    def start(cls, preload: bool) -> _Child:
        child_reads, to_child = _CONTEXT.Pipe(duplex=False)
        from_child, child_writes = _CONTEXT.Pipe(duplex=False)
        process = _CONTEXT.Process(
            target=_child_main,
            args=(child_reads, child_writes, preload),
            name="anomaly-desk-job",
            daemon=True,
        )
        try:
            process.start()
        except Exception as exc:  # no executable, no memory, an unguarded __main__...
            for end in (child_reads, to_child, from_child, child_writes):
                end.close()
            raise WorkerProcessError(f"could not start a worker process: {exc}") from exc
        child_reads.close()  # the child holds these ends now: its exit is our EOF
        child_writes.close()
        _lower_priority(process.pid)  # now, not once the child has imported its way to its main
        return cls(process, to_child, from_child)

    def close(self, grace_s: float) -> None:
        """Close our ends (again is harmless; a child still waiting for a request then leaves),
        give the child ``grace_s`` to end, then kill it."""
        self.to_child.close()
        self.from_child.close()
        self.process.join(grace_s)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process.close()


class SpareProcess:
    """One worker process started ahead of need, its imports done, waiting for a job.

    ``keep`` starts one and asks for a new one after every job (``refill``); ``take`` hands the
    waiting one to a job; ``shutdown`` stops it and starts no more. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: _Child | None = None
        self._kept = False
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The waiting process's id, or None when none waits."""
        with self._lock:
            return self._child.process.pid if self._child is not None else None

    def keep(self) -> None:
        with self._lock:
            self._kept = True
        self.refill()

    def refill(self) -> None:
        with self._lock:
            if self._closed or not self._kept or self._child is not None:
                return
            try:
                self._child = _Child.start(preload=True)
            except WorkerProcessError:
                # Only a head start is lost: the next job starts its own process and reports
                # the same failure where the user sees it.
                return

    def take(self) -> _Child | None:
        with self._lock:
            child, self._child = self._child, None
        return child

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            child, self._child = self._child, None
        if child is not None:
            child.close(SPARE_EXIT_S)  # it holds no workspace: killing it mid-import is safe


def _wire(arg: Any, relays: list[Callable[..., None]]) -> Any:
    if isinstance(arg, Relay):
        relays.append(arg.fn)
        return _RelayStub(len(relays) - 1)
    return arg


def _wait(
    process: Any,
    from_child: Connection,
    progress: Progress,
    cancel_child: Hook,
    report: Callable[[float, str], None],
    relays: list[Callable[..., None]],
) -> Any:
    cancel_sent: float | None = None
    while True:
        if progress.cancelled and cancel_sent is None:
            cancel_sent = time.monotonic()
            cancel_child()  # already sent if the canceller called it; harmless then
        if cancel_sent is not None and time.monotonic() - cancel_sent > CANCEL_GRACE_S:
            process.kill()
            raise Cancelled("cancelled")
        if not from_child.poll(POLL_S):
            continue
        try:
            kind, *payload = from_child.recv()
        except EOFError:
            process.join(1.0)
            if cancel_sent is not None:
                raise Cancelled("cancelled") from None
            code = process.exitcode
            raise WorkerProcessError(
                f"the worker process ended unexpectedly (exit code {code})"
            ) from None
        if kind == "progress":
            report(*payload)
        elif kind == "call":
            relays[payload[0]](*payload[1])
        elif kind == "result":
            return payload[0]
        else:
            raise _unbox(*payload)


def _unbox(box: bytes | None, text: str, child_traceback: str) -> BaseException:
    exc: BaseException
    try:
        assert box is not None
        cls, args, state = pickle.loads(box)
        exc = cls.__new__(cls, *args)
        exc.args = args
        exc.__dict__.update(state)
    except Exception:  # noqa: BLE001 - an exception that does not travel is still reported
        exc = WorkerProcessError(text)
    if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: not ours to re-raise
        exc = WorkerProcessError(text)
    exc.add_note(f"In the worker process:\n{child_traceback}")
    return exc


def _lower_priority(pid: int | None) -> None:
    """Background work yields the CPU to the window: on two cores, the import's parser threads
    and a detection would otherwise take turns with the GUI thread. POSIX only; best effort."""
    if pid is None or not hasattr(os, "setpriority"):
        return
    with contextlib.suppress(OSError):  # gone already, or not allowed: run at normal priority
        os.setpriority(os.PRIO_PROCESS, pid, NICE)


# -- child side -------------------------------------------------------------------------------


class _RelayStub:
    """Stands for a ``Relay`` in the child: calling it sends the call to the parent."""

    sink: Callable[[tuple[Any, ...]], None] | None = None  # set by _child_main

    def __init__(self, slot: int) -> None:
        self.slot = slot

    def __call__(self, *args: Any) -> None:
        assert _RelayStub.sink is not None
        _RelayStub.sink(("call", self.slot, args))


def _child_main(requests: Connection, replies: Connection, preload: bool = False) -> None:
    _lower_priority(0)  # again, in case the parent was too late: threads started now inherit it
    # Ctrl-C in the terminal reaches the whole process group: the window decides what stops
    # (it cancels its jobs on the way out), the child only hears "cancel".
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lock = threading.Lock()  # the job's thread and the listener both send

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            replies.send(message)

    _RelayStub.sink = send
    last_sent, last_message = 0.0, ""

    def forward(fraction: float, message: str) -> None:
        nonlocal last_sent, last_message
        now = time.monotonic()
        if now - last_sent >= PROGRESS_INTERVAL_S or message != last_message or fraction >= 1:
            last_sent, last_message = now, message
            send(("progress", fraction, message))

    progress = Progress(forward)
    hook: list[Hook | None] = [None]
    hook_lock = threading.Lock()

    def attach(interrupt: Hook | None) -> None:
        with hook_lock:
            hook[0] = interrupt

    def listen() -> None:  # "cancel", or the parent went away: stop either way
        with contextlib.suppress(EOFError, OSError):
            requests.recv()
        progress.cancel()
        with hook_lock:
            if hook[0] is not None:
                hook[0]()

    if preload:
        _preload()
    try:
        fn, args, workspace, create = pickle.loads(requests.recv_bytes())
    except EOFError:  # a spare the window no longer needs
        return
    except Exception as exc:  # noqa: BLE001 - a module the child cannot import, say
        send(("error", *_box(exc)))
        return
    threading.Thread(target=listen, name="cancel-listener", daemon=True).start()
    try:
        result = call_with_workspace(fn, progress, args, workspace, create, attach)
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        send(("error", *_box(exc)))
        return
    try:
        send(("result", result))
    except Exception as exc:  # noqa: BLE001 - a result that does not pickle
        send(("error", *_box(exc)))


def _preload() -> None:
    for name in PRELOAD:
        # A module that fails to import here fails again in the job, which reports it.
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def _box(exc: BaseException) -> tuple[bytes | None, str, str]:
    text = f"{type(exc).__name__}: {exc}"
    details = "".join(traceback.format_exception(exc))
    try:
        box = pickle.dumps((type(exc), exc.args, dict(vars(exc))))
        pickle.loads(box)  # it must come back, too
    except Exception:  # noqa: BLE001
        return None, text, details
    return box, text, details
