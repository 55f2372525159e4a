"""The trend-change detector: slope changes found and told truly, steps and noise left alone."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from tests.detect.generated import DAY, STEP, seasonal

from anomaly_desk.detect.auto import detect_series
from anomaly_desk.detect.trend import deseasonalised, find_trend_changes

ONSET = 17 * DAY + 100  # Thursday 2025-03-20 08:20 UTC


def ramp(n: int, per_hour: float) -> np.ndarray:
    """``per_hour`` more every hour from ONSET on (12 points an hour)."""
    out = np.zeros(n)
    out[ONSET:] = per_hour / 12 * np.arange(n - ONSET)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_new_slope_is_found_with_true_facts(seed: int) -> None:
    ts, values = seasonal(seed=seed)
    values += ramp(len(values), 0.5)
    trends = [f for f in detect_series(ts, values, "disk", tz="UTC") if f.type == "trend"]
    assert len(trends) == 1
    (trend,) = trends
    # Onset within one bucket (an hour, 12 points) of the truth.
    assert abs(trend.start_ns - ts[ONSET]) <= 12 * STEP
    text = trend.narrative
    found = re.search(
        r"the slope went from (\S+)/h to (\S+)/h at (\d\d:\d\d) on (\w+ [\d-]+)", text
    )
    assert found is not None, text
    before, after = float(found.group(1)), float(found.group(2))
    assert abs(before) < 0.02 and after == pytest.approx(0.5, abs=0.02)
    said_onset = pd.Timestamp(f"{found.group(4).split()[1]} {found.group(3)}", tz="UTC")
    assert abs(said_onset.value - ts[ONSET]) <= 12 * STEP
    assert found.group(4).startswith("Thursday")
    # "about X above where the earlier slope led": X is what the ramp added by the peak.
    peak = int(np.searchsorted(ts, trend.peak_ns))
    said = float(re.search(r"was about ([\d.,]+) above", text).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert said == pytest.approx(0.5 / 12 * (peak - ONSET), rel=0.1)
    assert trend.actual is not None and trend.expected is not None
    assert trend.actual - trend.expected == pytest.approx(said, rel=0.01)
    assert trend.contributions[0].name == "trend" and trend.score >= 75


def test_a_falling_slope_is_told_as_falling() -> None:
    ts, values = seasonal(seed=3)
    values += 0.2 / 12 * np.arange(len(values)) - ramp(len(values), 0.6)
    (trend,) = [f for f in detect_series(ts, values, "queue") if f.type == "trend"]
    assert "from +0.2/h to -0.4/h" in trend.narrative
    assert "below where the earlier slope led" in trend.narrative
    assert trend.deviation_sigma is not None and trend.deviation_sigma < 0


def test_a_level_shift_is_not_a_trend() -> None:
    ts, values = seasonal(seed=4)
    values[ONSET:] += 15
    findings = detect_series(ts, values, "s")
    assert not [f for f in findings if f.type == "trend"]
    assert "level_shift" in {f.type for f in findings}


@pytest.mark.parametrize("seed", range(5))
def test_quiet_on_clean_seasonal_data(seed: int) -> None:
    ts, values = seasonal(seed=seed)
    kinds = None
    assert find_trend_changes(ts, values, DAY, kinds, threshold=0.25) == []


@pytest.mark.parametrize("seed", range(3))
def test_quiet_on_wandering_noise_and_finds_a_hinge_in_it(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ts = np.arange(5000, dtype=np.int64) * 60 * 10**9
    walk = np.cumsum(rng.normal(size=5000))
    slow = np.zeros(5000)
    for i in range(1, 5000):  # AR(1): strays for long stretches, has no trend
        slow[i] = 0.9 * slow[i - 1] + rng.normal()
    assert find_trend_changes(ts, walk, 0, None, 0.5) == []
    assert find_trend_changes(ts, slow, 0, None, 0.5) == []
    hinge = rng.normal(size=5000)
    hinge[3000:] += 0.01 * np.arange(2000)
    (change,) = find_trend_changes(ts, hinge, 0, None, 0.5)
    assert abs(change.onset - 3000) <= 20
    assert change.slope_after * 60 == pytest.approx(0.01, rel=0.05)


def test_deterministic() -> None:
    ts, values = seasonal(seed=5)
    values += ramp(len(values), 0.3)
    first = [(f.type, f.start_ns, f.score, f.narrative) for f in detect_series(ts, values, "s")]
    again = [(f.type, f.start_ns, f.score, f.narrative) for f in detect_series(ts, values, "s")]
    assert first == again


def test_deseasonalised_keeps_the_trend_and_drops_the_cycle() -> None:
    _, values = seasonal(seed=6)
    trend = 0.01 * np.arange(len(values))
    flat = deseasonalised(values + trend, DAY, None)
    residual = flat - trend
    # What is left is the noise (sigma 2) around a constant: no cycle, no trend.
    assert np.std(residual[DAY:-DAY]) < 2.5
    assert abs(np.polyfit(np.arange(len(flat)), flat, 1)[0] - 0.01) < 0.001
