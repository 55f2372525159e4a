"""The default record detector: Isolation Forest and k-nearest-neighbour distance, rank-averaged.

The two see different things: the forest isolates rows that are extreme along a few features,
the neighbour distance finds rows far from every dense region (including "in-between" rows that
no single feature betrays). Each raw score is turned into its rank among the training rows'
scores (an empirical CDF, in [0, 1]) so that the two scales can be averaged.

Features: for the neighbour distance, each numeric column is mapped through its training
quantiles onto a standard normal scale, so that neither units nor heavy tails dominate the
distances (the forest, being per-feature threshold based, needs no scaling); categorical
(non-numeric) columns of a DataFrame are one-hot encoded, rare categories being the interesting
ones. Missing numbers are replaced by the column median: they are not evidence either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils.validation import check_is_fitted

from anomaly_desk.detect.arrays import FloatArray
from anomaly_desk.detect.base import RecordDetector

MAX_ONE_HOT = 50  # categories beyond the most frequent ones share one "other" column


class EnsembleRecordDetector(RecordDetector):
    """Isolation Forest + kNN distance on quantile-normalised features, rank-averaged; in [0, 1].

    Parameters
    ----------
    n_estimators : trees in the forest.
    n_neighbors : the kNN score is the mean distance to this many neighbours.
    max_reference : the neighbour search uses at most this many training rows (a seeded sample),
        which bounds the cost on large tables.
    max_calibration : the training scores that ranks are taken against come from at most this
        many training rows (a seeded sample): plenty for a [0, 1] rank, cheap on 1M rows.
    knn_weight : weight of the kNN rank in the average (the forest gets ``1 - knn_weight``).
    random_state : seed for the forest and the reference sample; same seed, same scores.
    """

    def __init__(
        self,
        n_estimators: int = 100,
        n_neighbors: int = 20,
        max_reference: int = 2048,
        knn_weight: float = 0.3,
        max_calibration: int = 65_536,
        random_state: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.n_neighbors = n_neighbors
        self.max_reference = max_reference
        self.knn_weight = knn_weight
        self.max_calibration = max_calibration
        self.random_state = random_state

    def fit(self, X: Any, y: object = None) -> EnsembleRecordDetector:
        frame = _as_frame(X)
        self.columns_ = list(frame.columns)
        self.numeric_ = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        self.categories_ = {
            c: list(frame[c].astype(str).value_counts().index[:MAX_ONE_HOT])
            for c in frame.columns
            if c not in self.numeric_
        }
        numeric = frame[self.numeric_].to_numpy(dtype=np.float64)
        with np.errstate(all="ignore"):
            median = np.nanmedian(numeric, axis=0) if numeric.size else np.zeros(0)
        self.median_ = np.nan_to_num(median, nan=0.0)
        self.quantiles_ = QuantileTransformer(
            n_quantiles=min(1000, len(frame)),
            output_distribution="normal",
            subsample=100_000,
            random_state=self.random_state,
        )
        if numeric.size:
            self.quantiles_.fit(self._filled(numeric))
        features, distance_features = self._features(frame)

        rng = np.random.default_rng(self.random_state)
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators, random_state=self.random_state
        ).fit(features)
        size = min(self.max_reference, len(features))
        sample = np.sort(rng.choice(len(features), size=size, replace=False))
        self.neighbors_ = NearestNeighbors(n_neighbors=min(self.n_neighbors, size)).fit(
            distance_features[sample]
        )
        size = min(self.max_calibration, len(features))
        calibration = np.sort(rng.choice(len(features), size=size, replace=False))
        self.forest_train_ = np.sort(self._forest_raw(features[calibration]))
        self.knn_train_ = np.sort(self._knn_raw(distance_features[calibration]))
        return self

    def score_samples(self, X: Any) -> FloatArray:
        check_is_fitted(self, "forest_")
        features, distance_features = self._features(_as_frame(X, self.columns_))
        forest_rank = _rank(self._forest_raw(features), self.forest_train_)
        knn_rank = _rank(self._knn_raw(distance_features), self.knn_train_)
        return (1.0 - self.knn_weight) * forest_rank + self.knn_weight * knn_rank

    def _filled(self, numeric: FloatArray) -> FloatArray:
        return np.where(np.isnan(numeric), self.median_, numeric)

    def _features(self, frame: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
        """``(forest features, distance features)``: raw and quantile-normalised numbers, each
        followed by the one-hot categories."""
        numeric = self._filled(frame[self.numeric_].to_numpy(dtype=np.float64))
        normal = self.quantiles_.transform(numeric) if numeric.size else numeric
        blocks = []
        for column, categories in self.categories_.items():
            text = frame[column].astype(str).to_numpy()
            one_hot = np.stack([text == c for c in categories], axis=1).astype(np.float64)
            other = (~np.isin(text, categories)).astype(np.float64)[:, None]
            blocks.append(np.hstack([one_hot, other]))
        return np.hstack([numeric, *blocks]), np.hstack([normal, *blocks])

    def _forest_raw(self, features: FloatArray) -> FloatArray:
        # scikit-learn's score_samples is higher = more normal; flip it.
        return -np.asarray(self.forest_.score_samples(features), dtype=np.float64)

    def _knn_raw(self, features: FloatArray) -> FloatArray:
        distances, _ = self.neighbors_.kneighbors(features)
        return np.asarray(distances.mean(axis=1), dtype=np.float64)


def _rank(raw: FloatArray, train_sorted: FloatArray) -> FloatArray:
    """Share of training scores at or below each raw score (the training empirical CDF)."""
    below = np.searchsorted(train_sorted, raw, side="right")
    return np.asarray(below / len(train_sorted), dtype=np.float64)


def _as_frame(X: Any, columns: list[Any] | None = None) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        array = np.asarray(X)
        if array.ndim != 2:
            raise ValueError(f"records must be a 2-d table, got shape {array.shape}")
        frame = pd.DataFrame(array)
    if columns is not None and list(frame.columns) != columns:
        raise ValueError(f"expected the columns {columns}, got {list(frame.columns)}")
    if len(frame) == 0:
        raise ValueError("no records to score")
    return frame
