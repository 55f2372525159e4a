"""Qt-free reads of anomalies that the window runs in workers: pages, counts, swimlane, markers.

Each function takes ``(progress, ws, ...)`` and returns plain data. A table page is a tuple of
packed rows (one plain tuple of plain values each): the worker does almost no Python per row
(it shares the GIL with the GUI thread) and the model keeps ~0.7 kB a row, which the garbage
collector stops scanning. The display text of a cell is made when the view asks for it
(``cell_text``, ~1 µs; a repaint asks for a few hundred).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
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


# A packed row is one plain tuple: the values of the store's ``ROW_COLUMNS``, i.e. AnomalyRow's
# fields in order with severity and status as their strings, tags joined by TAG_SEPARATOR
# (None without tags) and starred as stored. Positions are looked up, not assumed.
TAG_SEPARATOR = "\x1f"  # as the store joins tags (a test holds the two equal)
_FIELDS = [f.name for f in fields(AnomalyRow)]
ID, DATASET, SERIES, ENTITY, TYPE, START, END, SCORE, SEVERITY, STATUS = (
    _FIELDS.index(n)
    for n in (
        "id", "dataset", "series", "entity", "type", "start_ns", "end_ns", "score", "severity",
        "status",
    )
)  # fmt: skip
ASSIGNEE, TAGS, SUMMARY, STARRED, DETECTED = (
    _FIELDS.index(n) for n in ("assignee", "tags", "summary", "starred", "detected_severity")
)


def pack(row: AnomalyRow) -> tuple[Any, ...]:
    """An AnomalyRow as a packed row (plain values only)."""
    values = [getattr(row, name) for name in _FIELDS]
    values[SEVERITY], values[STATUS] = row.severity.value, row.status.value
    values[TAGS] = TAG_SEPARATOR.join(row.tags) or None
    detected = row.detected_severity
    values[DETECTED] = detected.value if detected is not None else None
    return tuple(values)


def unpack(values: tuple[Any, ...]) -> AnomalyRow:
    items = list(values)
    items[SEVERITY], items[STATUS] = Severity(items[SEVERITY]), Status(items[STATUS])
    items[TAGS] = tuple(sorted(items[TAGS].split(TAG_SEPARATOR))) if items[TAGS] else ()
    items[STARRED] = bool(items[STARRED])
    detected = items[DETECTED]
    items[DETECTED] = Severity(detected) if detected is not None else None
    return AnomalyRow(*items)


def _tags_text(v: tuple[Any, ...]) -> str:
    return ", ".join(sorted(v[TAGS].split(TAG_SEPARATOR))) if v[TAGS] else ""


# The display text of each column (see ``anomaly_model.COLUMNS``) from a packed row.
_CELL: tuple[Callable[[tuple[Any, ...]], str], ...] = (
    lambda v: str(v[SEVERITY]),
    lambda v: f"{v[SCORE]:.0f}",
    lambda v: when(v[START]),
    lambda v: duration_text(v[END] - v[START]),
    lambda v: str(v[SERIES] or v[ENTITY] or v[DATASET]),
    lambda v: str(v[TYPE]).replace("_", " "),
    lambda v: str(v[STATUS]).replace("_", " "),
    lambda v: str(v[ASSIGNEE] or ""),
    _tags_text,
    lambda v: str(v[SUMMARY]),
)
COLUMN_COUNT = len(_CELL)


def cell_text(packed: tuple[Any, ...], column: int) -> str:
    return _CELL[column](packed)


def packed_cells(packed: tuple[Any, ...]) -> tuple[str, ...]:
    """The table's display text for one packed row, in column order."""
    return tuple(cell(packed) for cell in _CELL)


def cells(row: AnomalyRow) -> tuple[str, ...]:
    """The table's display text for one row, in column order."""
    return packed_cells(pack(row))


# Columns with few distinct values: one shared string each instead of one per row (sqlite3
# makes a new string for every value it reads).
_SHARED = (DATASET, SERIES, ENTITY, TYPE, SEVERITY, STATUS, ASSIGNEE, DETECTED)


def share_strings(values: tuple[Any, ...]) -> tuple[Any, ...]:
    items = list(values)
    for i in _SHARED:
        if items[i] is not None:
            items[i] = sys.intern(items[i])
    return tuple(items)


class TableRow(NamedTuple):
    """One row of the table: its packed values, and whether a running detection streamed it.

    Why not the AnomalyRow itself: a table holding 100,000 dataclass instances gives Python's
    cyclic garbage collector that many objects to rescan, and each full pass froze the GUI
    thread for ~100 ms while scrolling. The table model keeps only ``packed``: a plain tuple of
    plain values, which the collector stops tracking (it never untracks a NamedTuple).
    """

    packed: tuple[Any, ...]
    live: bool = False  # streamed from a running detection, not stored yet

    @property
    def cells(self) -> tuple[str, ...]:
        return packed_cells(self.packed)

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
    return TableRow(pack(row), live)


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
    values, cursor = ws.anomaly_values(spec, sort, after, limit)
    # A short page is the last one: saying so now saves the view one empty round trip.
    more = cursor if len(values) == limit else None
    return Page(tuple(TableRow(share_strings(v)) for v in values), more)


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
    # The store's anomalies version read before the lanes (a cache key that is never newer
    # than the data it describes); None for a view not read from a store.
    version: tuple[int, int, str] | None = None

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
    version = ws.anomalies_version()
    lanes, total = ws.swimlane_top(spec, buckets, SWIMLANE_LANES)
    return replace(top_lanes(lanes), hidden=max(0, total - len(lanes.lanes)), version=version)


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
