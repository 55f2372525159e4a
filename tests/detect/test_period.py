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


def test_calendar_periods_are_snapped_others_kept() -> None:
    from anomaly_desk.detect.period import snap_to_calendar

    assert snap_to_calendar(287, 300) == 288  # a day of 5-minute points
    assert snap_to_calendar(2010, 300) == 2016  # a week of them
    assert snap_to_calendar(25, 3600) == 24
    assert snap_to_calendar(96, 300) == 96  # 8 hours: no calendar cycle
    assert snap_to_calendar(0, 300) == 0


def test_period_refined_to_a_fraction_and_found_under_a_trend() -> None:
    from anomaly_desk.detect.period import find_period_detrended, refine_period

    rng = np.random.default_rng(0)
    n = 28 * 288
    t = np.arange(n)
    values = 40 + 20 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 2, n)
    assert abs(refine_period(values, find_period(values)) - 288) < 0.25
    values[17 * 288 :] += 0.05 * np.arange(n - 17 * 288)  # +0.6 an hour for 11 days
    assert find_period(values) == 0  # the trend hides the cycle from the plain search
    assert abs(find_period_detrended(values) - 288) <= 3
