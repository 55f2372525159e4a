"""Isolation Forest + LOF over shingles: odd shapes ranked first, quiet on clean cycles."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from anomaly_desk.detect.shingles import ShingleDetector

DAY = 288


def cycle(days: int = 28, seed: int = 0, noise: float = 2.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = days * DAY
    return 40 + 20 * np.sin(2 * np.pi * (np.arange(n) % DAY) / DAY) + rng.normal(0, noise, n)


def planted(kind: str, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """A clean cycle with one odd stretch of 60 points (5 hours) of the given kind."""
    values, rng = cycle(seed=seed), np.random.default_rng(seed + 100)
    start, length = 18 * DAY + 40, 60
    part = slice(start, start + length)
    if kind == "inverted":  # the cycle runs backwards, within its usual range
        values[part] = 80 - values[part]
    elif kind == "faster":  # six cycles in five hours, same amplitude
        t = np.arange(start, start + length)
        values[part] = 40 + 20 * np.sin(2 * np.pi * 6 * t / DAY) + rng.normal(0, 2, length)
    elif kind == "noisy":  # the level it should have, four times as noisy
        values[part] += rng.normal(0, 8, length)
    elif kind == "zigzag":  # a regular oscillation no bigger than the noise allows
        values[part] += 5.0 * (-1.0) ** np.arange(length)
    labels = np.zeros(len(values), dtype=bool)
    labels[part] = True
    return values, labels


@pytest.mark.parametrize("kind", ["inverted", "faster", "noisy", "zigzag"])
def test_ranks_its_own_kind_of_anomaly_first(kind: str) -> None:
    values, labels = planted(kind)
    scores = ShingleDetector(period=DAY).fit_score(values)
    assert roc_auc_score(labels, scores) >= 0.9
    # Scores are located: the points around the odd stretch are not painted with it.
    assert scores[labels].max() > scores[~labels].max()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quiet_on_clean_cycles_and_noise(seed: int) -> None:
    clean = ShingleDetector(period=DAY).fit_score(cycle(seed=seed))
    noise = ShingleDetector().fit_score(np.random.default_rng(seed).normal(size=5000))
    walk = ShingleDetector().fit_score(np.cumsum(np.random.default_rng(seed).normal(size=5000)))
    for scores in (clean, noise, walk):
        # Auto's default threshold is 0.5; clean data stays well under it.
        assert scores.max() < 0.4


def test_scores_follow_the_estimator_contract() -> None:
    values, _ = planted("inverted")
    detector = ShingleDetector(period=DAY, random_state=3)
    with pytest.raises(NotFittedError):
        detector.score_samples(values)
    scores = detector.fit(values).score_samples(values)
    assert scores.shape == values.shape
    assert np.all((scores >= 0) & (scores <= 1))
    assert clone(detector).get_params() == detector.get_params()
    # Same seed, same scores; the seed is the only source of randomness.
    assert np.array_equal(ShingleDetector(period=DAY, random_state=3).fit_score(values), scores)


def test_long_series_are_judged_on_bucket_means() -> None:
    values = cycle(days=60, seed=4)
    values[40 * DAY : 40 * DAY + 120] = 80 - values[40 * DAY : 40 * DAY + 120]
    detector = ShingleDetector(period=DAY, max_points=4000).fit(values)
    assert detector.bucket_ == 5  # 17,280 points in buckets of five
    scores = detector.score_samples(values)
    assert len(scores) == len(values)
    top = int(np.argmax(scores))
    assert 40 * DAY <= top < 40 * DAY + 120


def test_missing_values_are_bridged_not_flagged() -> None:
    values = cycle(seed=5)
    values[10 * DAY : 10 * DAY + 24] = np.nan
    scores = ShingleDetector(period=DAY).fit_score(values)
    assert np.all(np.isfinite(scores)) and scores.max() < 0.5
