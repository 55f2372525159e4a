"""Choosing detector families: a family left out is not run, and nothing else changes."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pytest
from tests.detect.generated import DAY, STEP, seasonal

from anomaly_desk.detect.auto import SHAPE_NAME, detect_series
from anomaly_desk.detect.catalog import ALL, FAMILIES, REQUIRED, choose, ordered, parse
from anomaly_desk.detect.deviation import day_types
from anomaly_desk.detect.findings import Finding
from anomaly_desk.detect.views import views
from anomaly_desk.errors import BadInputError

VALID = "deviation, scales, shape, trend, flatline, gaps, multiseries"


def where(findings: Iterable[Finding]) -> list[tuple[str, int, int, int]]:
    return [(f.type, f.start_ns, f.end_ns, f.peak_ns) for f in findings]


def test_leaving_out_shape_drops_exactly_what_only_shape_saw() -> None:
    ts, values = seasonal(seed=7)
    # Six cycles in five hours on the second day: the cycle view has no earlier days to
    # judge that stretch by yet, so only the shape view can tell it is odd.
    odd = np.arange(DAY + 40, DAY + 100)
    noise = np.random.default_rng(107).normal(0, 2, len(odd))
    values[odd] = 40 + 20 * np.sin(2 * np.pi * 6 * odd / DAY) + noise
    values[20 * DAY + 170] += 45  # a spike the cycle view sees too
    full = detect_series(ts, values, "s")
    without = detect_series(ts, values, "s", detectors=ALL - {"shape"})
    only_shape = [f for f in full if set(f.context.get("views", {})) == {"shape"}]
    assert len(only_shape) == 1
    assert ts[odd[0]] <= only_shape[0].peak_ns <= ts[odd[-1]]
    assert where(without) == where(f for f in full if f is not only_shape[0])
    assert without  # the spike is still found ...
    for finding in without:  # ... and nothing is credited to a detector that did not run
        assert "shape" not in finding.context.get("views", {})
        assert SHAPE_NAME not in {c.name for c in finding.contributions}
        assert SHAPE_NAME not in finding.narrative


def test_gaps_and_stuck_values_are_families_of_their_own() -> None:
    ts, values = seasonal(seed=3)
    values[15 * DAY : 15 * DAY + 60] = 33.3  # stuck for five hours
    keep = np.ones(len(ts), dtype=bool)
    keep[5 * DAY + 10 : 5 * DAY + 34] = False  # two hours missing
    ts, values = ts[keep], values[keep]
    assert [f.type for f in detect_series(ts, values, "s")] == ["flatline", "gap"]
    assert [f.type for f in detect_series(ts, values, "s", detectors=ALL - {"gaps"})] == [
        "flatline"
    ]
    no_flat = detect_series(ts, values, "s", detectors=ALL - {"flatline"})
    assert "flatline" not in {f.type for f in no_flat} and "gap" in {f.type for f in no_flat}


def test_leaving_out_trend_leaves_no_trend_finding() -> None:
    ts, values = seasonal(seed=1)
    onset = 17 * DAY + 100
    values[onset:] += 0.5 / 12 * np.arange(len(values) - onset)  # +0.5 an hour from onset
    assert "trend" in {f.type for f in detect_series(ts, values, "s")}
    assert "trend" not in {f.type for f in detect_series(ts, values, "s", detectors=REQUIRED)}


def test_views_follow_the_chosen_families() -> None:
    ts, values = seasonal()
    kinds = day_types(ts, "UTC")

    def run(detectors: frozenset[str] | None) -> dict[str, np.ndarray]:
        residuals = np.full(len(values), np.nan)
        scored = views(ts, values, float(STEP), DAY, kinds, "UTC", residuals, 0, detectors)
        return {key: view.scores for key, view in scored.items()}

    every = run(None)
    assert set(every) == {"raw", "sudden", "1h", "shape"}  # 28 days: too short for daily means
    assert set(run(frozenset({"shape"}))) == {"raw", "sudden", "shape"}
    baseline = run(frozenset())  # "deviation" is always on
    assert set(baseline) == {"raw", "sudden"}
    for key, scores in baseline.items():  # the views that run are untouched by the others
        np.testing.assert_array_equal(scores, every[key])


def test_unknown_families_are_refused_naming_the_valid_ones() -> None:
    ts, values = seasonal()
    with pytest.raises(BadInputError) as raised:
        detect_series(ts, values, "s", detectors=frozenset({"shape", "shapes"}))
    assert str(raised.value) == f"detect: unknown detector family 'shapes' (choose from {VALID})"
    with pytest.raises(BadInputError, match="unknown detector families 'foo', 'wavelet'"):
        views(
            ts,
            values,
            float(STEP),
            DAY,
            None,
            "UTC",
            np.empty(len(ts)),
            0,
            frozenset(["wavelet", "foo"]),
        )


def test_the_catalog_chooses_parses_and_orders() -> None:
    assert choose(None) == ALL == frozenset(FAMILIES)
    assert choose(["shape"]) == {"deviation", "shape"}
    assert choose("trend") == {"deviation", "trend"}  # one name, not its letters
    assert choose([]) == REQUIRED
    assert parse(" trend, shape ,") == {"deviation", "shape", "trend"}
    with pytest.raises(BadInputError, match=r"--detectors: name at least one detector family"):
        parse(" , ")
    with pytest.raises(BadInputError, match=r"--detectors: unknown detector family 'all'"):
        parse("all")
    assert ordered({"gaps", "deviation", "shape"}) == ["deviation", "shape", "gaps"]
    assert ", ".join(FAMILIES) == VALID
    for name, description in FAMILIES.items():  # shown in --help and as tooltips
        assert description and "\n" not in description and len(name) + len(description) < 76
