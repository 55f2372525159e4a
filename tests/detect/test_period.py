"""Automatic period detection."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from anomaly_desk.detect.period import find_period


def test_finds_the_period_of_a_noisy_sine(seasonal: Callable[..., np.ndarray]) -> None:
    assert find_period(seasonal(n=2000, period=96)) in (95, 96, 97)
    assert find_period(seasonal(n=2000, period=24, seed=3)) == 24


def test_no_period_in_noise_or_constants() -> None:
    rng = np.random.default_rng(0)
    assert find_period(rng.standard_normal(2000)) == 0
    assert find_period(np.full(500, 3.0)) == 0
    assert find_period(np.arange(30.0)) == 0  # too short to say
