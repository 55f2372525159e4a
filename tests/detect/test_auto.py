"""The Auto preset on generated series: each kind of anomaly found, typed and explained truly."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from tests.detect.generated import DAY, STEP, seasonal

from anomaly_desk.detect.auto import detect_series, threshold_for


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
    # The earliest one: weekends are compared with earlier weekends, so the first weekend
    # after the shift is a finding of its own.
    shift = min((f for f in findings if f.type == "level_shift"), key=lambda f: f.start_ns)
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


def busy_days(days: int = 28, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Office-hours load whose noise grows with it (sigma 1 at night, 8 at the peak)."""
    rng = np.random.default_rng(seed)
    n = days * DAY
    ts = np.int64(pd.Timestamp("2025-03-03T00:00Z").value) + np.arange(n, dtype=np.int64) * STEP
    hour = (np.arange(n) % DAY) / 12
    load = np.exp(-0.5 * ((hour - 13) / 3) ** 2)  # 0 at night, 1 at 13:00
    return ts, 10 + 80 * load + rng.normal(0, 1, n) * (1 + 7 * load)


def test_busy_hours_are_judged_against_their_own_noise() -> None:
    ts, values = busy_days()
    assert detect_series(ts, values, "load") == []
    # The same 12 units are ordinary at the peak and unusual at night.
    night = 20 * DAY + 3 * 12
    values[night : night + 6] += 12
    values[21 * DAY + 13 * 12] += 12
    (found,) = detect_series(ts, values, "load")
    assert ts[night] <= found.peak_ns <= ts[night + 5]


def test_days_after_a_gap_are_compared_with_the_same_hours() -> None:
    ts, values = seasonal(seed=1)
    keep = np.ones(len(ts), dtype=bool)
    keep[6 * DAY + 100 : 6 * DAY + 124] = False  # two hours missing
    findings = detect_series(ts[keep], values[keep], "s")
    # Only the gap: by position, every later day would be two hours off its earlier days.
    assert [f.type for f in findings] == ["gap"]


def test_an_odd_shape_is_seen_by_the_shape_detector() -> None:
    from anomaly_desk.detect.auto import SHAPE_NAME

    ts, values = seasonal(seed=7)
    odd = slice(18 * DAY + 40, 18 * DAY + 100)
    values[odd] = 80 - values[odd]  # the cycle runs backwards for five hours
    (found,) = detect_series(ts, values, "s")
    assert ts[odd.start] <= found.peak_ns < ts[odd.stop]
    shape = next(c for c in found.contributions if c.name == SHAPE_NAME)
    assert 0 < shape.weight < 1 and shape.scale == "raw"
    assert SHAPE_NAME in found.narrative and found.context["views"]["shape"] >= 0.5
    assert sum(c.weight for c in found.contributions) == pytest.approx(1.0)


def test_a_stuck_value_explains_the_deviations_inside_it() -> None:
    ts, values = seasonal(seed=3)
    values[15 * DAY : 15 * DAY + 60] = 33.3
    findings = detect_series(ts, values, "s")
    assert [f.type for f in findings] == ["flatline"]


def test_the_seed_is_the_only_randomness() -> None:
    ts, values = seasonal(seed=8)
    values[18 * DAY + 40 : 18 * DAY + 100] = 80 - values[18 * DAY + 40 : 18 * DAY + 100]

    def run(seed: int) -> list[tuple[str, int, float]]:
        return [
            (f.type, f.peak_ns, f.score) for f in detect_series(ts, values, "s", random_state=seed)
        ]

    assert run(5) == run(5)
    assert len(run(6)) == len(run(5))
