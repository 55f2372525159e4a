"""Suggestions from history: past anomalies like this one, and how they were judged. Pure.

"Like this one" means: the same series (or entity), the same type, and a similar size. Size is
``actual - expected`` where both are known (signed, so a spike never matches a dip), else the
score. Judged anomalies come first: "the last five like this were false positives" is what
the analyst needs to see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from anomaly_desk.model import SimilarAnomaly, Status, Verdict

TOLERANCE = 0.5  # relative difference in size still called "similar"
_CLOSED = (Status.RESOLVED, Status.FALSE_POSITIVE)


@dataclass(frozen=True)
class Candidate:
    id: int
    start_ns: int
    score: float
    actual: float | None
    expected: float | None
    status: Status
    verdict: Verdict | None

    @property
    def magnitude(self) -> float | None:
        if self.actual is None or self.expected is None:
            return None
        return self.actual - self.expected


def distance(a: Candidate, b: Candidate) -> float:
    """Relative difference in size: 0 the same, 1 or more for opposite signs."""
    ma, mb = a.magnitude, b.magnitude
    if ma is None or mb is None:
        ma, mb = a.score, b.score
    scale = max(abs(ma), abs(mb))
    return 0.0 if scale == 0 else abs(ma - mb) / scale


def judged(item: SimilarAnomaly) -> bool:
    return item.verdict is not None or item.status in _CLOSED


def rank(
    target: Candidate,
    candidates: Iterable[Candidate],
    limit: int = 10,
    tolerance: float = TOLERANCE,
) -> list[SimilarAnomaly]:
    found = [
        SimilarAnomaly(
            id=c.id,
            start_ns=c.start_ns,
            score=c.score,
            magnitude=c.magnitude,
            status=c.status,
            verdict=c.verdict,
            distance=round(distance(target, c), 6),
        )
        for c in candidates
        if c.id != target.id
    ]
    close = [s for s in found if s.distance <= tolerance]
    close.sort(key=lambda s: (not judged(s), s.distance, -s.start_ns, s.id))
    return close[:limit]


def summary(similar: Iterable[SimilarAnomaly]) -> str:
    """One line: "5 similar before: 4 false positive, 1 confirmed" (or "" when none)."""
    items = list(similar)
    if not items:
        return ""
    counts: dict[str, int] = {}
    for item in items:
        if item.verdict is not None:
            key = str(item.verdict).replace("_", " ")
        elif item.status in _CLOSED:
            key = str(item.status).replace("_", " ")
        else:
            key = "not judged"
        counts[key] = counts.get(key, 0) + 1
    parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{len(items)} similar before: {parts}"
