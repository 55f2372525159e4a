"""A count that is mostly zero with regular bursts (errors per 5 minutes, say): the bursts that
keep their rhythm are its normal life; a cluster of extra bursts is the anomaly, and the
narrative must quote a real value with a finite size."""

from __future__ import annotations

import re

import numpy as np

from anomaly_desk.detect.auto import detect_series
from anomaly_desk.detect.baseline import noise_floor

NS = 1_000_000_000
STEP = 300 * NS
EVERY = 100  # a burst every 100 points (8 h 20 min), as regular as a cron job
CLUSTER = 2_505  # three extra bursts here, 5 points apart, between two regular ones


def bursts(n: int = 4_000) -> tuple[np.ndarray, np.ndarray]:
    values = np.zeros(n)
    values[::EVERY] = 20.0
    values[[CLUSTER, CLUSTER + 5, CLUSTER + 10]] = 20.0
    return np.arange(n, dtype=np.int64) * STEP, values


def test_the_noise_floor_of_a_mostly_constant_series_is_a_real_size() -> None:
    _, values = bursts()
    floor = noise_floor(values)
    assert 0.1 < floor < 5.0  # robust spreads are 0 here; 1e-9 made "2e10 sigma above"
    assert noise_floor(np.zeros(100)) == 1e-9  # a truly constant series has no size at all


def test_only_the_cluster_is_found_and_its_narrative_holds() -> None:
    ts, values = bursts()
    found = detect_series(ts, values, "errors")
    assert found, "the cluster of extra bursts was missed"
    top = found[0]
    assert ts[CLUSTER] <= top.start_ns <= top.peak_ns <= top.end_ns <= ts[CLUSTER + 10]
    assert top.actual == 20.0 and top.band_high is not None and top.actual > top.band_high
    sigma = float(re.search(r"([\d.]+) robust σ above", top.narrative).group(1))  # type: ignore[union-attr]
    assert 5 < sigma < 1_000
    # The regular bursts are its rhythm: none of them is reported on its own.
    regular = {int(t) for t in ts[::EVERY]}
    assert not [f for f in found if f.peak_ns in regular and f is not top]


def test_a_peak_inside_its_usual_range_moves_to_the_point_that_is_not() -> None:
    from anomaly_desk.detect.auto import _telling_peak
    from anomaly_desk.detect.events import Event

    values = np.where(np.arange(320) % 5 == 0, 20.0, 0.0)  # a burst of 20 is usual here
    values[303] = 60.0  # this one is not
    event = Event(start=300, end=305, peak=300, peak_score=0.9)  # a view's tie: first point
    moved, _ = _telling_peak(event, values, 0, noise_floor(values), None)
    assert (moved.start, moved.end, moved.peak) == (300, 305, 303)
    values[303] = 0.0  # nothing in the event is outside its range: the peak stays
    assert _telling_peak(event, values, 0, noise_floor(values), None)[0].peak == 300
