"""What every detection family returns: findings, each able to explain itself.

A ``Finding`` is pure data (positions and instants, scores, the expected value and band, a
structured explanation and a narrative). The run layer turns findings into stored anomalies;
``detect/`` itself never sees the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Contribution:
    """One detector's (or feature's) share in a finding."""

    name: str  # e.g. "seasonal", "level shift", "amount"
    weight: float  # share in [0, 1]; a finding's contributions sum to 1
    scale: str = "raw"  # time scale it was seen at: "raw", "1h", "1d"
    detail: str = ""


@dataclass(frozen=True)
class Finding:
    """One anomaly: a run of points (series), a row (records) or a set of events.

    ``score`` is the 0-100 anomaly score (higher = more anomalous). Instants are int ns UTC.
    """

    type: str  # a model.AnomalyType value
    start_ns: int
    end_ns: int
    peak_ns: int
    score: float
    series: str | None = None  # the series name (time series) ...
    entity: str | None = None  # ... or the entity / row key (events, records)
    actual: float | None = None
    expected: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    deviation_sigma: float | None = None  # (actual - expected) in robust sigmas
    contributions: tuple[Contribution, ...] = ()
    context: dict[str, Any] = field(default_factory=dict)  # seasonal context, correlated ...
    narrative: str = ""

    def explanation(self) -> dict[str, Any]:
        """The structured explanation, as stored with the anomaly (JSON-ready)."""
        return {
            "type": self.type,
            "deviation_sigma": self.deviation_sigma,
            "contributions": [
                {"name": c.name, "weight": round(c.weight, 4), "scale": c.scale, "detail": c.detail}
                for c in self.contributions
            ],
            "context": self.context,
            "narrative": self.narrative,
        }
