"""The min/max pyramid the timeline draws from: the envelope survives, the point count is bounded."""

from __future__ import annotations

import numpy as np

from anomaly_desk.gui.timeline_peaks import FACTOR, MIN_BINS, OVERVIEW_POINTS, Peaks


def _series(n: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(n, dtype=np.float64) * 60.0
    y = np.sin(np.arange(n) / 50.0)
    return x, y


def test_small_series_draws_raw_points() -> None:
    x, y = _series(1000)
    peaks = Peaks.build(y)
    xs, ys = peaks.slice(x, y, -5, 2000, budget=4000)
    assert np.array_equal(xs, x) and np.array_equal(ys, y)


def test_long_series_is_decimated_within_budget_and_keeps_extremes() -> None:
    x, y = _series(2_000_000)
    y[123_457] = 50.0  # a spike must survive decimation
    y[1_500_001] = -50.0
    peaks = Peaks.build(y)
    assert peaks.levels and len(peaks.levels[-1].low) >= MIN_BINS
    xs, ys = peaks.slice(x, y, 0, len(x) - 1, budget=4000)
    assert len(xs) == len(ys) <= 4000
    assert ys.max() == 50.0 and ys.min() == -50.0
    assert xs[0] == x[0] and np.all(np.diff(xs) >= 0)


def test_zoomed_in_slice_is_raw() -> None:
    x, y = _series(2_000_000)
    peaks = Peaks.build(y)
    xs, ys = peaks.slice(x, y, 1000, 2999, budget=4000)
    assert np.array_equal(xs, x[1000:3000]) and np.array_equal(ys, y[1000:3000])


def test_missing_values_are_skipped_and_all_missing_bins_stay_gaps() -> None:
    x, y = _series(100_000)
    y[: FACTOR * 4] = np.nan  # the first bins of level 0 hold nothing
    y[5000] = np.nan
    peaks = Peaks.build(y)
    level = peaks.levels[0]
    assert np.isnan(level.low[0]) and np.isnan(level.high[0])
    assert np.isfinite(level.low[5000 // FACTOR])  # one NaN among finite values is ignored
    xs, ys = peaks.overview(x, y)
    assert len(xs) <= OVERVIEW_POINTS and np.isfinite(ys).any()


def test_value_range_is_the_finite_extremes_without_a_pass_over_the_points() -> None:
    _, y = _series(1_000_000)
    y[::7] = np.nan  # missing values are no extreme
    y[654_321] = 7.5
    y[12] = -3.25
    assert Peaks.build(y).value_range(y) == (-3.25, 7.5)
    short = np.array([np.nan, 2.0, -1.0])  # too short for a level: read directly
    assert not Peaks.build(short).levels
    assert Peaks.build(short).value_range(short) == (-1.0, 2.0)


def test_value_range_of_nothing_finite_is_none() -> None:
    for y in (np.full(100_000, np.nan), np.zeros(0)):
        assert Peaks.build(y).value_range(y) is None
