"""The stretch of a series around an anomaly, with the expected band where it can be computed.

The window and the band follow the detail pane (``gui/detail_tasks.py``) so the report shows
what the investigator saw: four times the anomaly's length on each side (at least 60 steps
each side), and the detectors' own past-only baseline, prediction ± 2 robust σ. The band is computed
once per series and shared by all the anomalies on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from anomaly_desk.model import AnomalyRow

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

NS = 1_000_000_000
BAND_SIGMAS = 2.0
CONTEXT_DURATIONS = 4
MIN_CONTEXT_STEPS = 60
MAX_BAND_INPUT = 2_000_000  # as the GUI: beyond this the baseline needs gigabytes
PERIOD_SPAN = 20_000
DAY_S = 86_400

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def _empty_i64() -> I64:
    return np.zeros(0, dtype=np.int64)


def _empty_f64() -> F64:
    return np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class Context:
    """Points of one series in a window around an anomaly (timestamps in ns, UTC)."""

    ts_ns: I64 = field(default_factory=_empty_i64)
    values: F64 = field(default_factory=_empty_f64)
    band_low: F64 = field(default_factory=_empty_f64)  # NaN where there is no prediction
    band_high: F64 = field(default_factory=_empty_f64)

    @property
    def has_band(self) -> bool:
        return bool(len(self.band_low)) and bool(np.isfinite(self.band_low).any())


@dataclass(frozen=True)
class _Series:
    ts_ns: I64
    values: F64
    low: F64
    high: F64
    step_ns: float


class ContextReader:
    """Reads each series once (sorted, with its band) and cuts windows out of it."""

    def __init__(self, ws: Workspace, with_band: bool = True) -> None:
        self._ws = ws
        self._with_band = with_band
        self._cache: dict[int, _Series] = {}

    def around(self, row: AnomalyRow) -> Context:
        if row.series_id is None:
            return Context()
        series = self._series(row.series_id, row.dataset_id)
        span = max(
            row.end_ns - row.start_ns, int(series.step_ns * MIN_CONTEXT_STEPS / CONTEXT_DURATIONS)
        )
        lo = row.start_ns - CONTEXT_DURATIONS * span
        hi = row.end_ns + CONTEXT_DURATIONS * span
        cut = slice(
            int(np.searchsorted(series.ts_ns, lo)),
            int(np.searchsorted(series.ts_ns, hi, "right")),
        )
        return Context(series.ts_ns[cut], series.values[cut], series.low[cut], series.high[cut])

    def _series(self, series_id: int, dataset_id: int) -> _Series:
        found = self._cache.get(series_id)
        if found is None:
            ts_ns, values = self._ws.read_series(series_id)
            order = np.argsort(ts_ns, kind="stable")
            ts = np.asarray(ts_ns[order], dtype=np.int64)
            vals = np.asarray(values[order], dtype=np.float64)
            steps = np.diff(ts)
            step = float(np.median(steps[steps > 0])) if np.any(steps > 0) else float(NS)
            low, high = np.full(len(ts), np.nan), np.full(len(ts), np.nan)
            if self._with_band and 10 <= len(ts) <= MAX_BAND_INPUT:
                low, high = _band(ts, vals, self._timezone(dataset_id))
            found = _Series(ts, vals, low, high, step)
            self._cache[series_id] = found
        return found

    def _timezone(self, dataset_id: int) -> str:
        return next((d.mapping.timezone for d in self._ws.datasets() if d.id == dataset_id), "UTC")


def _band(ts: I64, vals: F64, tz: str) -> tuple[F64, F64]:
    """Prediction ± 2σ at every point (NaN where the baseline has none), as the GUI draws it."""
    # Imported here: the detectors pull in scikit-learn, which a plain export does not need.
    from anomaly_desk.detect.deviation import expected_band

    low = np.full(len(ts), np.nan)
    high = np.full(len(ts), np.nan)
    finite = np.isfinite(vals)
    if finite.sum() < 10:
        return low, high
    _, low[finite], high[finite] = expected_band(ts[finite], vals[finite], tz, BAND_SIGMAS)
    return low, high
