"""Isolation Forest and LOF over shingles: is this stretch of the series shaped like others?

A shingle is the window of ``length`` points around a position. Each window of the robustly
z-normalised series is described by ``SEGMENTS`` segment means (piecewise aggregate
approximation: a 128-point window costs no more than an 8-point one) and, for a seasonal
series, by where in the cycle it lies, so a shape is compared with what the same hours
usually look like. Windows at three lengths see a short burst, an odd hour and an odd
half-day.

Two models judge every window, each seeing something the other misses: the Isolation Forest
isolates windows extreme along a few segments, the local outlier factor finds windows far
from every dense group of windows (an ordinary level in an unusual order). Each model's raw
score is turned into robust sigmas against the scores of the windows it learned from, and
the two are averaged; a point takes the highest value any length gives the window centred
on it, and ``z_to_score`` maps that into [0, 1], as for the deviation scores.

Cost is bounded for long series: the models learn from a seeded sample of windows, and a
series longer than ``max_points`` is first averaged into buckets (its hourly-like view).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtri
from sklearn.base import BaseEstimator
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor
from sklearn.utils.validation import check_is_fitted

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.baseline import MAD_TO_SIGMA
from anomaly_desk.detect.deviation import z_to_score

SEGMENTS = 8  # segment means describing one window
PHASE_WEIGHT = 1.0  # radius of the cycle-position features, in z units of the series
TAIL = 0.9  # training scores beyond this quantile describe the tail ...
TAIL_TOP = 0.99  # ... up to this one (beyond: possibly the anomalies themselves)
MIN_WINDOWS = 64  # fewer windows than this: nothing to learn what is usual from
# Measured on 8-10 window features: a ball tree answers the neighbour queries fastest.
LOF_ALGORITHM = "ball_tree"
STRIDE_PER_LENGTH = 16  # windows this much shorter than their length apart are near copies


class ShingleDetector(BaseEstimator):  # type: ignore[misc]
    """Isolation Forest + LOF over sliding windows at several lengths; scores in [0, 1].

    Parameters
    ----------
    lengths : window lengths in points (of the bucketed series when it is bucketed).
    period : the series' period in points (0: none); adds the position in the cycle.
    n_estimators : trees of each forest.
    n_neighbors : neighbours of the local outlier factor.
    max_fit : windows each model learns from (a seeded sample).
    max_points : longer series are averaged into buckets down to about this many points.
    random_state : seed for the samples and the forests; same seed, same scores.
    """

    def __init__(
        self,
        lengths: tuple[int, ...] = (8, 32, 128),
        period: int = 0,
        n_estimators: int = 50,
        n_neighbors: int = 20,
        max_fit: int = 2048,
        max_points: int = 50_000,
        random_state: int = 0,
    ) -> None:
        self.lengths = lengths
        self.period = period
        self.n_estimators = n_estimators
        self.n_neighbors = n_neighbors
        self.max_fit = max_fit
        self.max_points = max_points
        self.random_state = random_state

    def fit(self, values: npt.ArrayLike, y: object = None) -> ShingleDetector:
        """Learn what windows of ``values`` usually look like."""
        x = _as_series(values)
        self.bucket_ = max(1, -(-len(x) // self.max_points))  # ceil
        work = self._working(x)
        finite = work[np.isfinite(work)]
        self.center_ = float(np.median(finite)) if len(finite) else 0.0
        q75, q25 = np.percentile(finite, [75, 25]) if len(finite) else (1.0, 0.0)
        mad = float(np.median(np.abs(finite - self.center_))) * MAD_TO_SIGMA if len(finite) else 0
        self.scale_ = max(float(q75 - q25) / 1.349, mad, 1e-12)
        z = self._normalised(work)
        rng = np.random.default_rng(self.random_state)
        self.models_: list[dict[str, Any]] = []
        for length in self._usable_lengths(len(z)):
            features = self._features(z, length)
            size = min(self.max_fit, len(features))
            sample = np.sort(rng.choice(len(features), size=size, replace=False))
            train = features[sample]
            forest = IsolationForest(
                n_estimators=self.n_estimators, random_state=self.random_state
            ).fit(train)
            lof = LocalOutlierFactor(
                n_neighbors=min(self.n_neighbors, size - 1), novelty=True, algorithm=LOF_ALGORITHM
            ).fit(train)
            self.models_.append(
                {
                    "length": length,
                    "forest": forest,
                    "lof": lof,
                    "forest_ref": _tail_model(-forest.score_samples(train)),
                    "lof_ref": _tail_model(np.log(-lof.negative_outlier_factor_)),
                }
            )
        return self

    def window_z(self, values: npt.ArrayLike) -> FloatArray:
        """Per point: how unusual the windows around it are, in robust sigmas (>= 0)."""
        check_is_fitted(self, "models_")
        x = _as_series(values)
        z = self._normalised(self._working(x))
        out = np.zeros(len(z))
        for model in self.models_:
            length = model["length"]
            if len(z) < length:
                continue
            # Neighbouring long windows are near copies: score every ``stride``-th one and
            # let it speak for the positions up to the next.
            stride = max(1, length // STRIDE_PER_LENGTH)
            features = self._features(z, length)[::stride]
            forest = _sigmas(-model["forest"].score_samples(features), model["forest_ref"])
            lof = _sigmas(
                np.log(np.maximum(-model["lof"].score_samples(features), 1e-12)), model["lof_ref"]
            )
            window = np.repeat(np.maximum(forest, lof), stride)[: len(z) - length + 1]
            np.maximum(out, _covering_min(window, length, len(z)), out=out)
        if self.bucket_ > 1:
            out = np.repeat(out, self.bucket_)[: len(x)]
        return out

    def score_samples(self, values: npt.ArrayLike) -> FloatArray:
        """One score in [0, 1] per point; higher = more anomalous."""
        return z_to_score(self.window_z(values))

    def fit_score(self, values: npt.ArrayLike) -> FloatArray:
        return self.fit(values).score_samples(values)

    def _usable_lengths(self, n: int) -> list[int]:
        lengths = sorted({int(length) for length in self.lengths if length >= 2})
        return [length for length in lengths if n - length + 1 >= MIN_WINDOWS]

    def _working(self, x: FloatArray) -> FloatArray:
        """The series the windows are cut from: the values, or bucket means when long."""
        if self.bucket_ == 1:
            return x
        pad = (-len(x)) % self.bucket_
        padded = np.concatenate([x, np.full(pad, np.nan)]).reshape(-1, self.bucket_)
        counts = np.isfinite(padded).sum(axis=1)
        sums = np.nansum(padded, axis=1)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    def _normalised(self, work: FloatArray) -> FloatArray:
        z = (work - self.center_) / self.scale_
        finite = np.isfinite(z)
        if finite.all() or not finite.any():
            return np.where(finite, z, 0.0)
        # Missing values are bridged by a straight line: a hole is no evidence of an odd shape.
        positions = np.arange(len(z))
        return np.interp(positions, positions[finite], z[finite])

    def _features(self, z: FloatArray, length: int) -> FloatArray:
        """One row per window start: segment means, then the cycle position if any."""
        count = len(z) - length + 1
        segments = min(SEGMENTS, length)
        edges = np.round(np.linspace(0, length, segments + 1)).astype(np.int64)
        cumulative = np.concatenate([[0.0], np.cumsum(z)])
        starts = np.arange(count)
        columns = [
            (cumulative[starts + hi] - cumulative[starts + lo]) / (hi - lo)
            for lo, hi in pairwise(edges.tolist())
        ]
        period = self.period / self.bucket_
        if period >= 2:
            angle = 2 * np.pi * ((starts + length / 2) % period) / period
            columns += [PHASE_WEIGHT * np.cos(angle), PHASE_WEIGHT * np.sin(angle)]
        return np.column_stack(columns)


def _tail_model(raw: FloatArray) -> FloatArray:
    """What the training windows' raw scores say about the usual: their sorted values, then
    an exponential tail beyond their ``TAIL`` quantile (threshold and scale).

    The scale comes from the ``TAIL`` and ``TAIL_TOP`` quantiles (for an exponential tail
    their distance is scale x ln(share ratio)), not from the mean excess: the anomalies in
    the training sample sit at the very top and would otherwise widen the tail they are
    judged against.
    """
    ordered = np.sort(raw)
    low, high = np.quantile(ordered, [TAIL, TAIL_TOP])
    scale = float(high - low) / np.log((1.0 - TAIL) / (1.0 - TAIL_TOP))
    return np.concatenate([[float(low), max(scale, 1e-12)], ordered])


def _sigmas(raw: FloatArray, model: FloatArray) -> FloatArray:
    """Raw scores as the normal quantile of their chance among usual windows (>= 0).

    Below the tail threshold the chance is the share of training windows scoring higher;
    beyond it, the fitted exponential tail (peaks over threshold) extrapolates, so a window
    far past every training window still gets a finite, growing value. Heavy-tailed raw
    scores (the outlier factor's) are thereby put on the same footing as the forest's.
    """
    threshold, scale, ordered = model[0], model[1], model[2:]
    above = len(ordered) - np.searchsorted(ordered, raw, side="left")
    chance = np.maximum(above, 0.5) / len(ordered)
    tail = (1.0 - TAIL) * np.exp(-np.maximum(raw - threshold, 0.0) / scale)
    chance = np.where(raw > threshold, tail, chance)
    return np.asarray(np.maximum(-ndtri(chance), 0.0), dtype=np.float64)


def _covering_min(window: FloatArray, length: int, n: int) -> FloatArray:
    """Per position, the lowest score of the windows covering it.

    A position is unusual at this length only if every window containing it is: an odd
    stretch then lights up itself, not the ``length - 1`` ordinary positions around it that
    merely share a window with it.
    """
    padded = np.concatenate([window, np.full(n - len(window), np.inf)])
    covering = pd.Series(padded).rolling(length, min_periods=1).min().to_numpy()
    return np.asarray(covering, dtype=np.float64)


def _as_series(values: npt.ArrayLike) -> FloatArray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"a series is a 1-d array of values, got shape {x.shape}")
    return x
