"""Qt-free work the window runs in workers, written against the public ``Workspace`` API.

Each function takes ``(progress, ws, ...)``, is called in a worker thread with a workspace
opened in that thread, and returns plain data the GUI thread can show without further I/O.
Heavy modules are imported inside the functions so that importing this module is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from anomaly_desk.gui.timeline_peaks import Peaks
from anomaly_desk.model import DatasetInfo, DatasetKind, SeriesInfo
from anomaly_desk.progress import Progress

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace


@dataclass(frozen=True)
class DatasetEntry:
    info: DatasetInfo
    series: tuple[SeriesInfo, ...]
    report_lines: tuple[str, ...]


@dataclass(frozen=True)
class WorkspaceSnapshot:
    """What the explorer shows: every dataset with its series, read in one go."""

    path: Path
    datasets: tuple[DatasetEntry, ...]

    @property
    def series_count(self) -> int:
        return sum(len(d.series) for d in self.datasets)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(d.info.name for d in self.datasets)


@dataclass(frozen=True)
class SeriesData:
    """One series ready to plot: x in seconds since the epoch (UTC), sorted by time."""

    info: SeriesInfo
    dataset: str
    x: np.ndarray
    y: np.ndarray
    reordered: bool  # the file was out of order; sorted here for display only
    peaks: Peaks | None = None  # min/max pyramid for drawing; built here when None

    def pyramid(self) -> Peaks:
        return self.peaks if self.peaks is not None else Peaks.build(self.y)


def load_snapshot(progress: Progress, ws: Workspace) -> WorkspaceSnapshot:
    from anomaly_desk.ingest.report import describe

    infos = ws.datasets()
    entries = []
    for i, info in enumerate(infos):
        progress.update(i / max(1, len(infos)), "reading the workspace")
        series = ws.series(info) if info.kind is DatasetKind.TIMESERIES else []
        entries.append(DatasetEntry(info, tuple(series), tuple(describe(info.report))))
    return WorkspaceSnapshot(Path(ws.path), tuple(entries))


def load_series(progress: Progress, ws: Workspace, info: SeriesInfo, dataset: str) -> SeriesData:
    progress.update(0.0, f"loading {info.name}")
    ts_ns, values = ws.read_series(info.id)
    progress.check()
    reordered = bool(len(ts_ns) > 1 and np.any(np.diff(ts_ns) < 0))
    if reordered:
        order = np.argsort(ts_ns, kind="stable")
        ts_ns, values = ts_ns[order], values[order]
    x = ts_ns.astype(np.float64) / 1e9
    y = np.asarray(values, dtype=np.float64)
    progress.check()
    peaks = Peaks.build(y)  # here, not on the GUI thread: ~0.1 s for 10M points
    progress.update(1.0, f"loaded {info.name}")
    return SeriesData(info, dataset, x, y, reordered, peaks)


def build_demo(progress: Progress, dest: Path | None) -> Path:
    """Build the demo workspace at ``dest`` (default: the user's) unless it is already there."""
    # anomaly_desk.demo imports the whole import pipeline: only ever in a worker.
    from anomaly_desk.demo import build_demo_workspace, default_demo_path

    dest = dest or default_demo_path()
    if dest.exists():
        return dest
    return build_demo_workspace(dest, progress)


def preload_plotting(progress: Progress) -> None:
    """Import pyqtgraph (~0.8 s) in a worker while the workspace loads, so that the GUI thread
    finds it imported when it builds the plot views (Python's import lock makes a GUI-thread
    import of the same module wait for this one rather than start over)."""
    import pyqtgraph  # noqa: F401

    progress.check()
