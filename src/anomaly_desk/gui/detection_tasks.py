"""Qt-free detection work for the Detect dialog: the sensitivity preview and the run itself.

The preview runs the chosen detector families once at sensitivity 1.0 (everything they could
report, the cross-series family included) and counts, for every slider position, the findings
whose score passes that position's threshold: moving the slider is then a lookup, with no
detection and no store write. Choosing other families computes a new preview.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from anomaly_desk.gui.anomaly_tasks import TableRow, table_row
from anomaly_desk.model import (
    AnomalyRow,
    DatasetKind,
    DetectionRunInfo,
    NewAnomaly,
    Severity,
    Status,
)
from anomaly_desk.progress import Progress

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

SLIDER_STEPS = 100  # the slider runs 0..100, sensitivity = position / 100


@dataclass(frozen=True)
class Preview:
    """Findings per slider position (index = position) for one dataset."""

    dataset_id: int
    counts: tuple[int, ...]
    critical: tuple[int, ...]
    note: str = ""
    detectors: frozenset[str] | None = None  # as asked for (None: all, or not a time series)

    def at(self, position: int) -> tuple[int, int]:
        position = min(max(position, 0), len(self.counts) - 1)
        return self.counts[position], self.critical[position]


def counts_by_position(scores: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, ...]:
    """How many scores (0..100) pass each threshold (0..1), in all and critical (>= 75)."""
    ordered = np.sort(scores)
    limits = 100.0 * thresholds
    passing = len(ordered) - np.searchsorted(ordered, limits, side="left")
    critical = len(ordered) - np.searchsorted(ordered, np.maximum(limits, 75.0), side="left")
    return passing, critical


def preview_counts(
    progress: Progress, ws: Workspace, dataset_id: int, detectors: frozenset[str] | None = None
) -> Preview:
    from anomaly_desk.analysis.detection_run import CrossSeries
    from anomaly_desk.detect.auto import detect_series, threshold_for
    from anomaly_desk.detect.catalog import choose

    info = next(d for d in ws.datasets() if d.id == dataset_id)
    positions = SLIDER_STEPS + 1
    if info.kind is not DatasetKind.TIMESERIES:
        zero = (0,) * positions
        note = "no preview for event and record datasets"
        return Preview(dataset_id, zero, zero, note, detectors)
    chosen = choose(detectors)
    tz = info.mapping.timezone
    all_series = ws.series(info)
    scores: list[float] = []
    together = CrossSeries(chosen)
    for i, series in enumerate(all_series):
        progress.update(i / max(1, len(all_series)), f"previewing {series.name}")
        ts, values = ws.read_series(series.id)
        found = detect_series(ts, values, series.name, tz, sensitivity=1.0, detectors=chosen)
        scores.extend(f.score for f in found)
        together.add(series.name, ts, values)
    if len(together.series) > 1:
        progress.update(0.95, "previewing across series")
        scores.extend(f.score for f in together.findings(tz))
    thresholds = np.array([threshold_for(p / SLIDER_STEPS) for p in range(positions)])
    passing, critical = counts_by_position(np.asarray(scores, dtype=np.float64), thresholds)
    return Preview(
        dataset_id,
        tuple(int(v) for v in passing),
        tuple(int(v) for v in critical),
        detectors=detectors,
    )


LiveSink = Callable[[list[TableRow], dict[int, dict[str, Any]]], None]


def live_rows(
    found: list[NewAnomaly],
    dataset: str,
    dataset_id: int,
    names: dict[int, str],
    ids: itertools.count[int],
) -> tuple[list[TableRow], dict[int, dict[str, Any]]]:
    """Findings of a running detection as table rows, with negative ids (nothing stored yet)."""
    rows: list[TableRow] = []
    explanations: dict[int, dict[str, Any]] = {}
    for item in found:
        row_id = -next(ids)
        score = float(min(100.0, max(0.0, item.score)))
        row = AnomalyRow(
            id=row_id,
            uid="",
            dataset=dataset,
            series=names.get(item.series_id) if item.series_id is not None else None,
            entity=item.entity,
            type=item.type,
            start_ns=item.start_ns,
            end_ns=item.end_ns,
            peak_ns=item.peak_ns,
            score=score,
            severity=Severity.from_score(score),
            status=Status.NEW,
            assignee=None,
            tags=(),
            summary=item.summary,
            actual=item.actual,
            expected=item.expected,
            band_low=item.band_low,
            band_high=item.band_high,
            starred=False,
            series_id=item.series_id,
            dataset_id=dataset_id,
        )
        rows.append(table_row(row, live=True))
        explanations[row_id] = item.explanation
    return rows, explanations


def detect(
    progress: Progress,
    ws: Workspace,
    dataset_name: str,
    preset: str,
    sensitivity: float,
    sink: LiveSink | None,
    detectors: frozenset[str] | None = None,
) -> DetectionRunInfo:
    """Run and store a detection; ``sink`` sees each series' findings as they are computed.
    ``detectors``: the detector families (None = all; must be None for events and records)."""
    from anomaly_desk.analysis import run_detection

    info = ws.dataset(dataset_name)
    names = {s.id: s.name for s in ws.series(info)} if info.kind is DatasetKind.TIMESERIES else {}
    ids = itertools.count(1)

    def forward(found: list[NewAnomaly]) -> None:
        if sink is not None:
            sink(*live_rows(found, info.name, info.id, names, ids))

    return run_detection(
        ws,
        dataset_name,
        preset,
        sensitivity,
        progress=progress,
        on_findings=forward,
        detectors=detectors,
    )
