"""Batch deviation scores: the same-phase median and the noise sized per phase of the cycle."""

from __future__ import annotations

import numpy as np
import pytest

from anomaly_desk.detect.deviation import (
    CYCLES,
    LOOKBACK_KINDS,
    MIN_CYCLES,
    on_grid,
    robust_z,
    same_phase_median,
)


def brute_force(x: np.ndarray, period: int, kinds: np.ndarray | None) -> np.ndarray:
    """The definition, point by point: the median of the last CYCLES usable same-phase values
    of the same kind, at most CYCLES (x LOOKBACK_KINDS with kinds) cycles back."""
    lookback = CYCLES * (LOOKBACK_KINDS if kinds is not None else 1)
    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        earlier = [i - k * period for k in range(1, lookback + 1) if i - k * period >= 0]
        if kinds is not None:
            earlier = [j for j in earlier if kinds[j] == kinds[i]]
        usable = [x[j] for j in earlier if np.isfinite(x[j])][:CYCLES]
        if len(usable) >= MIN_CYCLES:
            out[i] = np.median(usable)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_same_phase_median_is_the_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, period = int(rng.integers(200, 900)), int(rng.integers(3, 40))
    x = rng.standard_normal(n)
    x[rng.random(n) < 0.1] = np.nan
    kinds = (rng.random(n) < 0.3).astype(np.int8) if seed % 2 else None
    assert np.allclose(
        same_phase_median(x, period, kinds), brute_force(x, period, kinds), equal_nan=True
    )


def test_noise_is_sized_per_phase() -> None:
    rng = np.random.default_rng(1)
    period, days = 96, 30
    phase = np.arange(period * days) % period
    busy = (phase >= 40) & (phase < 70)
    values = 10 + 30 * busy + rng.normal(0, 1, len(phase)) * np.where(busy, 8, 1)
    z, _, sigma = robust_z(values, period)
    later = np.arange(len(values)) >= 10 * period
    # Sigma follows each phase's own noise, so z is about standard in both.
    assert np.nanmedian(sigma[later & busy]) > 3 * np.nanmedian(sigma[later & ~busy])
    for part in (busy, ~busy):
        assert 0.6 < np.nanmedian(np.abs(z[later & part])) * 1.4826 < 1.4
    assert np.isnan(z[: 3 * period]).all()  # no earlier cycles: not judged


def test_points_go_on_their_grid() -> None:
    step = 300 * 10**9
    ts = np.array([0, 1, 2, 5, 6], dtype=np.int64) * step
    grid_ts, values, slots = on_grid(ts, np.arange(5.0), step)
    assert slots.tolist() == [0, 1, 2, 5, 6] and len(grid_ts) == 7
    assert np.isnan(values[3:5]).all() and values[5] == 3.0
    irregular = np.array([0, 1, 1, 2], dtype=np.int64) * step  # a duplicate: kept as is
    assert on_grid(irregular, np.arange(4.0), step)[0] is irregular


def test_a_series_with_no_value_has_no_same_phase_median() -> None:
    # A stretch where the sensor sent nothing at all is data too: no baseline, no crash.
    assert np.isnan(same_phase_median(np.full(2_000, np.nan), 288)).all()
