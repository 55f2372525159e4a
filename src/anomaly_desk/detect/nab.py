"""The Numenta Anomaly Benchmark (NAB) scorer, written from its published description.

Everything here works on row indices and numpy arrays; reading and writing NAB folders lives in
``nab_corpus``. The method, in short:

* each file's first ``min(floor(0.15 * N), 750)`` rows are a probation period and are ignored;
* a row is a detection when its score is ``>= threshold``;
* inside a labelled window ``[L, R]`` (``W`` rows) a detection at row ``i`` is worth
  ``A_TP * S(y) / S(-1)`` with ``y = -(R - i + 1) / W``; only the earliest detection of a window
  counts, and a window without any detection costs ``-A_FN``;
* outside every window a detection costs ``-A_FP`` before the first window, and
  ``A_FP * S(y)`` with ``y = (i - R') / (W' - 1)`` after a window ending at ``R'`` with ``W'`` rows;
* ``S(y) = 2 / (1 + exp(5 y)) - 1`` for ``y < 3``, else ``-1`` (the scaled sigmoid);
* one threshold per detector and profile for the whole corpus maximises the summed raw score,
  the candidates being every distinct score plus 1.1 (= "no detection");
* normalised score ``100 (S - S_null) / (S_perfect - S_null)`` with ``S_null = -A_FN K`` and
  ``S_perfect = A_TP K`` for ``K`` windows.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PROBATION_FRACTION = 0.15
PROBATION_CAP = 750
NO_DETECTION_THRESHOLD = 1.1
# Rows that take no part in scoring (probation) get this window id.
PROBATION = -2
# Rows outside every window (potential false positives) get this window id.
OUTSIDE = -1


@dataclass(frozen=True)
class Profile:
    """NAB application profile: the weights of a true positive, false positive, false negative."""

    name: str
    tp: float
    fp: float
    fn: float


PROFILES: dict[str, Profile] = {
    "standard": Profile("standard", 1.0, 0.11, 1.0),
    "reward_low_FP_rate": Profile("reward_low_FP_rate", 1.0, 0.22, 1.0),
    "reward_low_FN_rate": Profile("reward_low_FN_rate", 1.0, 0.11, 2.0),
}


@dataclass(frozen=True)
class LabelledFile:
    """One scored file: its detector scores and its anomaly windows as inclusive row ranges."""

    name: str
    scores: FloatArray
    windows: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ProfileResult:
    """The outcome of one profile over a corpus."""

    profile: str
    threshold: float
    raw_score: float
    normalised: float
    windows: int
    true_positives: int  # windows with at least one detection
    false_positives: int  # detections outside every window (after probation)


def scaled_sigmoid(y: float | FloatArray) -> FloatArray:
    """NAB's scaled sigmoid ``2 / (1 + exp(5 y)) - 1``, clamped to ``-1`` from ``y >= 3`` on."""
    y_arr = np.asarray(y, dtype=np.float64)
    # exp overflows for large y; those values are clamped to -1 anyway.
    safe = np.minimum(y_arr, 3.0)
    value = 2.0 / (1.0 + np.exp(5.0 * safe)) - 1.0
    return np.where(y_arr >= 3.0, -1.0, value)


def probation_length(n_rows: int) -> int:
    return min(math.floor(PROBATION_FRACTION * n_rows), PROBATION_CAP)


def check_windows(windows: Sequence[tuple[int, int]], n_rows: int) -> tuple[tuple[int, int], ...]:
    """Sort windows and reject empty, out-of-range or overlapping ones (NAB's never overlap)."""
    ordered = tuple(sorted((int(a), int(b)) for a, b in windows))
    previous_end = -1
    for start, end in ordered:
        if not 0 <= start <= end < n_rows:
            raise ValueError(f"window [{start}, {end}] is outside rows 0..{n_rows - 1}")
        if start <= previous_end:
            raise ValueError(f"window [{start}, {end}] overlaps the previous one")
        previous_end = end
    return ordered


def row_weights(
    n_rows: int, windows: Sequence[tuple[int, int]], profile: Profile
) -> tuple[FloatArray, IntArray]:
    """What a detection at each row is worth, and which window (or OUTSIDE/PROBATION) it is in.

    Window ids are the window's position in the sorted window list of this file.
    """
    ordered = check_windows(windows, n_rows)
    rows = np.arange(n_rows, dtype=np.float64)
    weight = np.full(n_rows, -profile.fp, dtype=np.float64)  # before the first window
    window_id = np.full(n_rows, OUTSIDE, dtype=np.int64)
    max_tp = float(scaled_sigmoid(-1.0))
    for k, (start, end) in enumerate(ordered):
        width = end - start + 1
        inside = slice(start, end + 1)
        weight[inside] = profile.tp * scaled_sigmoid(-(end - rows[inside] + 1) / width) / max_tp
        window_id[inside] = k
        # Until the next window starts, false positives are judged against this window.
        after_end = ordered[k + 1][0] if k + 1 < len(ordered) else n_rows
        after = slice(end + 1, after_end)
        # A one-row window would divide by zero; treat it as two rows wide.
        weight[after] = profile.fp * scaled_sigmoid((rows[after] - end) / max(width - 1, 1))
    window_id[: probation_length(n_rows)] = PROBATION
    return weight, window_id


