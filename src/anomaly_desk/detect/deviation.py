"""Batch deviation scores: how many robust sigmas each point lies from what its past predicts.

The prediction is the median of the same phase over the previous cycles when the series has a
period, else the median of the recent points; the sigma is the median absolute residual over a
long trailing window (floored by the series' noise). Only earlier points are used for each
point, so a long anomaly does not hide itself by raising its own baseline.

Unlike the streaming detector (tuned to raise one early alarm per incident, as live monitoring
needs), these scores keep their magnitude: a 40-sigma excursion scores higher than a 6-sigma
one for as long as it lasts, which is what an investigator ranking findings wants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anomaly_desk.detect.base import FloatArray
from anomaly_desk.detect.baseline import MAD_TO_SIGMA, noise_floor

CYCLES = 6
MIN_CYCLES = 3  # fewer comparable cycles than this: too little history to judge a point
RECENT = 32
SCALE_WINDOW = 2016  # residuals describing "usual noise": a week of 5-minute points
MIN_HISTORY = 250  # residuals needed before any point is judged (under a day at 5 minutes)
Z_HALF = 5.0  # |z| that scores 0.5


def z_to_score(z: FloatArray) -> FloatArray:
    """|z| -> [0, 1): 5 sigma = 0.5, 10 sigma = 0.8, 3 sigma = 0.26."""
    z2 = np.square(np.nan_to_num(z, nan=0.0))
    return np.asarray(z2 / (z2 + Z_HALF**2), dtype=np.float64)


def day_types(ts_ns: np.ndarray, tz: str) -> np.ndarray:
    """1 for Saturday/Sunday in the data's own zone, else 0."""
    local = pd.DatetimeIndex(ts_ns.astype("datetime64[ns]"), tz="UTC").tz_convert(tz)
    return np.asarray(local.day_of_week >= 5, dtype=np.int8)


def predicted(values: FloatArray, period: int, kinds: np.ndarray | None = None) -> FloatArray:
    """The past-only prediction for every point (NaN where there is no fitting past yet).

    With a period, the prediction is the median of the same phase in up to ``CYCLES`` earlier
    cycles; with ``kinds`` (the day type of each point, for a daily period) only earlier
    cycles of the same kind count, so Saturdays are compared with Saturdays and Sundays, not
    with Fridays. Fewer than ``MIN_CYCLES`` fitting cycles means no prediction: too little to judge.
    """
    n = len(values)
    if period > 0 and n > 2 * period:
        lookback = CYCLES * (4 if kinds is not None else 1)
        lagged = np.full((n, lookback), np.nan)
        for k in range(1, lookback + 1):
            lag = k * period
            if lag >= n:
                break
            column = np.full(n, np.nan)
            column[lag:] = values[:-lag]
            if kinds is not None:
                column[lag:][kinds[:-lag] != kinds[lag:]] = np.nan
            lagged[:, k - 1] = column
        # Keep only the CYCLES most recent fitting cycles for each point.
        usable = np.isfinite(lagged)
        rank = np.cumsum(usable, axis=1)
        lagged[rank > CYCLES] = np.nan
        counts = np.minimum(usable.sum(axis=1), CYCLES)
        median = np.full(n, np.nan)
        enough = counts >= MIN_CYCLES
        with np.errstate(all="ignore"):
            median[enough] = np.nanmedian(lagged[enough], axis=1)
        return median
    series = pd.Series(values)
    return series.rolling(RECENT, min_periods=5).median().shift(1).to_numpy()


def robust_z(
    values: FloatArray, period: int, kinds: np.ndarray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(z, prediction, sigma) for every point; z is NaN where nothing could be predicted."""
    prediction = predicted(values, period, kinds)
    residual = values - prediction  # NaN where either is missing: no judgement there
    # Until enough residuals describe the usual noise, points are not judged (z is NaN): an
    # early sigma from a handful of residuals makes ordinary values look extreme. Short
    # series need proportionally less history, or nothing in them could ever be judged.
    history = min(MIN_HISTORY, max(20, len(values) // 5))
    spread = (
        pd.Series(np.abs(residual))
        .rolling(SCALE_WINDOW, min_periods=history)
        .median()
        .shift(1)
        .to_numpy()
    )
    sigma = np.maximum(spread * MAD_TO_SIGMA, noise_floor(values))  # NaN stays NaN
    return residual / sigma, prediction, sigma


def expected_band(
    ts_ns: np.ndarray, values: FloatArray, tz: str = "UTC", width: float = 2.0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(expected, low, high) for every point, as batch Auto sees the series: the past-only
    prediction and ``width`` robust sigmas around it (NaN where nothing is predicted yet).
    ``ts_ns`` must be sorted."""
    from anomaly_desk.detect.explain import DAY_S
    from anomaly_desk.detect.period import find_period

    finite = values[np.isfinite(values)]
    period = find_period(finite[:20_000])
    steps = np.diff(ts_ns)
    step_s = float(np.median(steps[steps > 0])) / 1e9 if np.any(steps > 0) else 0.0
    daily = period > 0 and abs(period * step_s - DAY_S) < 0.05 * DAY_S
    _, prediction, sigma = robust_z(values, period, day_types(ts_ns, tz) if daily else None)
    return prediction, prediction - width * sigma, prediction + width * sigma
