"""Grouping per-point scores into events."""

from __future__ import annotations

import numpy as np
import pytest

from anomaly_desk.detect.events import Event, group_events


def test_consecutive_points_merge_with_their_peak() -> None:
    scores = [0.1, 0.6, 0.9, 0.7, 0.1, 0.1, 0.8, 0.2]
    assert group_events(scores, 0.5) == [Event(1, 3, 2, 0.9), Event(6, 6, 6, 0.8)]


def test_gap_merging_and_nan() -> None:
    scores = np.array([0.9, np.nan, 0.95, 0.0, 0.0, 0.7])
    assert group_events(scores, 0.5) == [
        Event(0, 0, 0, 0.9),
        Event(2, 2, 2, 0.95),
        Event(5, 5, 5, 0.7),
    ]
    merged = group_events(scores, 0.5, max_gap=1)
    assert merged == [Event(0, 2, 2, 0.95), Event(5, 5, 5, 0.7)]
    assert merged[0].length == 3


def test_nothing_over_threshold_gives_no_event() -> None:
    assert group_events(np.zeros(10), 0.5) == []
    with pytest.raises(ValueError, match="1-d"):
        group_events(np.zeros((2, 2)), 0.5)