def _stack(
    files: Sequence[LabelledFile], profile: Profile
) -> tuple[FloatArray, FloatArray, IntArray, int]:
    """Concatenate the scorable rows of every file, giving windows corpus-wide unique ids."""
    scores, weights, ids = [], [], []
    offset = 0
    for f in files:
        weight, window_id = row_weights(len(f.scores), f.windows, profile)
        keep = window_id != PROBATION
        ids_f = window_id[keep]
        scores.append(np.asarray(f.scores, dtype=np.float64)[keep])
        weights.append(weight[keep])
        ids.append(np.where(ids_f >= 0, ids_f + offset, OUTSIDE))
        offset += len(f.windows)
    if not scores:
        empty = np.empty(0)
        return empty, empty, np.empty(0, dtype=np.int64), 0
    all_ids = np.concatenate(ids)
    # Windows lying wholly inside probation take no part, as in NAB's sweeper.
    n_windows = len(np.unique(all_ids[all_ids >= 0]))
    return np.concatenate(scores), np.concatenate(weights), all_ids, n_windows


def threshold_curve(
    files: Sequence[LabelledFile], profile: Profile
) -> tuple[FloatArray, FloatArray, int]:
    """Summed raw score for every candidate threshold, by one sort and one sweep.

    Returns ``(thresholds descending, raw scores, K windows)``. Lowering the threshold past a
    row adds the row's weight if it is outside windows; inside a window it raises the window's
    contribution to the best (= earliest) detection so far, starting from ``-A_FN``.
    """
    scores, weights, ids, n_windows = _stack(files, profile)
    order = np.argsort(-scores, kind="stable")
    s_sorted, w_sorted, id_sorted = scores[order], weights[order], ids[order]

    delta = np.where(id_sorted == OUTSIDE, w_sorted, 0.0)
    in_window = np.flatnonzero(id_sorted >= 0)
    if len(in_window):
        wid = id_sorted[in_window]
        w = w_sorted[in_window]
        # Group the in-window rows by window, keeping their sorted-by-score order inside a group.
        grouping = np.argsort(wid, kind="stable")
        g_id, g_w = wid[grouping], w[grouping]
        first = np.r_[True, g_id[1:] != g_id[:-1]]
        starts = np.flatnonzero(first)
        # Running best detection per window, floored at the cost of missing it.
        best = np.maximum(g_w, -profile.fn)
        best = _grouped_cummax(best, starts)
        before = np.r_[-profile.fn, best[:-1]]
        before[starts] = -profile.fn
        gained = np.empty_like(best)
        gained[grouping] = best - before
        delta[in_window] = gained

    running = -profile.fn * n_windows + np.cumsum(delta)
    # The score for threshold t counts every row with score >= t: take the last row of each
    # run of equal scores.
    last_of_run = np.r_[s_sorted[1:] != s_sorted[:-1], True] if len(s_sorted) else np.array([])
    thresholds = s_sorted[last_of_run.astype(bool)]
    totals = running[last_of_run.astype(bool)]
    none_score = -profile.fn * n_windows
    above = s_sorted >= NO_DETECTION_THRESHOLD
    if above.any():
        none_score = float(running[np.flatnonzero(above)[-1]])
    if not np.any(thresholds == NO_DETECTION_THRESHOLD):
        keep = thresholds > NO_DETECTION_THRESHOLD
        thresholds = np.r_[thresholds[keep], NO_DETECTION_THRESHOLD, thresholds[~keep]]
        totals = np.r_[totals[keep], none_score, totals[~keep]]
    return thresholds, totals, n_windows


def _grouped_cummax(values: FloatArray, starts: IntArray) -> FloatArray:
    """Cumulative maximum restarting at each index in ``starts`` (vectorised per group)."""
    out = np.empty_like(values)
    bounds = np.r_[starts, len(values)]
    for a, b in itertools.pairwise(bounds):
        out[a:b] = np.maximum.accumulate(values[a:b])
    return out


def best_threshold(files: Sequence[LabelledFile], profile: Profile) -> tuple[float, float, int]:
    """``(threshold, raw score, K)`` maximising the corpus raw score; ties go to the highest."""
    thresholds, totals, n_windows = threshold_curve(files, profile)
    best = int(np.argmax(totals))  # first maximum = highest threshold (descending order)
    return float(thresholds[best]), float(totals[best]), n_windows


def file_raw_score(f: LabelledFile, profile: Profile, threshold: float) -> tuple[float, int, int]:
    """``(raw score, windows detected, false positives)`` of one file at a fixed threshold.

    Written directly from the rules (no sweep) so that it can check ``threshold_curve``.
    """
    weight, window_id = row_weights(len(f.scores), f.windows, profile)
    detected = (np.asarray(f.scores) >= threshold) & (window_id != PROBATION)
    outside = detected & (window_id == OUTSIDE)
    total = float(weight[outside].sum())
    hits = 0
    for k in np.unique(window_id[window_id >= 0]):
        rows = np.flatnonzero(detected & (window_id == k))
        if len(rows):
            total += float(weight[rows[0]])
            hits += 1
        else:
            total -= profile.fn
    return total, hits, int(outside.sum())


def normalised_score(raw: float, n_windows: int, profile: Profile) -> float:
    null, perfect = -profile.fn * n_windows, profile.tp * n_windows
    if perfect == null:
        raise ValueError("the corpus has no scorable anomaly window")
    return 100.0 * (raw - null) / (perfect - null)


def score_corpus(
    files: Sequence[LabelledFile], profiles: Mapping[str, Profile] = PROFILES
) -> dict[str, ProfileResult]:
    """Optimise the threshold and report the normalised score for each profile."""
    results = {}
    for name, profile in profiles.items():
        threshold, raw, n_windows = best_threshold(files, profile)
        hits = false_positives = 0
        for f in files:
            _, h, fp = file_raw_score(f, profile, threshold)
            hits += h
            false_positives += fp
        results[name] = ProfileResult(
            profile=name,
            threshold=threshold,
            raw_score=raw,
            normalised=normalised_score(raw, n_windows, profile),
            windows=n_windows,
            true_positives=hits,
            false_positives=false_positives,
        )
    return results
