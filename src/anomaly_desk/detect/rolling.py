"""Causal rolling statistics that give the same numbers whether fed at once or in chunks.

Every function takes ``full`` = the stream's retained history followed by the new chunk, and
returns values for the chunk only. They use order statistics (medians, quantiles) and maxima,
whose results depend only on which values are in a window, never on how the stream was cut, so
batch and streaming runs agree bit for bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anomaly_desk.detect.arrays import FloatArray

# IQR / 1.349 and (q90 - q10) / 2.563 estimate the standard deviation of normal data.
IQR_TO_SIGMA = 1.349
DECILES_TO_SIGMA = 2.563
MAX_Z = 1000.0  # beyond this the exact size of a deviation carries no information
FLOOR_FRACTION = 0.05  # a window's scale is at least this share of the long-term scale
SPREAD_BLOCK = 256  # the long-term scale is refreshed at multiples of this index...
EARLY_REFRESH = (16, 32, 64, 128)  # ...and at these, so that young streams get a scale soon


def past_median_scale(full: FloatArray, n_new: int, window: int) -> tuple[FloatArray, FloatArray]:
    """Median and IQR-based scale of the ``window`` points *before* each new point."""
    past = pd.Series(full).shift(1).rolling(window, min_periods=max(8, window // 4))
    median = past.median().to_numpy()[-n_new:]
    spread = (past.quantile(0.75) - past.quantile(0.25)).to_numpy()[-n_new:]
    return median, spread / IQR_TO_SIGMA


def long_term_scale(full: FloatArray, n_new: int, start_index: int, span: int) -> FloatArray:
    """A slowly refreshed scale for each new point: the decile spread of the ``span`` points
    before the latest refresh index, held constant until the next refresh.

    ``full`` ends with the ``n_new`` new points, the first of which has stream index
    ``start_index``; it must hold ``span + SPREAD_BLOCK`` points of history (or all there are).
    Refreshing by stream index, not per chunk, keeps chunked and batch runs identical.
    """
    first_new = len(full) - n_new
    marks = [_last_refresh_at_or_before(start_index)]
    marks += _refresh_points(start_index, start_index + n_new)
    out = np.empty(n_new)
    for k, mark in enumerate(marks):
        begin = max(mark - start_index, 0)
        end = marks[k + 1] - start_index if k + 1 < len(marks) else n_new
        upto = first_new + mark - start_index  # position of the refresh point in ``full``
        window = full[max(0, upto - span) : max(0, upto)]
        window = window[np.isfinite(window)]
        scale = 0.0
        if len(window) >= 8:
            q10, q90 = np.quantile(window, [0.1, 0.9])
            scale = float(q90 - q10) / DECILES_TO_SIGMA
        out[begin:end] = scale
    return out


def _refresh_points(lo: int, hi: int) -> list[int]:
    """Refresh indices in ``(lo, hi)``."""
    points = [r for r in EARLY_REFRESH if lo < r < hi]
    first_block = (lo // SPREAD_BLOCK + 1) * SPREAD_BLOCK
    points += list(range(first_block, hi, SPREAD_BLOCK))
    return sorted(set(points))


def _last_refresh_at_or_before(index: int) -> int:
    if index >= SPREAD_BLOCK:
        return (index // SPREAD_BLOCK) * SPREAD_BLOCK
    earlier = [r for r in EARLY_REFRESH if r <= index]
    return earlier[-1] if earlier else 0


def robust_z(full: FloatArray, n_new: int, window: int, long_scale: FloatArray) -> FloatArray:
    """|value - past median| in robust sigmas, for the new points; 0 where undefined.

    The window's scale is floored by a share of the long-term scale so that a window of
    identical values (a flat stretch) does not make every small wiggle infinitely surprising.
    """
    median, scale = past_median_scale(full, n_new, window)
    values = full[-n_new:]
    floor = np.maximum(FLOOR_FRACTION * long_scale, 1e-9 * np.abs(median) + 1e-12)
    with np.errstate(invalid="ignore"):
        scale = np.fmax(scale, floor)
        z = np.abs(values - median) / scale
    return np.minimum(np.nan_to_num(z, nan=0.0, posinf=MAX_Z), MAX_Z)
