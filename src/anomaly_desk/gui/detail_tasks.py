"""Qt-free work behind the timeline's expected band and the detail pane, run in workers.

The expected band is the detectors' own baseline (``detect.deviation.expected_band``): a
past-only prediction for every point and a robust sigma; the band is prediction ± 2σ.
``anomaly_desk.detect`` pulls in scikit-learn (~1.7 s), so it is imported inside the
functions, which only ever run in workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from anomaly_desk.gui.triage_tasks import TriageInfo, triage_info
from anomaly_desk.model import AnomalyRow, FilterSpec, SortSpec
from anomaly_desk.progress import Progress

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

NS = 1_000_000_000
BAND_SIGMAS = 2.0
MAX_BAND_INPUT = 2_000_000  # robust_z holds ~20 lagged copies: beyond this it needs GBs
MAX_BAND_POINTS = 6000  # the band drawn is an envelope this coarse: a fill has no downsampling
RELATED_WINDOW_NS = 3600 * NS
RELATED_LIMIT = 20
CONTEXT_DURATIONS = 4  # the context plot shows this many times the anomaly's length each side
MIN_CONTEXT_STEPS = 60


@dataclass(frozen=True)
class Band:
    """Expected band, x in seconds since the epoch (UTC); empty with a note when unavailable."""

    series_id: int
    x: np.ndarray
    low: np.ndarray
    high: np.ndarray
    note: str = ""


def _sorted_finite(ts_ns: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(ts_ns, kind="stable")
    ts, vals = ts_ns[order], np.asarray(values[order], dtype=np.float64)
    finite = np.isfinite(vals)
    return ts[finite], vals[finite]


def band_arrays(
    ts_ns: np.ndarray, values: np.ndarray, tz: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ts_ns, low, high) of prediction ± 2σ for the finite points that have a prediction.

    The band is the detectors' own (``detect.deviation.expected_band``), so what the timeline
    draws is what Auto detection compared each point with.
    """
    from anomaly_desk.detect.deviation import expected_band

    ts, vals = _sorted_finite(ts_ns, values)
    if len(vals) < 10:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty, empty
    _, low, high = expected_band(ts, vals, tz, BAND_SIGMAS)
    keep = np.isfinite(low) & np.isfinite(high)
    return ts[keep], low[keep], high[keep]


def envelope(
    x: np.ndarray, low: np.ndarray, high: np.ndarray, points: int = MAX_BAND_POINTS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At most ``points`` buckets: the lowest low and highest high of each (never narrower)."""
    if len(x) <= points:
        return x, low, high
    starts = np.linspace(0, len(x), points, endpoint=False).astype(np.intp)
    return x[starts], np.minimum.reduceat(low, starts), np.maximum.reduceat(high, starts)


def compute_band(progress: Progress, ws: Workspace, series_id: int, tz: str) -> Band:
    progress.update(0.0, "computing the expected band")
    # The stored count decides before any point is read: decoding a 10M-point series only to
    # refuse it held the GIL for a second while the timeline was being panned.
    count = ws.series_by_id(series_id).points
    if count > MAX_BAND_INPUT:
        empty = np.zeros(0)
        note = f"no expected band: {count:,} points is more than {MAX_BAND_INPUT:,}"
        return Band(series_id, empty, empty, empty, note)
    ts_ns, values = ws.read_series(series_id)
    progress.check()
    ts, low, high = band_arrays(ts_ns, values, tz)
    progress.check()
    x, low, high = envelope(ts.astype(np.float64) / NS, low, high)
    return Band(series_id, x, low, high)


@dataclass(frozen=True)
class Detail:
    row: AnomalyRow
    explanation: dict[str, Any]
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))  # context, seconds (UTC)
    y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    band_x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    band_low: np.ndarray = field(default_factory=lambda: np.zeros(0))
    band_high: np.ndarray = field(default_factory=lambda: np.zeros(0))
    related: tuple[AnomalyRow, ...] = ()
    live: bool = False  # a finding of a running detection: nothing stored to read yet
    triage: TriageInfo | None = None  # comments, history, similar (None for a live finding)


def context_window(row: AnomalyRow, step_ns: float) -> tuple[int, int]:
    span = max(row.end_ns - row.start_ns, int(step_ns * MIN_CONTEXT_STEPS / CONTEXT_DURATIONS))
    return row.start_ns - CONTEXT_DURATIONS * span, row.end_ns + CONTEXT_DURATIONS * span


def load_detail(progress: Progress, ws: Workspace, anomaly_id: int) -> Detail:
    progress.update(0.0, "reading the anomaly")
    row, explanation = ws.anomaly(anomaly_id)
    related = related_anomalies(ws, row)
    triage = triage_info(ws, anomaly_id)
    if row.series_id is None:
        return Detail(row, explanation, related=related, triage=triage)
    progress.check()
    info = ws.series_by_id(row.series_id)
    # The stored step is the import's median positive step: the same as the points' own.
    lo, hi = context_window(row, (info.step_seconds or 1.0) * NS)
    with_band = info.points <= MAX_BAND_INPUT  # the band needs the whole past of the series
    if with_band:
        ts_ns, values = ws.read_series(row.series_id)
    else:  # only the context: a few chunks of a 10M-point series
        ts_ns, values = ws.read_series(row.series_id, lo, hi)
    order = np.argsort(ts_ns, kind="stable")
    ts_ns, values = ts_ns[order], np.asarray(values[order], dtype=np.float64)
    window = slice(int(np.searchsorted(ts_ns, lo)), int(np.searchsorted(ts_ns, hi, "right")))
    x = ts_ns[window].astype(np.float64) / NS
    y = values[window]
    band_x, band_low, band_high = np.zeros(0), np.zeros(0), np.zeros(0)
    if with_band:
        progress.check()
        tz = _timezone(ws, row.dataset_id)
        bts, blow, bhigh = band_arrays(ts_ns, values, tz)
        inside = (bts >= lo) & (bts <= hi)
        band_x, band_low, band_high = (
            bts[inside].astype(np.float64) / NS,
            blow[inside],
            bhigh[inside],
        )
    return Detail(row, explanation, x, y, band_x, band_low, band_high, related, triage=triage)


def related_anomalies(ws: Workspace, row: AnomalyRow) -> tuple[AnomalyRow, ...]:
    """Same dataset, overlapping the anomaly's time ±1 h, on other series; strongest first."""
    spec = FilterSpec(
        dataset_ids=(row.dataset_id,),
        since_ns=row.start_ns - RELATED_WINDOW_NS,
        until_ns=row.end_ns + RELATED_WINDOW_NS,
    )
    rows, _ = ws.anomalies(spec, SortSpec("score", True), None, RELATED_LIMIT * 3)
    others = [
        r
        for r in rows
        if r.id != row.id and (r.series_id != row.series_id or row.series_id is None)
    ]
    return tuple(others[:RELATED_LIMIT])


def _timezone(ws: Workspace, dataset_id: int) -> str:
    for info in ws.datasets():
        if info.id == dataset_id:
            return info.mapping.timezone
    return "UTC"
