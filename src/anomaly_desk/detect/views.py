"""The views batch Auto fuses: per-point scores in [0, 1] from several detectors and scales.

* ``raw``: robust sigmas from the same phase of comparable earlier cycles (or, without a
  cycle, from the recent past), at the raw step (``deviation.py``);
* ``sudden``: for a cyclic series, robust sigmas from the recent past, counted only where
  the cycle view agrees on the direction and finds the value unusual too. A busy afternoon
  varies a lot from one day to the next, so a moderate step there is not unusual against
  earlier days; against the last hours, and with earlier days agreeing, it is;
* ``1h`` and ``1d``: the ``raw`` view on hourly and daily means, when the series is long
  enough (a slow drift invisible point to point stands out per hour);
* ``shape``: Isolation Forest and LOF over shingles (``shingles.py``): stretches shaped
  unlike the rest of the series, even where every value is ordinary.

Which of them run follows the chosen detector families (``catalog.py``): ``raw`` and
``sudden`` are the ``deviation`` family (always on), ``1h`` and ``1d`` are ``scales``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.catalog import choose
from anomaly_desk.detect.deviation import RECENT, Z_HALF, day_types, robust_z, z_to_score
from anomaly_desk.detect.shingles import ShingleDetector

SCALES = (("1h", 3600), ("1d", 86_400))
MIN_BUCKETS = 300  # below this a coarser scale has too little history to judge anything
AGREE_SIGMAS = 2.0  # the cycle view's support a sudden change needs
# "Recent" is at most an eighth of the cycle (32 five-minute points of a day): a longer
# stretch holds much of the cycle itself. With fewer than MIN_RECENT points in it (hourly
# points of a day) there is no recent level to speak of, and no sudden-change view.
RECENT_SHARE = 8
MIN_RECENT = 5
SHAPE_LENGTHS = (8, 32, 128)
SHAPE_MIN_POINTS = 500  # shorter series: too few windows to learn usual shapes from


@dataclass(frozen=True)
class View:
    """One detector at one time scale: a score per raw point."""

    detector: str  # "deviation", "sudden change", "shape"
    scale: str  # "raw", "1h", "1d"
    scores: FloatArray


def score_to_z(score: float) -> float:
    """The inverse of ``z_to_score``: the robust sigmas a score stands for."""
    clipped = min(max(score, 0.0), 0.999999)
    return float(Z_HALF * np.sqrt(clipped / (1.0 - clipped)))


def views(
    ts_ns: np.ndarray,
    values: FloatArray,
    step_ns: float,
    period: int,
    kinds: np.ndarray | None,
    tz: str,
    residuals: FloatArray,
    random_state: int = 0,
    detectors: frozenset[str] | None = None,
) -> dict[str, View]:
    """Every usable view of a sorted series (NaN = missing) among the chosen ``detectors``
    families (None = all), keyed by name; fills ``residuals`` with the values minus their
    cycle prediction (NaN where there is none)."""
    chosen = choose(detectors)
    z, prediction, _ = robust_z(values, period, kinds)
    out = {"raw": View("deviation", "raw", z_to_score(z))}
    residuals[:] = values - prediction
    recent_points = min(RECENT, period // RECENT_SHARE)
    if recent_points >= MIN_RECENT:
        # The recent level from ordinary points only: right after an incident, its points
        # would make the return to normal look like a sudden change.
        unusual = np.abs(np.nan_to_num(z)) >= AGREE_SIGMAS
        ordinary = pd.Series(np.where(unusual, np.nan, values))
        rolling = ordinary.rolling(recent_points, min_periods=MIN_RECENT)
        level = np.asarray(rolling.median().shift(1).to_numpy(), dtype=np.float64)
        recent, _, _ = robust_z(values, 0, kinds, noise_period=period, prediction=level)
        agree = (np.sign(recent) == np.sign(z)) & unusual
        out["sudden"] = View("sudden change", "raw", z_to_score(np.where(agree, recent, 0.0)))
    if "scales" in chosen:
        out.update(_coarse(ts_ns, values, step_ns, period, tz))
    if "shape" in chosen and len(values) >= SHAPE_MIN_POINTS:
        detector = ShingleDetector(lengths=SHAPE_LENGTHS, period=period, random_state=random_state)
        out["shape"] = View("shape", "raw", detector.fit_score(values))
    # Missing points (empty slots of the time grid) are not judged by any view.
    missing = ~np.isfinite(values)
    return {
        key: View(v.detector, v.scale, np.where(missing, 0.0, v.scores)) for key, v in out.items()
    }


def _coarse(
    ts_ns: np.ndarray, values: FloatArray, step_ns: float, period: int, tz: str
) -> dict[str, View]:
    """The ``raw`` view on bucket means, one per usable scale, spread back onto the points."""
    out = {}
    daily = kinds_needed(period, step_ns)
    span_ns = float(ts_ns[-1] - ts_ns[0]) if len(ts_ns) else 0.0
    for name, seconds in SCALES:
        bucket_ns = seconds * 1e9
        if bucket_ns < 4 * step_ns or span_ns / bucket_ns < MIN_BUCKETS:
            continue
        bucket = ((ts_ns - ts_ns[0]) // int(bucket_ns)).astype(np.int64)
        _, index = np.unique(bucket, return_inverse=True)
        finite = np.isfinite(values)
        counts = np.bincount(index, weights=finite)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.bincount(index, weights=np.where(finite, values, 0.0)) / counts
        # A bucket with half its points missing (the first and last, or around a gap) has a
        # mean of part of a cycle: not comparable, so not judged.
        means[counts < 0.5 * np.median(counts)] = np.nan
        # The period in buckets, from the raw period (a day of 5-minute points = 24 hours).
        bucket_period = round(period * step_ns / bucket_ns) if period else 0
        starts = ts_ns[0] + np.unique(bucket) * int(bucket_ns)
        bucket_kinds = day_types(starts, tz) if daily and bucket_period >= 2 else None
        bucket_scores = z_to_score(
            robust_z(means, bucket_period if bucket_period >= 2 else 0, bucket_kinds)[0]
        )
        out[name] = View("deviation", name, bucket_scores[index])
    return out


def kinds_needed(period: int, step_ns: float) -> bool:
    """True when the cycle is a day: weekends are then compared with weekends."""
    day_s = 86_400.0
    return period > 0 and abs(period * step_ns / 1e9 - day_s) < 0.05 * day_s
