"""Two post-processing steps of Numenta's NAB detector, written to be exact under any chunking.

* **Range novelty** (the "spatial anomaly" of Numenta's NAB detector): a value further outside
  the range of everything seen before than a tolerance of that range is anomalous, whatever the
  other views say. It needs no model, so it is sure of itself: it scores 1.
* **The anomaly-likelihood statistic** (Ahmad et al. 2017, "Unsupervised real-time anomaly
  detection for streaming data", section "Computing anomaly likelihood"): the moving average of
  recent raw anomaly scores, standardised by the mean and variance of that average over a long
  window that is re-estimated at fixed steps. It turns "a run of somewhat surprising points"
  into one large number, which single-point views cannot see (a burst of small spikes, a
  stretch of unusual noise).

Numenta reports ``1 - Q(statistic)`` (a Gaussian tail). The raw scores here are heavy-tailed,
so that tail saturates at 1 for many points and the ranking across files is lost; the caller
instead judges the statistic as a record, like every other view.
"""

from __future__ import annotations

import numpy as np

from anomaly_desk.detect.arrays import FloatArray

RANGE_TOLERANCE = 0.05  # Numenta's SPATIAL_TOLERANCE: 5 % of the range seen so far
# Anomaly-likelihood settings. Numenta's NAB run learns for 375 points and estimates from 375
# more on files of 5000+ points (half the 750-point probation each); 300 + 300 keeps short
# streams in play. Numenta re-estimates every 100 points from a historic window of 8640; here
# the window is 8600, a whole number of re-estimation periods, so that the estimate is a sum of
# per-period sums (exact under any chunking, and cheap).
BLOCK = 100
LEARNING_BLOCKS = 3
FIRST_ESTIMATE = 6 * BLOCK
HISTORIC_BLOCKS = 86
# Numenta's lower bounds for the mean and variance of averaged raw scores in [0, 1]: without
# them a series whose raw scores are almost always 0 turns the slightest blip into an alarm.
MEAN_FLOOR = 0.03
VARIANCE_FLOOR = 0.0003


def range_novelty(
    chunk: FloatArray, start_index: int, low: float, high: float, warmup: int
) -> tuple[FloatArray, float, float]:
    """1 where a value lies outside ``[low - tol, high + tol]`` of the values before it, else 0.

    ``low``/``high`` are the extremes of the stream so far (``inf``/``-inf`` for none) and
    ``tol = RANGE_TOLERANCE * (high - low)``; nothing is novel before ``warmup`` points or while
    the range is a single value. Returns ``(scores, low, high)`` with the extremes updated.
    """
    n = len(chunk)
    if n == 0:
        return np.empty(0), low, high
    finite = np.where(np.isfinite(chunk), chunk, np.nan)
    # Running extremes of everything strictly before each point (fmin/fmax skip NaN).
    lows = np.fmin.accumulate(np.r_[low, finite])
    highs = np.fmax.accumulate(np.r_[high, finite])
    lo, hi = lows[:-1], highs[:-1]
    with np.errstate(invalid="ignore"):
        tol = RANGE_TOLERANCE * (hi - lo)
        novel = (hi > lo) & ((finite > hi + tol) | (finite < lo - tol))
    novel &= start_index + np.arange(n) >= warmup
    return novel.astype(np.float64), float(lows[-1]), float(highs[-1])


def moving_average(
    chunk: FloatArray, tail: FloatArray, window: int
) -> tuple[FloatArray, FloatArray]:
    """Trailing mean of ``window`` raw scores for each new point (the stream starts with zeros).

    ``tail`` holds the ``window - 1`` raw scores before the chunk. The terms are added in a
    fixed order, so any chunking gives the same bits. Returns ``(averages, new tail)``.
    """
    padded = np.concatenate([tail, chunk])
    n = len(chunk)
    total = np.zeros(n)
    for k in range(window):
        total += padded[k : k + n]
    return total / window, padded[len(padded) - (window - 1) :]


def likelihood_statistic(
    averages: FloatArray, start_index: int, pending: FloatArray, blocks: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``max(0, (a - mu) / sigma)`` for the new averages ``a`` (0 before the first estimate).

    ``mu`` and ``sigma`` are re-estimated at every multiple of ``BLOCK`` from ``FIRST_ESTIMATE``
    on, from the averages of the ``HISTORIC_BLOCKS`` blocks of ``BLOCK`` points before that
    mark, leaving out the first ``LEARNING_BLOCKS`` blocks (the raw scores of a model that has
    not learnt yet). The stream carries ``pending`` (the averages of its unfinished block) and
    ``blocks`` (rows ``[sum, sum of squares]`` of its latest finished blocks, at most
    ``HISTORIC_BLOCKS``). Returns ``(statistic, pending, blocks)``.
    """
    n = len(averages)
    out = np.zeros(n)
    values = np.concatenate([pending, averages])
    first_block = (start_index - len(pending)) // BLOCK  # block id of values[0]
    done = len(values) // BLOCK
    rows = values[: done * BLOCK].reshape(done, BLOCK)
    new = np.column_stack([rows.sum(axis=1), (rows * rows).sum(axis=1)])
    new = new[max(LEARNING_BLOCKS - first_block, 0) :]
    all_blocks = np.concatenate([blocks.reshape(-1, 2), new])
    first_row = first_block + done - len(all_blocks)  # block id of all_blocks[0]
    for q in range(
        max(start_index // BLOCK, FIRST_ESTIMATE // BLOCK), (start_index + n + BLOCK - 1) // BLOCK
    ):
        window = all_blocks[max(q - HISTORIC_BLOCKS, LEARNING_BLOCKS) - first_row : q - first_row]
        count = BLOCK * len(window)
        total, squares = window.sum(axis=0)
        mu = total / count
        variance = max(squares / count - mu * mu, VARIANCE_FLOOR)
        lo, hi = max(q * BLOCK - start_index, 0), min((q + 1) * BLOCK - start_index, n)
        z = (averages[lo:hi] - max(mu, MEAN_FLOOR)) / np.sqrt(variance)
        out[lo:hi] = np.maximum(z, 0.0)
    return out, values[done * BLOCK :], all_blocks[-HISTORIC_BLOCKS:]
