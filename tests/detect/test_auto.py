"""The Auto preset on generated series: each kind of anomaly found, typed and explained truly."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from anomaly_desk.detect.auto import detect_series, threshold_for

STEP = 300 * 10**9  # 5 minutes
DAY = 288


def seasonal(days: int = 28, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = days * DAY
    ts = np.int64(pd.Timestamp("2025-03-03T00:00Z").value) + np.arange(n, dtype=np.int64) * STEP
    phase = np.arange(n) % DAY
    values = 40 + 20 * np.sin(2 * np.pi * phase / DAY) + rng.normal(0, 2, n)
    return ts, values


def test_quiet_on_clean_seasonal_data() -> None:
    ts, values = seasonal()
    findings = detect_series(ts, values, "cpu")
    assert len([f for f in findings if f.score >= 75]) == 0
    assert len(findings) <= 3  # 8,064 points of plain noise: at most a few borderline ones


def test_spike_found_typed_and_explained_with_true_facts() -> None:
    ts, values = seasonal()
    at = 20 * DAY + 170  # a Sunday, 14:10 UTC
    values[at] += 45
    findings = detect_series(ts, values, "cpu on web-03", tz="UTC")
    top = findings[0]
    assert top.type == "spike" and top.peak_ns == ts[at] and top.score >= 75
    assert top.actual == pytest.approx(values[at])
    # The narrative's numbers are the finding's own, and they match the data.
    text = top.narrative
    assert text.startswith(f"cpu on web-03 was {values[at]:.1f}".removesuffix(".0"))
    assert "at 14:10 on Sunday 2025-03-23" in text
    same_phase = values[at - np.arange(1, 7) * DAY]
    assert top.expected == pytest.approx(
        np.median(
            np.r_[
                same_phase,
                values[at - np.arange(1, 7) * DAY - 1],
                values[at - np.arange(1, 7) * DAY + 1],
            ]
        ),
        rel=0.05,
    )
    sigma = float(re.search(r"([\d.]+) robust σ above", text).group(1))  # type: ignore[union-attr]
    assert sigma == pytest.approx(top.deviation_sigma, abs=0.06)
    assert top.band_low is not None and top.band_high is not None
    assert top.band_low <= top.expected <= top.band_high
    assert "seasonal" in {c.name for c in top.contributions}
    assert sum(c.weight for c in top.contributions) == pytest.approx(1.0)


def test_dip_level_shift_flatline_and_gap() -> None:
    ts, values = seasonal()
    values[10 * DAY + 100] -= 40  # dip
    values[22 * DAY :] += 25  # level shift to the end
    values[15 * DAY : 15 * DAY + 60] = 33.3  # stuck for 5 hours
    keep = np.ones(len(ts), dtype=bool)
    keep[5 * DAY + 10 : 5 * DAY + 34] = False  # two hours missing
    findings = detect_series(ts[keep], values[keep], "s")
    kinds = {f.type for f in findings}
    assert {"dip", "level_shift", "flatline", "gap"} <= kinds
    gap = next(f for f in findings if f.type == "gap")
    assert gap.start_ns == ts[5 * DAY + 9] and gap.end_ns == ts[5 * DAY + 34]
    assert "has no data for 2.1 hours" in gap.narrative
    shift = next(f for f in findings if f.type == "level_shift")
    assert ts[22 * DAY] <= shift.start_ns <= ts[22 * DAY + 12]
    assert "moved up by about" in shift.narrative
    flat = next(f for f in findings if f.type == "flatline")
    assert "stayed at exactly 33.3 for 60 points" in flat.narrative


def test_sensitivity_moves_the_balance() -> None:
    ts, values = seasonal(seed=4)
    values[9 * DAY + 50] += 12
    values[19 * DAY + 80] += 40
    low = detect_series(ts, values, "s", sensitivity=0.1)
    high = detect_series(ts, values, "s", sensitivity=0.9)
    assert len(high) >= len(low) >= 1
    assert {f.peak_ns for f in low} <= {f.peak_ns for f in high}
    with pytest.raises(ValueError, match="between 0 and 1"):
        threshold_for(1.5)


def test_deterministic_and_order_independent() -> None:
    ts, values = seasonal(seed=2)
    values[12 * DAY] += 50
    first = detect_series(ts, values, "s")
    shuffled = np.random.default_rng(0).permutation(len(ts))
    again = detect_series(ts[shuffled], values[shuffled], "s")
    assert [(f.type, f.peak_ns, f.score) for f in first] == [
        (f.type, f.peak_ns, f.score) for f in again
    ]


def test_expected_band_matches_what_auto_explains() -> None:
    from anomaly_desk.detect.deviation import expected_band

    ts, values = seasonal()
    at = 20 * DAY + 170
    values[at] += 45
    expected, low, high = expected_band(ts, values)
    assert np.isnan(expected[:DAY]).all()  # no comparable earlier days yet
    inside = np.isfinite(expected) & (np.arange(len(ts)) != at)
    share = np.mean((values[inside] >= low[inside]) & (values[inside] <= high[inside]))
    assert share > 0.9  # ±2 robust sigma holds most ordinary points
    assert values[at] > high[at]
