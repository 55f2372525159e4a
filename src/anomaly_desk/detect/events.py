"""Per-point scores over a threshold become anomaly events (start, end, peak)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Event:
    """A run of anomalous points; indices are positions in the scored series, ends inclusive."""

    start: int
    end: int
    peak: int
    peak_score: float

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def group_events(scores: npt.ArrayLike, threshold: float, max_gap: int = 0) -> list[Event]:
    """Merge points with ``score >= threshold`` into events.

    Consecutive anomalous points form one event; with ``max_gap > 0`` runs separated by at most
    that many ordinary points are merged too. Missing scores (NaN) count as ordinary. The peak
    is the first point with the event's highest score.
    """
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"scores must be 1-d, got shape {values.shape}")
    if max_gap < 0:
        raise ValueError("max_gap must be >= 0")
    hits = np.flatnonzero(np.nan_to_num(values, nan=-np.inf) >= threshold)
    if len(hits) == 0:
        return []
    # A new event starts wherever the distance to the previous hit exceeds the allowed gap.
    breaks = np.flatnonzero(np.diff(hits) > max_gap + 1)
    starts = np.r_[hits[0], hits[breaks + 1]]
    ends = np.r_[hits[breaks], hits[-1]]
    events = []
    for start, end in zip(starts, ends, strict=True):
        segment = np.nan_to_num(values[start : end + 1], nan=-np.inf)
        peak = int(start + np.argmax(segment))
        events.append(Event(int(start), int(end), peak, float(values[peak])))
    return events
