"""The NAB scorer against hand computations, the null and perfect detectors, and itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anomaly_desk.detect.nab import (
    PROFILES,
    LabelledFile,
    file_raw_score,
    normalised_score,
    probation_length,
    row_weights,
    scaled_sigmoid,
    score_corpus,
    threshold_curve,
)
from anomaly_desk.detect.nab_corpus import load_corpus, score_series_list

STANDARD = PROFILES["standard"]


def test_scaled_sigmoid_matches_the_published_formula() -> None:
    for y in (-1.0, -0.5, 0.0, 0.7, 2.99):
        assert float(scaled_sigmoid(y)) == pytest.approx(2 / (1 + math.exp(5 * y)) - 1)
    assert float(scaled_sigmoid(3.0)) == -1.0
    assert float(scaled_sigmoid(1e6)) == -1.0  # no overflow warning either


def test_probation_is_fifteen_percent_capped_at_750() -> None:
    assert probation_length(20) == 3
    assert probation_length(4032) == 604
    assert probation_length(100_000) == 750


def test_hand_computed_file() -> None:
    # 20 rows: rows 0-2 are probation; one window covering rows 10..13 (W = 4).
    scores = np.zeros(20)
    scores[[1, 5, 11, 12, 15]] = 0.9
    f = LabelledFile("f", scores, ((10, 13),))
    raw, hits, false_positives = file_raw_score(f, STANDARD, 0.5)
    # row 1: probation, ignored. row 5: before the first window, -0.11.
    # row 11: y = -(13 - 11 + 1) / 4 = -0.75 -> S(-0.75) / S(-1) = 0.9669891; row 12 is later.
    # row 15: y = (15 - 13) / (4 - 1) -> 0.11 * S(2/3) = -0.1024221.
    assert raw == pytest.approx(-0.11 + 0.9669891 - 0.1024221, abs=1e-6)
    assert (hits, false_positives) == (1, 2)


def test_missed_window_costs_the_false_negative_weight() -> None:
    f = LabelledFile("f", np.zeros(20), ((10, 13),))
    assert file_raw_score(f, PROFILES["reward_low_FN_rate"], 0.5)[0] == -2.0


def test_weights_inside_a_window_fall_from_one_to_about_zero() -> None:
    weight, window_id = row_weights(40, [(20, 29)], STANDARD)
    assert weight[20] == pytest.approx(1.0)
    assert np.all(np.diff(weight[20:30]) < 0)
    assert list(window_id[:6]) == [-2] * 6  # probation
    assert weight[10] == -0.11


@pytest.mark.parametrize("profile", list(PROFILES.values()), ids=list(PROFILES))
def test_null_scores_zero_and_perfect_scores_hundred(profile: object) -> None:
    windows = ((30, 39), (70, 79))
    null = LabelledFile("a", np.zeros(100), windows)
    label = np.zeros(100)
    label[30:40] = label[70:80] = 1.0
    perfect = LabelledFile("a", label, windows)
    quiet = LabelledFile("b", np.zeros(60), ())
    profiles = {"p": profile}
    assert score_corpus([null, quiet], profiles)["p"].normalised == 0.0  # type: ignore[dict-item]
    assert score_corpus([perfect, quiet], profiles)["p"].normalised == 100.0  # type: ignore[dict-item]


def test_best_threshold_is_searched_over_the_whole_corpus() -> None:
    # File a rewards a detection at 0.6, file b punishes one at 0.7: the corpus threshold must
    # land between them, which no per-file choice would do.
    a = np.zeros(100)
    a[31] = 0.6
    b = np.zeros(100)
    b[50] = 0.7
    files = [LabelledFile("a", a, ((30, 39),)), LabelledFile("b", b, ((80, 89),))]
    result = score_corpus(files, {"standard": STANDARD})["standard"]
    assert result.threshold == 0.6
    assert result.true_positives == 1
    assert result.false_positives == 1


def test_no_detection_is_a_candidate() -> None:
    scores = np.zeros(100)
    scores[50] = 0.9  # only a false positive to be had
    files = [LabelledFile("a", scores, ((80, 89),))]
    result = score_corpus(files, {"standard": STANDARD})["standard"]
    assert result.threshold == 1.1
    assert result.normalised == 0.0


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    levels=st.integers(2, 12),
    n_files=st.integers(1, 4),
)
def test_sweep_agrees_with_direct_scoring(seed: int, levels: int, n_files: int) -> None:
    rng = np.random.default_rng(seed)
    files = []
    for k in range(n_files):
        n = int(rng.integers(30, 200))
        windows = []
        start = int(rng.integers(n // 5, n // 2))
        if rng.random() < 0.8:
            windows.append((start, min(n - 1, start + int(rng.integers(1, 15)))))
        scores = rng.integers(0, levels, n) / levels  # many ties on purpose
        files.append(LabelledFile(f"f{k}", scores, tuple(windows)))
    for profile in PROFILES.values():
        thresholds, totals, _ = threshold_curve(files, profile)
        assert np.all(np.diff(thresholds) < 0)
        for threshold, total in zip(thresholds, totals, strict=True):
            direct = sum(file_raw_score(f, profile, threshold)[0] for f in files)
            assert total == pytest.approx(direct, abs=1e-9)


def test_normalisation_needs_windows() -> None:
    with pytest.raises(ValueError, match="no scorable"):
        normalised_score(0.0, 0, STANDARD)


def test_overlapping_windows_are_rejected() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        row_weights(50, [(10, 20), (20, 30)], STANDARD)


def test_null_and_perfect_on_the_shared_corpus(nab_dir: object) -> None:
    corpus = load_corpus(nab_dir)  # type: ignore[arg-type]
    assert len(corpus) == 31
    assert sum(len(s.windows) for s in corpus) == 53
    null = score_series_list(corpus, [np.zeros(len(s.values)) for s in corpus])
    perfect = score_series_list(corpus, [s.labels for s in corpus])
    for name in PROFILES:
        assert null[name].normalised == 0.0
        assert perfect[name].normalised == 100.0
