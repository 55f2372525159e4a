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

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.baseline import MAD_TO_SIGMA, noise_floor

CYCLES = 6
LOOKBACK_KINDS = 4  # with day kinds, fitting cycles are sought this many times further back
MIN_CYCLES = 3  # fewer comparable cycles than this: too little history to judge a point
RECENT = 32
SCALE_WINDOW = 2016  # residuals describing "usual noise": a week of 5-minute points
MIN_HISTORY = 250  # residuals needed before any point is judged (under a day at 5 minutes)
Z_HALF = 5.0  # |z| that scores 0.5
GRID_SLACK = 1.5  # a grid with more empty slots than this allows is not the series' grid


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
    if period > 0 and len(values) > 2 * period:
        return same_phase_median(values, period, kinds)
    series = pd.Series(values)
    return series.rolling(RECENT, min_periods=5).median().shift(1).to_numpy()


def same_phase_median(
    x: FloatArray, period: int, kinds: np.ndarray | None = None, min_cycles: int = MIN_CYCLES
) -> FloatArray:
    """For every point, the median of ``x`` at the same phase of up to ``CYCLES`` earlier
    cycles of the same kind, looking back at most ``CYCLES * LOOKBACK_KINDS`` cycles with kinds
    (NaN with fewer than ``min_cycles`` of them; missing values of ``x`` do not count).

    Points are grouped by phase (and kind) in position order, so the earlier cycles of a
    point are its predecessors in its group: an (n, CYCLES) table instead of one column per
    lag looked at, which matters at a million points.
    """
    n = len(x)
    if n == 0 or period <= 0:
        return np.full(n, np.nan)
    positions = np.arange(n)
    group = positions % period
    lookback = CYCLES if kinds is None else CYCLES * LOOKBACK_KINDS
    if kinds is not None:
        group = group * 2 + (np.asarray(kinds) != 0)
    order = np.argsort(group, kind="stable")  # by group, then by position
    group_sorted = group[order]
    finite_sorted = np.isfinite(x[order])
    finite_at = np.flatnonzero(finite_sorted)  # sorted slots of the usable values
    if not len(finite_at):
        return np.full(n, np.nan)  # nothing usable to look back at
    before = np.cumsum(finite_sorted) - finite_sorted  # usable values earlier in the order
    lagged = np.full((n, CYCLES), np.nan)
    for k in range(1, CYCLES + 1):
        slot = before - k
        ok = slot >= 0
        source = np.where(ok, finite_at[np.maximum(slot, 0)], 0)
        ok &= group_sorted[source] == group_sorted
        ok &= order - order[source] <= lookback * period
        lagged[:, k - 1] = np.where(ok, x[order[source]], np.nan)
    counts = np.isfinite(lagged).sum(axis=1)
    lagged.sort(axis=1)  # NaN last
    rows = np.arange(n)
    low = lagged[rows, np.maximum(counts - 1, 0) // 2]
    high = lagged[rows, np.minimum(counts // 2, CYCLES - 1)]
    median = np.full(n, np.nan)
    enough = counts >= min_cycles
    median[order[enough]] = 0.5 * (low[enough] + high[enough])
    return median


def phase_spread(abs_residual: FloatArray, period: int, kinds: np.ndarray | None) -> FloatArray:
    """The usual size of a residual at this phase of the cycle, from earlier cycles.

    Busy hours are noisier than quiet ones (a request count's noise grows with the count); a
    sigma from the whole week would make every busy hour look unusual and hide anomalies at
    night. The residual sizes are smoothed over about an hour of phase (a median, so one odd
    point does not count) and then compared across earlier cycles like the prediction.
    """
    half = max(1, period // 12)
    smooth = (
        pd.Series(abs_residual)
        .rolling(2 * half + 1, center=True, min_periods=half + 1)
        .median()
        .to_numpy()
    )
    # One earlier cycle of residuals will do: a median over hours of them is steady enough,
    # and waiting for more would leave days with a prediction but no judgement.
    return same_phase_median(smooth, period, kinds, min_cycles=1)


def robust_z(
    values: FloatArray,
    period: int,
    kinds: np.ndarray | None = None,
    noise_period: int | None = None,
    prediction: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(z, prediction, sigma) for every point; z is NaN where nothing could be predicted.

    The prediction comes from earlier cycles of ``period`` (0: from the recent past); the
    noise is sized per phase of ``noise_period`` (default ``period``), so a prediction from
    the recent past can still be judged against the noise usual at this hour. A ``prediction``
    given replaces the one from ``period``.
    """
    if prediction is None:
        prediction = predicted(values, period, kinds)
    cycle = period if noise_period is None else noise_period
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
    if cycle > 0 and len(values) > 2 * cycle:
        local = phase_spread(np.abs(residual), cycle, kinds)
        # The larger of the two: a quiet phase keeps the series-wide sigma (its anomalies stay
        # visible), a busy phase is judged against its own larger noise. Until this phase's
        # noise is known, the point is not judged: the series-wide sigma, mostly quiet
        # hours, would make any busy hour look extreme.
        spread = np.maximum(spread, local)
    sigma = np.maximum(spread * MAD_TO_SIGMA, noise_floor(values))  # NaN stays NaN
    return residual / sigma, prediction, sigma


def expected_band(
    ts_ns: np.ndarray, values: FloatArray, tz: str = "UTC", width: float = 2.0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(expected, low, high) for every point, as batch Auto sees the series: the past-only
    prediction and ``width`` robust sigmas around it (NaN where Auto does not judge yet).
    ``ts_ns`` must be sorted."""
    from anomaly_desk.detect.explain import DAY_S
    from anomaly_desk.detect.period import find_period_detrended, snap_to_calendar

    steps = np.diff(ts_ns)
    step_ns = float(np.median(steps[steps > 0])) if np.any(steps > 0) else 0.0
    finite = np.flatnonzero(np.isfinite(values))
    grid_ts, grid_values, slots = on_grid(ts_ns[finite], values[finite], step_ns)
    period = snap_to_calendar(find_period_detrended(grid_values[:20_000]), step_ns / 1e9)
    daily = period > 0 and abs(period * step_ns / 1e9 - DAY_S) < 0.05 * DAY_S
    kinds = day_types(grid_ts, tz) if daily else None
    _, prediction, sigma = robust_z(grid_values, period, kinds)
    prediction = np.where(np.isfinite(sigma), prediction, np.nan)
    out = [np.full(len(values), np.nan) for _ in range(3)]
    for array, band in zip(
        out, (prediction, prediction - width * sigma, prediction + width * sigma), strict=True
    ):
        array[finite] = band[slots]
    return out[0], out[1], out[2]


def on_grid(
    ts: np.ndarray, values: FloatArray, step_ns: float
) -> tuple[np.ndarray, FloatArray, np.ndarray]:
    """The points on their regular time grid, missing steps as NaN, when they fit one;
    also each point's position on it.

    The views compare a point with the same phase of earlier cycles by position; after a
    gap of an hour, "288 points ago" is no longer "the same time yesterday". On the grid it
    is. Points that do not sit on one grid (duplicates, irregular steps, a grid mostly
    empty) are returned as they are.
    """
    as_they_are = (ts, values, np.arange(len(ts)))
    if step_ns <= 0 or len(ts) < 2:
        return as_they_are
    slots = np.round((ts - ts[0]) / step_ns).astype(np.int64)
    size = int(slots[-1]) + 1
    if size == len(ts) or size > GRID_SLACK * len(ts) or np.any(np.diff(slots) <= 0):
        return as_they_are
    grid_ts = ts[0] + np.round(np.arange(size) * step_ns).astype(np.int64)
    grid_ts[slots] = ts  # real points keep their own instants
    grid_values = np.full(size, np.nan)
    grid_values[slots] = values
    return grid_ts, grid_values, slots
