"""The default record detector: scikit-learn contract, quality floors, ODDS against the baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from anomaly_desk.detect.bench import run_odds
from anomaly_desk.detect.records import EnsembleRecordDetector


def blobs_with_outliers(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    inliers = np.vstack(
        [rng.normal(0, 1, (400, 6)), rng.normal(6, 1, (400, 6)) * [1, 1, 1, 1, 100, 0.01]]
    )
    outliers = rng.uniform(-8, 14, (30, 6)) * [1, 1, 1, 1, 100, 0.01]
    X = np.vstack([inliers, outliers])
    y = np.r_[np.zeros(len(inliers)), np.ones(len(outliers))]
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quality_floor_on_generated_data(seed: int) -> None:
    X, y = blobs_with_outliers(seed)
    scores = EnsembleRecordDetector(random_state=seed).fit_score(X)
    assert roc_auc_score(y, scores) >= 0.95
    assert scores.min() >= 0.0
    assert scores.max() <= 1.0


def test_contract_and_determinism() -> None:
    X, _ = blobs_with_outliers(0)
    detector = EnsembleRecordDetector(n_estimators=50)
    assert clone(detector).get_params()["n_estimators"] == 50
    with pytest.raises(NotFittedError):
        detector.score_samples(X)
    assert detector.fit(X) is detector
    assert hasattr(detector, "forest_")
    again = EnsembleRecordDetector(n_estimators=50).fit(X)
    assert np.array_equal(detector.score_samples(X), again.score_samples(X))
    assert np.array_equal(detector.decision_function(X), detector.score_samples(X))


def test_new_rows_are_scored_against_the_training_rows() -> None:
    X, _ = blobs_with_outliers(1)
    detector = EnsembleRecordDetector().fit(X)
    ordinary, strange = detector.score_samples(np.array([[0.0] * 6, [30.0] * 6]))
    assert strange > 0.95
    assert ordinary < 0.5


def test_rare_categories_and_missing_numbers() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "amount": rng.normal(100, 10, 600),
            "country": rng.choice(["FR", "DE", "NL"], 600),
        }
    )
    frame.loc[[10, 20, 30], "country"] = "XX"  # a category seen three times in 600
    frame.loc[40, "amount"] = np.nan
    scores = EnsembleRecordDetector().fit_score(frame)
    assert np.all(np.isfinite(scores))
    assert np.median(scores[[10, 20, 30]]) > np.quantile(scores, 0.9)
    with pytest.raises(ValueError, match="columns"):
        EnsembleRecordDetector().fit(frame).score_samples(frame[["amount"]])


def test_beats_isolation_forest_on_odds(odds_dir: Path) -> None:
    summary = run_odds(odds_dir)["summary"]
    # Measured: 0.839 against 0.833 (IsolationForest defaults, seed 0).
    assert summary["ours"] > summary["isolation_forest"]
    assert summary["ours"] >= 0.83
