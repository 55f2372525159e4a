"""Measure the real window offscreen on the GUI benchmark's workspace; prints one JSON line.

    python -m benchmarks.gui_probe WORKSPACE DETECT_WORKSPACE IMPORT_CSV SCRATCH_DIR [--quick]

Run by ``bench_gui`` in a process of its own. Every wait runs the Qt event loop (never a
``processEvents`` loop of our own) and a 5 ms QTimer probe records how late the GUI thread
got to each tick: the largest gap minus the interval is the longest the GUI thread was busy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer

from anomaly_desk.gui.app import make_application
from anomaly_desk.gui.main_window import MainWindow
from anomaly_desk.gui.settings import Preferences
from anomaly_desk.model import SeriesInfo, Severity

PROBE_MS = 5
TIMEOUT_S = 600.0


class Probe:
    """Ticks every PROBE_MS; ``worst()`` is the longest the event loop went without a tick."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        gaps = [b - a for a, b in zip(self.ticks, self.ticks[1:], strict=False)] or [0.0]
        gaps_ms = sorted(1000 * g for g in gaps)
        return {
            "max_ms": gaps_ms[-1] - PROBE_MS,
            "p99_ms": gaps_ms[int(0.99 * (len(gaps_ms) - 1))] - PROBE_MS,
            "ticks": float(len(gaps_ms)),
        }


def wait_until(check: Callable[[], bool], timeout: float = TIMEOUT_S) -> float:
    """Run the event loop until ``check()``; seconds waited."""
    start = time.perf_counter()
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(1)
    poll.timeout.connect(lambda: loop.quit() if check() else None)
    poll.start()
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(int(timeout * 1000))
    if not check():
        loop.exec()
    poll.stop()
    deadline.stop()
    if not check():
        raise TimeoutError(f"gave up after {timeout:.0f} s")
    return time.perf_counter() - start


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    wait_until(lambda: time.perf_counter() >= end, seconds + 5)


def show_and_settle(window: MainWindow, info: SeriesInfo, dataset: str) -> None:
    """Show a series; return once it is drawn and the jobs it started are done."""
    window.show_series(info, dataset)
    timeline = window.timeline
    assert timeline is not None
    wait_until(lambda: timeline.data is not None and timeline.data.info.id == info.id)
    wait_until(lambda: not window.runner.running())
    spin(0.1)  # the paints the last results asked for


