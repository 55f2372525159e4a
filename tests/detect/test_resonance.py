"""The shape memory (Fuzzy ART over windows of block means): what it sees, and exactness."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from anomaly_desk.detect.resonance import ShapeMemory
from anomaly_desk.detect.streaming import StreamingDetector

Series = Callable[..., np.ndarray]


def _mismatch(x: np.ndarray, memory: ShapeMemory | None = None) -> np.ndarray:
    memory = memory or ShapeMemory()
    return memory.mismatch(x, 0, memory.new_state())


def _faster_rhythm(x: np.ndarray, start: int, length: int, seed: int) -> np.ndarray:
    """One stretch runs at twice the usual frequency: every value stays in the usual range."""
    y = x.copy()
    t = np.arange(length)
    noise = 0.3 * np.random.default_rng(seed).standard_normal(length)
    y[start : start + length] = 10 + 3 * np.sin(2 * np.pi * t / 48) + noise
    return y


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_new_rhythm_resonates_with_no_shape_seen_before(seasonal: Series, seed: int) -> None:
    x = _faster_rhythm(seasonal(n=4000, seed=seed), 3000, 96, seed + 20)
    assert x[3000:3096].min() > x[:3000].min() and x[3000:3096].max() < x[:3000].max()
    z = _mismatch(x)
    # Measured (seeds 0-5): 4-5 of the 12 windows presented in the changed stretch resonate
    # with nothing (mismatch 1.5-2.0); on the clean days before it the mismatch stays <= 0.4.
    assert int((z[3000:3140] > 1).sum()) >= 3
    assert z[1000:2990].max() < 1


def test_a_repeating_shape_is_learnt(seasonal: Series) -> None:
    z = _mismatch(seasonal(n=3000, noise=0.0))
    assert z[40:300].max() > 1  # the first period is all new
    assert z[1000:].max() < 1  # after a few periods every window resonates


def test_mismatch_is_measured_every_score_every_rows_from_the_first_full_window() -> None:
    z = _mismatch(np.sin(np.arange(400) / 7))
    memory = ShapeMemory()
    presented = np.flatnonzero(z)
    assert presented.min() >= memory.span - 1
    assert np.all((presented - (memory.span - 1)) % memory.score_every == 0)


def test_any_chunking_gives_identical_mismatch(seasonal: Series) -> None:
    x = _faster_rhythm(seasonal(n=2500, seed=5), 2000, 96, 1)
    x[900] = 40.0  # widens the range mid-stream
    whole = _mismatch(x)
    memory = ShapeMemory()
    state = memory.new_state()
    rng = np.random.default_rng(2)
    parts, i = [], 0
    while i < len(x):
        size = int(rng.integers(1, 90))
        parts.append(memory.mismatch(x[i : i + size], i, state))
        i += size
    assert np.array_equal(np.concatenate(parts), whole)


def test_windows_with_missing_values_are_skipped_not_learnt(seasonal: Series) -> None:
    x = seasonal(n=1500)
    x[700] = np.nan
    memory = ShapeMemory()
    state = memory.new_state()
    z = memory.mismatch(x, 0, state)
    assert np.all(z[700 : 700 + memory.span] == 0.0)
    assert np.all(np.isfinite(state["lower"])) and np.all(np.isfinite(state["upper"]))


def test_the_streaming_detector_can_go_without_it(seasonal: Series) -> None:
    x = _faster_rhythm(seasonal(n=4000, seed=1), 3000, 96, 3)
    with_memory = StreamingDetector().fit_score(x)
    without = StreamingDetector(shape_memory=None).fit_score(x)
    assert np.all(with_memory >= without)  # the view joins by maximum
    assert not np.array_equal(with_memory, without)
