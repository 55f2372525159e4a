"""The default streaming series detector: multi-timescale robust deviations, judged as records,
plus the two post-processing steps of Numenta's NAB detector and a memory of shapes.

For every point it measures, in robust sigmas, how far the value lies from

* the median of the last 16, 64 and 256 points (spikes, level shifts, drifts at three scales);
* once a period ``P`` is found (autocorrelation, re-checked at growing checkpoints), how far the
  seasonal difference ``x_t - x_{t-P}`` lies from its own recent median (a change of the daily
  or weekly shape that the plain views cannot see).

Each such deviation is compared with the largest deviation of the same view seen before
(decaying with a half-life), so a view only speaks when it sees something bigger than anything
in its recent past; the views' ratios ``u`` are fused by their maximum and mapped to
``u / (1 + u)`` in [0, 1) (0.5 = "a new record"). After an alarm (score >= 0.5) further alarms
are held back for a refractory period. Three more views join by maximum:

* the **anomaly-likelihood** statistic of Ahmad et al. (2017): the average of the last
  ``likelihood_window`` fused scores, standardised by the mean and variance of that average
  over a long past window. It sees a run of moderately surprising points (a burst of spikes, a
  stretch of odd noise) that no single point reveals. Instead of Numenta's Gaussian tail, which
  saturates on these heavy-tailed scores, it is judged as a record like the other views, with
  its own refractory period;
* **range novelty** (Numenta's "spatial anomaly"): a value more than 5 % of the range outside
  everything seen so far scores 1. Like the other two sources it has its own refractory period:
  an excursion that sets several new extremes in a row raises one alarm, not one per extreme;
* **shape memory** (``resonance.py``, the idea of ARTime): Fuzzy ART over windows of block means
  remembers every shape the series has shown; a window that resonates with none of them is a
  new pattern (a changed rhythm, a day that runs differently) even when every value is usual.
  Its mismatch is judged as a record, with a long refractory period of its own
  (``shape_refractory_period``): it speaks rarely, about what the other views cannot see.

Everything is causal and resumable: ``update`` accepts chunks of any size, and any split of a
stream (and any save/resume via ``get_state``/``set_state``) gives bit-identical scores.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.base import SeriesDetector
from anomaly_desk.detect.likelihood import (
    FIRST_ESTIMATE,
    likelihood_statistic,
    moving_average,
    range_novelty,
)
from anomaly_desk.detect.period import find_period
from anomaly_desk.detect.resonance import ShapeMemory
from anomaly_desk.detect.rolling import SPREAD_BLOCK, long_term_scale, robust_z
from anomaly_desk.detect.surprise import decayed_record_ratio, refractory

FIRST_PERIOD_CHECK = 512
PERIOD_SPAN = 8192  # period detection looks at most this far back; checks repeat this often
SCALE_SPAN = 4096  # the long-term scale (a floor for window scales) uses this many points
HISTORY = max(PERIOD_SPAN, SCALE_SPAN + SPREAD_BLOCK)


def period_checkpoints(lo: int, hi: int) -> list[int]:
    """Stream indices in ``[lo, hi)`` before which the period is re-estimated."""
    points = []
    check = FIRST_PERIOD_CHECK
    while check <= PERIOD_SPAN:
        points.append(check)
        check *= 2
    points += range(2 * PERIOD_SPAN, hi, PERIOD_SPAN)
    return [c for c in points if lo <= c < hi]


class StreamingDetector(SeriesDetector):
    """Causal multi-timescale detector for one series; scores in [0, 1], higher = worse.

    Parameters
    ----------
    windows : lengths of the trailing windows whose median is the expected value.
    seasonal_windows : the same for the seasonal difference, once a period is found.
    half_life : points after which a past record counts half as much.
    warmup : points a view watches before it may score (its first record is meaningless).
    refractory_period : points after an alarm during which no other alarm is raised.
    alarm_level : the score of "a new record"; alarms and the refractory period use it.
    min_period_correlation : autocorrelation needed to accept a period.
    likelihood_window : raw scores averaged by the likelihood view. Numenta averages 10 HTM
        scores; the record scores here are sparser (mostly far below 0.5), and 30 makes a run of
        them stand out from single records (measured on NAB: 10 -> 60.0, 20 -> 64.0, 30 -> 66.2,
        50 -> 65.2, 80 -> 65.1 standard; 30 is also the best on the odd half of the files).
    shape_memory : the Fuzzy ART settings of the shape-memory view (None leaves it out).
    shape_learning : rows during which the young memory's mismatches set no record (every
        window is new at first).
    shape_refractory_period : the shape view's own refractory period. On NAB 400 - 1200 score
        alike (70.1 - 70.4 standard); 100, the other views' period, gives 68.9, as near-misses
        of the same new pattern alarm again.
    """

    def __init__(
        self,
        windows: tuple[int, ...] = (16, 64, 256),
        seasonal_windows: tuple[int, ...] = (64, 256),
        half_life: float = 10_000.0,
        warmup: int = 150,
        refractory_period: int = 100,
        alarm_level: float = 0.5,
        min_period_correlation: float = 0.3,
        likelihood_window: int = 30,
        shape_memory: ShapeMemory | None = ShapeMemory(),  # noqa: B008 (frozen, never mutated)
        shape_learning: int = 300,
        shape_refractory_period: int = 800,
    ) -> None:
        self.windows = windows
        self.seasonal_windows = seasonal_windows
        self.half_life = half_life
        self.warmup = warmup
        self.refractory_period = refractory_period
        self.alarm_level = alarm_level
        self.min_period_correlation = min_period_correlation
        self.likelihood_window = likelihood_window
        self.shape_memory = shape_memory
        self.shape_learning = shape_learning
        self.shape_refractory_period = shape_refractory_period

    def _new_state(self) -> dict[str, Any]:
        return {
            "n": 0,
            "x_history": np.empty(0),
            "period": 0,
            "season_start": 0,
            "d_history": np.empty(0),
            "records": {name: [-np.inf, 0] for name in self._view_names()},
            "last_alarm": -(10**18),
            "low": np.inf,
            "high": -np.inf,
            "avg_tail": np.zeros(self.likelihood_window - 1),
            "avg_pending": np.empty(0),
            "avg_blocks": np.empty((0, 2)),
            "density_record": [-np.inf, 0],
            "density_last_alarm": -(10**18),
            "novelty_last_alarm": -(10**18),
            **self._new_shape_state(),
        }

    def _new_shape_state(self) -> dict[str, Any]:
        memory = self.shape_memory
        return {
            "shape": memory.new_state() if memory else {},
            "shape_record": [-np.inf, 0],
            "shape_last_alarm": -(10**18),
        }

    def _view_names(self) -> list[str]:
        return [f"level{w}" for w in self.windows] + [f"season{w}" for w in self.seasonal_windows]

    def _score_chunk(self, values: FloatArray, state: dict[str, Any]) -> FloatArray:
        n0 = int(state["n"])
        checks = period_checkpoints(n0, n0 + len(values))
        bounds = [n0, *checks, n0 + len(values)]
        pieces = []
        for lo, hi in itertools.pairwise(bounds):
            if lo in checks:
                self._recheck_period(state, lo)
            if hi > lo:
                pieces.append(self._score_piece(values[lo - n0 : hi - n0], state))
        return np.concatenate(pieces) if pieces else np.empty(0)

    def _recheck_period(self, state: dict[str, Any], index: int) -> None:
        """Re-estimate the period before stream index ``index`` (a checkpoint)."""
        recent = state["x_history"][-min(index, PERIOD_SPAN) :]
        period = find_period(recent, self.min_period_correlation)
        if period != state["period"]:
            # A new period is a new seasonal view: its history and records start afresh.
            state["period"] = period
            state["season_start"] = index
            state["d_history"] = np.empty(0)
            for w in self.seasonal_windows:
                state["records"][f"season{w}"] = [-np.inf, 0]

    def _score_piece(self, chunk: FloatArray, state: dict[str, Any]) -> FloatArray:
        start = int(state["n"])
        n_new = len(chunk)
        full_x = np.concatenate([state["x_history"], chunk])
        ratios = [self._view_ratios(full_x, n_new, start, start, self.windows, "level", state)]
        period = int(state["period"])
        if period > 0 and self.seasonal_windows:
            lagged = full_x[len(full_x) - n_new - period : len(full_x) - period]
            full_d = np.concatenate([state["d_history"], chunk - lagged])
            since = start - int(state["season_start"])
            ratios.append(
                self._view_ratios(
                    full_d, n_new, since, start, self.seasonal_windows, "season", state
                )
            )
            state["d_history"] = full_d[-(SCALE_SPAN + SPREAD_BLOCK) :]
        surprise = np.max(np.vstack(ratios), axis=0)
        scores = surprise / (1.0 + surprise)
        scores, state["last_alarm"] = refractory(
            scores, start, int(state["last_alarm"]), self.alarm_level, self.refractory_period
        )
        density = self._density(scores, start, state)
        novelty, state["low"], state["high"] = range_novelty(
            chunk, start, float(state["low"]), float(state["high"]), self.warmup
        )
        # One excursion beyond the range is one alarm, not one per new extreme (a stream saved
        # before this key existed resumes as if range novelty had never alarmed).
        novelty, state["novelty_last_alarm"] = refractory(
            novelty,
            start,
            int(state.get("novelty_last_alarm", -(10**18))),
            self.alarm_level,
            self.refractory_period,
        )
        state["x_history"] = full_x[-HISTORY:]
        state["n"] = start + n_new
        shape = self._shape(chunk, start, state)
        result: FloatArray = np.maximum.reduce([scores, density, novelty, shape])
        return result

    def _shape(self, chunk: FloatArray, start: int, state: dict[str, Any]) -> FloatArray:
        """The shape-memory view: a record of the mismatch with every shape seen so far."""
        if self.shape_memory is None:
            return np.zeros(len(chunk))
        if "shape" not in state:  # a stream saved before this view existed starts it now
            state.update(self._new_shape_state())
        mismatch = self.shape_memory.mismatch(chunk, start, state["shape"])
        # While the memory is young every window is new; those mismatches set no record.
        return self._judged(
            mismatch, start, self.shape_learning, state, "shape", 0, self.shape_refractory_period
        )

    def _density(self, scores: FloatArray, start: int, state: dict[str, Any]) -> FloatArray:
        """The anomaly-likelihood view: a record of the standardised average recent score."""
        averages, state["avg_tail"] = moving_average(
            scores, state["avg_tail"], self.likelihood_window
        )
        statistic, state["avg_pending"], state["avg_blocks"] = likelihood_statistic(
            averages, start, state["avg_pending"], state["avg_blocks"]
        )
        # The statistic's own record history starts with its first estimate.
        return self._judged(
            statistic, start, FIRST_ESTIMATE, state, "density", self.warmup, self.refractory_period
        )

    def _judged(
        self,
        values: FloatArray,
        start: int,
        first: int,
        state: dict[str, Any],
        view: str,
        warmup: int,
        period: int,
    ) -> FloatArray:
        """A view's own measure judged as a record from stream row ``first`` on, mapped to
        [0, 1), with the view's own refractory period (state ``{view}_record`` and
        ``{view}_last_alarm``)."""
        skip = min(max(first - start, 0), len(values))
        ratio = np.zeros(len(values))
        record = state[f"{view}_record"]
        ratio[skip:], record[0], record[1] = decayed_record_ratio(
            values[skip:], start + skip, float(record[0]), int(record[1]), self.half_life, warmup
        )
        scores, state[f"{view}_last_alarm"] = refractory(
            ratio / (1.0 + ratio),
            start,
            int(state[f"{view}_last_alarm"]),
            self.alarm_level,
            period,
        )
        return scores

    def _view_ratios(
        self,
        full: FloatArray,
        n_new: int,
        view_index: int,
        stream_index: int,
        windows: tuple[int, ...],
        prefix: str,
        state: dict[str, Any],
    ) -> FloatArray:
        """Max over ``windows`` of the record ratio of the robust deviation of the new points.

        ``view_index`` is the position of the first new point in this view's own history
        (it restarts with a new period); ``stream_index`` its position in the stream.
        """
        scale = long_term_scale(full, n_new, view_index, SCALE_SPAN)
        out = np.zeros(n_new)
        for w in windows:
            z = robust_z(full[-(w + n_new) :], n_new, w, scale)
            record = state["records"][f"{prefix}{w}"]
            ratio, record[0], record[1] = decayed_record_ratio(
                z, stream_index, float(record[0]), int(record[1]), self.half_life, self.warmup
            )
            out = np.maximum(out, ratio)
        return out