def measure(args: argparse.Namespace) -> dict[str, Any]:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(args.scratch))
    app = make_application()
    window = MainWindow(Preferences())
    window.resize(1400, 900)
    window.show()
    model = window.investigation.model
    out: dict[str, Any] = {}

    # First rows after opening the workspace (snapshot, then the first page in a worker).
    start = time.perf_counter()
    window.open_workspace(args.workspace)
    wait_until(lambda: model.rowCount() > 0)
    out["first_rows_ms"] = 1000 * (time.perf_counter() - start)
    wait_until(lambda: window.investigation.counts is not None and window.swimlane is not None
               and window.swimlane.view is not None)  # fmt: skip
    out["counts_and_swimlane_ms"] = 1000 * (time.perf_counter() - start)
    out["anomalies"] = float(window.investigation.counts.total)  # type: ignore[union-attr]
    landed: list[float] = []
    model.page_loaded.connect(lambda _n: landed.append(time.perf_counter()))
    # Opening it again, as after an import or a detection: no first-time imports any more.
    warm = []
    for _ in range(3):
        wait_until(lambda: not window.runner.running())
        landed.clear()
        start = time.perf_counter()
        window.open_workspace(args.workspace)
        wait_until(lambda: bool(landed))
        warm.append(1000 * (landed[0] - start))
    out["first_rows_warm_ms"] = statistics.median(warm)

    # A filter change: a click (no debounce), then typed text timed from the debounce's end.
    bar = window.filter_bar
    clicks = []
    for severity in (Severity.CRITICAL, Severity.MAJOR, Severity.CRITICAL, Severity.MAJOR):
        landed.clear()
        start = time.perf_counter()
        bar.severities.buttons[severity].click()
        wait_until(lambda: bool(landed))
        clicks.append(1000 * (landed[0] - start))
    out["filter_click_ms"] = statistics.median(clicks)
    emitted: list[float] = []
    bar.changed.connect(lambda _spec: emitted.append(time.perf_counter()))
    typed = []
    for word in ("host", "spike", "dip"):
        landed.clear()
        emitted.clear()
        bar.search.setText(word)
        bar.search.textEdited.emit(word)  # as typing does: starts the debounce
        wait_until(lambda: bool(landed) and bool(emitted))
        typed.append(1000 * (landed[0] - emitted[0]))
    out["filter_text_ms"] = statistics.median(typed)
    bar.clear()
    wait_until(lambda: model.rowCount() > 0 and not model.loading)

    # Scrolling to the end, again and again: the pages load in workers.
    probe = Probe()
    table = window.anomaly_pane.table
    scroller = QTimer()
    scroller.setInterval(20)
    scroller.timeout.connect(table.scrollToBottom)
    rows_before = model.rowCount()
    probe.start()
    scroller.start()
    spin(args.scroll_seconds)
    scroller.stop()
    lag = probe.stop()
    out["scroll_rows_loaded"] = float(model.rowCount())
    out["scroll_rows_per_s"] = (model.rowCount() - rows_before) / args.scroll_seconds
    out["scroll_max_block_ms"] = lag["max_ms"]
    out["scroll_p99_block_ms"] = lag["p99_ms"]

    # The timeline of the biggest series: load, then redraw on zoom and pan.
    snapshot = window.snapshot
    assert snapshot is not None
    entry = next(e for e in snapshot.datasets if e.info.name == "big")
    info = entry.series[0]
    start = time.perf_counter()
    probe.start()
    window.show_series(info, "big")
    timeline = window.timeline
    assert timeline is not None
    wait_until(lambda: timeline.data is not None and timeline.data.info.id == info.id)
    out["big_series_points"] = float(info.points)
    out["big_series_load_ms"] = 1000 * (time.perf_counter() - start)
    out["series_first_block_ms"] = probe.stop()["max_ms"]  # the first plot of the window
    x = timeline.data.x  # type: ignore[union-attr]
    first, last = float(x[0]), float(x[-1])
    span = last - first
    ranges = [(first, last), (first + span / 4, first + 3 * span / 4)]
    ranges += [(first + span * f, first + span * (f + 0.01)) for f in (0.1, 0.3, 0.5, 0.7)]
    ranges += [(first, last)]
    plot = timeline.plot
    item = plot.getPlotItem()
    redraws = []
    for low, high in ranges * 2:
        begin = time.perf_counter()
        item.setXRange(low, high, padding=0)
        plot.grab()  # a full paint of the plot, downsampling included
        redraws.append(1000 * (time.perf_counter() - begin))
    out["redraw_median_ms"] = statistics.median(redraws)
    out["redraw_max_ms"] = max(redraws)
    # Back to the big series from another one, with all that follows (its band, markers and
    # annotations arrive from workers): the longest the GUI thread was busy, worst of three.
    fleet = next(e for e in snapshot.datasets if e.info.name == "fleet").series
    blocks = []
    for other in fleet[:3]:
        show_and_settle(window, other, "fleet")
        probe.start()
        show_and_settle(window, info, "big")
        blocks.append(probe.stop()["max_ms"])
    out["series_block_ms"] = max(blocks)

    # Event-loop lag while an import and a detection run in workers.
    scratch_detect = args.scratch / "detect.sqlite"
    for leftover in ("", "-wal", "-shm"):  # an old WAL beside the fresh copy would be replayed
        Path(f"{scratch_detect}{leftover}").unlink(missing_ok=True)
    for backup in args.scratch.glob("*.bak"):
        backup.unlink()
    shutil.copyfile(args.detect_workspace, scratch_detect)
    scratch_import = args.scratch / "import.sqlite"
    for leftover in ("", "-wal", "-shm"):  # a stale WAL beside a new file would be replayed
        Path(f"{scratch_import}{leftover}").unlink(missing_ok=True)
    from anomaly_desk.gui.detection_tasks import detect
    from anomaly_desk.gui.import_tasks import Overrides, run_import

    # Submitted as the import wizard (import_run) and the detection flow submit them, once the
    # timeline's own jobs (the expected band of the 10M-point series, its markers) are done:
    # the figure is the import's and the detection's, not theirs.
    wait_until(lambda: not window.runner.running())
    probe.start()
    start = time.perf_counter()
    jobs = [
        window.runner.submit(
            run_import, args.csv, Overrides(name="imported"), label="Import (benchmark)",
            workspace=scratch_import, create=True, quiet=True, process=True,
        ),
        window.runner.submit(
            detect, "detect_me", "auto", 0.5, None, label="Detect (benchmark)",
            workspace=scratch_detect, process=True,
        ),
    ]  # fmt: skip
    finished: list[object] = []
    for job in jobs:
        job.done.connect(lambda: finished.append(True))
        job.errored.connect(lambda exc: print(f"job failed: {exc!r}", file=sys.stderr))
    wait_until(lambda: len(finished) == len(jobs))
    lag = probe.stop()
    out["background_seconds"] = time.perf_counter() - start
    out["background_max_block_ms"] = lag["max_ms"]
    out["background_p99_block_ms"] = lag["p99_ms"]
    out["background_failed"] = float(sum(job.error is not None for job in jobs))

    import psutil

    out["rss_mb"] = psutil.Process().memory_info().rss / 2**20
    window.close()
    app.processEvents()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gui_probe")
    parser.add_argument("workspace", type=Path)
    parser.add_argument("detect_workspace", type=Path)
    parser.add_argument("csv", type=Path)
    parser.add_argument("scratch", type=Path)
    parser.add_argument("--scroll-seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    args.scratch.mkdir(parents=True, exist_ok=True)
    print(json.dumps(measure(args)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
