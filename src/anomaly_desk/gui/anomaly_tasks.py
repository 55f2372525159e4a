"""Qt-free reads of anomalies that the window runs in workers: pages, counts, swimlane, markers.

Each function takes ``(progress, ws, ...)`` and returns plain data. Display strings are
formatted here, in the worker, so that the table's ``data()`` is a tuple lookup on the GUI
thread however many rows have been loaded.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from anomaly_desk.model import AnomalyRow, FilterSpec, Severity, SortSpec, Status, Swimlane
from anomaly_desk.progress import Progress

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

NS = 1_000_000_000
Cursor = tuple[Any, int]
SWIMLANE_LANES = 12  # lanes shown (the highest-scoring ones); the rest are counted
MAX_MARKERS = 2000  # anomalies drawn on one series' timeline (the strongest first)


def when(ns: int) -> str:
    return datetime.fromtimestamp(ns / NS, tz=UTC).strftime("%Y-%m-%d %H:%M")


def duration_text(ns: int) -> str:
    seconds = max(0, ns) / NS
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        hours, rest = divmod(int(seconds), 3600)
        return f"{hours} h {rest // 60:02d} min" if rest >= 60 else f"{hours} h"
    return f"{seconds / 86400:.1f} d"


def lane_label(row: AnomalyRow) -> str:
    return row.series or row.entity or row.dataset


def cells(row: AnomalyRow) -> tuple[str, ...]:
    """The table's display text for one row, in column order (see ``anomaly_model.COLUMNS``)."""
    return (
        row.severity.value,
        f"{row.score:.0f}",
        when(row.start_ns),
        duration_text(row.duration_ns),
        lane_label(row),
        row.type.replace("_", " "),
        row.status.value.replace("_", " "),
        row.assignee or "",
        ", ".join(row.tags),
        row.summary,
    )


# Positions in a packed row: the order of AnomalyRow's fields, looked up, not assumed.
_FIELDS = [f.name for f in fields(AnomalyRow)]
ID, SCORE, SEVERITY, STATUS = (_FIELDS.index(n) for n in ("id", "score", "severity", "status"))


def pack(row: AnomalyRow) -> tuple[Any, ...]:
    """An AnomalyRow as a tuple of plain values (enums as their strings)."""
    values = list(astuple(row))
    values[SEVERITY], values[STATUS] = row.severity.value, row.status.value
    return tuple(values)


def unpack(values: tuple[Any, ...]) -> AnomalyRow:
    items = list(values)
    items[SEVERITY], items[STATUS] = Severity(items[SEVERITY]), Status(items[STATUS])
    return AnomalyRow(*items)


class TableRow(NamedTuple):
    """One row of the table, made only of tuples, strings and numbers.

    Why not the AnomalyRow itself: a table holding 100,000 dataclass instances gives Python's
    cyclic garbage collector that many objects to rescan, and each full pass froze the GUI
    thread for ~100 ms while scrolling. Tuples of plain values are untracked by the collector.
    """

    packed: tuple[Any, ...]
    cells: tuple[str, ...]
    live: bool = False  # streamed from a running detection, not stored yet

    @property
    def row(self) -> AnomalyRow:
        return unpack(self.packed)

    @property
    def id(self) -> int:
        return int(self.packed[ID])

    @property
    def score(self) -> float:
        return float(self.packed[SCORE])

    @property
    def severity(self) -> str:
        return str(self.packed[SEVERITY])


def table_row(row: AnomalyRow, live: bool = False) -> TableRow:
    return TableRow(pack(row), cells(row), live)


@dataclass(frozen=True)
class Page:
    rows: tuple[TableRow, ...]
    cursor: Cursor | None  # None: this was the last page


def fetch_page(
    progress: Progress,
    ws: Workspace,
    spec: FilterSpec,
    sort: SortSpec,
    after: Cursor | None,
    limit: int,
) -> Page:
    progress.check()
    rows, cursor = ws.anomalies(spec, sort, after, limit)
    # A short page is the last one: saying so now saves the view one empty round trip.
    more = cursor if len(rows) == limit else None
    return Page(tuple(table_row(r) for r in rows), more)


@dataclass(frozen=True)
class Counts:
    total: int
    by_severity: dict[Severity, int]
    version: tuple[int, int, str]

    def text(self) -> str:
        noun = "anomaly" if self.total == 1 else "anomalies"
        parts = [f"{self.total:,} {noun}"]
        critical = self.by_severity.get(Severity.CRITICAL, 0)
        major = self.by_severity.get(Severity.MAJOR, 0)
        if critical:
            parts.append(f"{critical:,} critical")
        if major:
            parts.append(f"{major:,} major")
        return " · ".join(parts)


def count_summary(progress: Progress, ws: Workspace, spec: FilterSpec) -> Counts:
    """How many anomalies match, in all and per severity: one grouped query, not one per band."""
    progress.check()
    by = {severity: 0 for severity in Severity}
    by.update(ws.count_by_severity(spec))
    return Counts(sum(by.values()), by, ws.anomalies_version())


@dataclass(frozen=True)
class SwimlaneView:
    """The lanes worth showing: the highest-scoring ones, strongest first."""

    lanes: tuple[str, ...]
    series_ids: tuple[int | None, ...]
    start_ns: int
    width_ns: int
    scores: np.ndarray  # (lanes, buckets), 0 = nothing found
    hidden: int  # lanes left out

    @property
    def buckets(self) -> int:
        return int(self.scores.shape[1]) if self.scores.ndim == 2 else 0


def top_lanes(lane: Swimlane, keep: int = SWIMLANE_LANES) -> SwimlaneView:
    if not len(lane.lanes):
        return SwimlaneView((), (), lane.start_ns, lane.width_ns, np.zeros((0, 0)), 0)
    scores = np.asarray(lane.scores, dtype=np.float64).reshape(len(lane.lanes), -1)
    peak = scores.max(axis=1)
    order = np.lexsort((np.arange(len(peak)), -peak))[:keep]
    return SwimlaneView(
        tuple(lane.lanes[i] for i in order),
        tuple(lane.lane_series_ids[i] for i in order),
        lane.start_ns,
        lane.width_ns,
        scores[order],
        max(0, len(lane.lanes) - keep),
    )


def load_swimlane(
    progress: Progress, ws: Workspace, spec: FilterSpec, buckets: int
) -> SwimlaneView:
    progress.check()
    return top_lanes(ws.swimlane(spec, buckets))


@dataclass(frozen=True)
class Markers:
    series_id: int
    rows: tuple[AnomalyRow, ...]


def load_markers(progress: Progress, ws: Workspace, series_id: int) -> Markers:
    """The strongest anomalies of one series, for its timeline (filters do not apply: the
    timeline shows what the series holds; the table is where filters narrow)."""
    progress.check()
    rows, _ = ws.anomalies(
        FilterSpec(series_ids=(series_id,)), SortSpec("score", True), None, MAX_MARKERS
    )
    return Markers(series_id, tuple(rows))
