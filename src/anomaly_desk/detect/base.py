"""What every detector promises.

One score direction for the whole project: **higher = more anomalous**, and every detector's
score lies in **[0, 1]** (0 = perfectly ordinary). The engine maps fused scores to the 0-100
anomaly score and ``Severity`` bands; detectors never do.

Detectors follow scikit-learn's estimator contract (they are ``BaseEstimator`` subclasses, so
``get_params``/``set_params``/``clone`` work): ``__init__`` only stores its parameters, state
learned from data ends in ``_``, ``fit`` returns ``self``, and scoring before fitting raises
``sklearn.exceptions.NotFittedError``.

Two kinds exist:

* ``SeriesDetector`` scores a time series *causally*: the score of point ``i`` depends on points
  ``0..i`` only. It is a stream: ``update(chunk)`` scores the next points and advances the state;
  ``get_state``/``set_state`` save and resume it, so that a stream cut into any chunks (or saved
  and resumed in between) gives exactly the scores of one continuous run.
* ``RecordDetector`` scores the rows of a table (``fit(X)`` then ``score_samples(X)``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from anomaly_desk.detect.arrays import FloatArray

__all__ = ["FloatArray", "RecordDetector", "SeriesDetector"]


class SeriesDetector(BaseEstimator, ABC):  # type: ignore[misc]
    """A causal, resumable detector over one numeric series (scores in [0, 1], higher = worse)."""

    @abstractmethod
    def _new_state(self) -> dict[str, Any]:
        """The state of a stream that has seen nothing yet."""

    @abstractmethod
    def _score_chunk(self, values: FloatArray, state: dict[str, Any]) -> FloatArray:
        """Score the next values of the stream, updating ``state`` in place."""

    def fit(self, values: npt.ArrayLike, y: object = None) -> SeriesDetector:
        """Start a new stream and feed it ``values`` (their scores are discarded)."""
        self.state_ = self._new_state()
        self._score_chunk(_as_values(values), self.state_)
        return self

    def update(self, values: npt.ArrayLike) -> FloatArray:
        """Score the next points of the stream (starting one if none was started)."""
        if not hasattr(self, "state_"):
            self.state_ = self._new_state()
        return self._score_chunk(_as_values(values), self.state_)

    def fit_score(self, values: npt.ArrayLike) -> FloatArray:
        """Score a whole series as a fresh stream (the batch mode)."""
        self.state_ = self._new_state()
        return self._score_chunk(_as_values(values), self.state_)

    def get_state(self) -> dict[str, Any]:
        """A copy of the stream state (plain numbers, lists and arrays; picklable)."""
        if not hasattr(self, "state_"):
            raise NotFittedError(f"{type(self).__name__} has no stream yet: call update or fit")
        return _copy_state(self.state_)

    def set_state(self, state: dict[str, Any]) -> SeriesDetector:
        """Resume a stream saved by ``get_state`` (of a detector with the same parameters)."""
        self.state_ = _copy_state(state)
        return self


class RecordDetector(BaseEstimator, ABC):  # type: ignore[misc]
    """A detector over the rows of a table (scores in [0, 1], higher = more anomalous)."""

    @abstractmethod
    def fit(self, X: Any, y: object = None) -> RecordDetector:
        """Learn what ordinary rows look like; returns ``self``."""

    @abstractmethod
    def score_samples(self, X: Any) -> FloatArray:
        """One score in [0, 1] per row of ``X``; higher = more anomalous."""

    def decision_function(self, X: Any) -> FloatArray:
        """Same as ``score_samples`` (kept for scikit-learn tooling)."""
        return self.score_samples(X)

    def fit_score(self, X: Any) -> FloatArray:
        return self.fit(X).score_samples(X)


def _as_values(values: npt.ArrayLike) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"a series detector takes a 1-d array of values, got shape {array.shape}")
    return array


def _copy_state(state: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            out[key] = value.copy()
        elif isinstance(value, dict):
            out[key] = _copy_state(value)
        elif isinstance(value, list):
            out[key] = [v.copy() if isinstance(v, np.ndarray) else v for v in value]
        else:
            out[key] = value
    return out
