"""Cross-series findings: a steady relationship that breaks, several series unusual at once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anomaly_desk.detect.multiseries import align, correlation_breaks, joint_deviations

STEP = 300 * 10**9
N = 4000


def _ts() -> np.ndarray:
    return np.int64(pd.Timestamp("2025-01-06T00:00Z").value) + np.arange(N, dtype=np.int64) * STEP


def test_a_broken_relationship_is_found_and_told() -> None:
    rng = np.random.default_rng(1)
    driver = np.cumsum(rng.normal(0, 1, N))  # a shared random walk: the pair moves together
    a = driver + rng.normal(0, 0.3, N)
    b = 2 * driver + rng.normal(0, 0.6, N)
    b[2500:2600] = b[2499] + rng.normal(0, 0.6, 100)  # b stalls while a goes on moving
    aligned = align({"a": (_ts(), a), "b": (_ts(), b), "c": (_ts(), rng.normal(0, 1, N))}, "UTC")
    assert aligned is not None
    breaks = correlation_breaks(aligned)
    assert breaks, "the stall was not found"
    top = max(breaks, key=lambda f: f.score)
    assert top.entity == "a ~ b" and top.type == "correlation_break"
    assert _ts()[2450] <= top.peak_ns <= _ts()[2620]
    assert "a and b usually move together" in top.narrative
    assert top.context["usual_r"] >= 0.6 and top.context["lowest_r"] < 0.3


def test_joint_deviation_needs_several_series_at_once() -> None:
    rng = np.random.default_rng(2)
    series = {f"s{i}": (_ts(), rng.normal(10, 1, N)) for i in range(6)}
    for i in range(3):  # three series at 4 sigma together; none alone would be striking
        series[f"s{i}"][1][3000:3003] += 4.5
    aligned = align(series, "UTC")
    assert aligned is not None
    found = joint_deviations(aligned)
    assert len(found) == 1
    assert found[0].context["series"] == ["s0", "s1", "s2"]
    assert "3 of 6 series were unusual at the same time" in found[0].narrative
    quiet = align({f"q{i}": (_ts(), rng.normal(10, 1, N)) for i in range(6)}, "UTC")
    assert quiet is not None and joint_deviations(quiet) == []
