"""Range novelty and the anomaly-likelihood statistic: correctness and exactness under chunking."""

from __future__ import annotations

import numpy as np

from anomaly_desk.detect.likelihood import (
    BLOCK,
    FIRST_ESTIMATE,
    HISTORIC_BLOCKS,
    LEARNING_BLOCKS,
    MEAN_FLOOR,
    likelihood_statistic,
    moving_average,
    range_novelty,
)


def _chunks(n: int, seed: int) -> list[tuple[int, int]]:
    rng = np.random.default_rng(seed)
    bounds, i = [], 0
    while i < n:
        size = int(rng.integers(1, 700))
        bounds.append((i, min(i + size, n)))
        i += size
    return bounds


def test_range_novelty_flags_values_beyond_the_tolerance() -> None:
    x = np.r_[np.linspace(0.0, 10.0, 200), 10.4, 11.0, -0.6, 5.0, np.nan]
    scores, low, high = range_novelty(x, 0, np.inf, -np.inf, warmup=150)
    # 10.4 is within 5 % of the range 0..10 (and widens it to 10.4); 11.0 is beyond
    # 10.4 + 0.52, and -0.6 beyond -0.55 once the range is 0..11.
    assert scores[:200].max() == 0.0
    assert scores[200:].tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    assert (low, high) == (-0.6, 11.0)


def test_range_novelty_waits_for_warmup_and_ignores_constants() -> None:
    assert range_novelty(np.r_[0.0, 1.0, 100.0], 0, np.inf, -np.inf, 3)[0].max() == 0.0
    assert range_novelty(np.full(500, 2.0), 0, np.inf, -np.inf, 3)[0].max() == 0.0


def test_range_novelty_is_exact_under_chunking() -> None:
    x = np.random.default_rng(0).standard_t(3, 3000)
    full, _, _ = range_novelty(x, 0, np.inf, -np.inf, 150)
    low, high, parts = np.inf, -np.inf, []
    for a, b in _chunks(len(x), 1):
        part, low, high = range_novelty(x[a:b], a, low, high, 150)
        parts.append(part)
    assert np.array_equal(np.concatenate(parts), full)


def test_moving_average_matches_a_convolution_and_any_chunking() -> None:
    raw = np.random.default_rng(1).random(2000)
    full, _ = moving_average(raw, np.zeros(9), 10)
    assert np.allclose(full, np.convolve(raw, np.ones(10) / 10)[: len(raw)])
    tail, parts = np.zeros(9), []
    for a, b in _chunks(len(raw), 2):
        part, tail = moving_average(raw[a:b], tail, 10)
        parts.append(part)
    assert np.array_equal(np.concatenate(parts), full)


def _statistic(averages: np.ndarray, bounds: list[tuple[int, int]]) -> np.ndarray:
    pending, blocks, parts = np.empty(0), np.empty((0, 2)), []
    for a, b in bounds:
        part, pending, blocks = likelihood_statistic(averages[a:b], a, pending, blocks)
        parts.append(part)
    return np.concatenate(parts)


def test_likelihood_statistic_standardises_by_the_past_blocks() -> None:
    rng = np.random.default_rng(2)
    averages = 0.3 + 0.05 * rng.standard_normal(12_000)
    stat = _statistic(averages, [(0, len(averages))])
    assert stat[:FIRST_ESTIMATE].max() == 0.0
    for i in (FIRST_ESTIMATE, 5_432, 11_999):
        q = i // BLOCK
        past = averages[max(q - HISTORIC_BLOCKS, LEARNING_BLOCKS) * BLOCK : q * BLOCK]
        expected = max((averages[i] - max(past.mean(), MEAN_FLOOR)) / past.std(), 0.0)
        assert np.isclose(stat[i], expected, rtol=1e-9, atol=1e-12)


def test_likelihood_statistic_is_exact_under_chunking() -> None:
    averages = np.random.default_rng(3).random(20_000) ** 3
    full = _statistic(averages, [(0, len(averages))])
    assert np.array_equal(_statistic(averages, _chunks(len(averages), 4)), full)
    one_by_one = [(i, i + 1) for i in range(1500)]
    assert np.array_equal(_statistic(averages[:1500], one_by_one), full[:1500])
