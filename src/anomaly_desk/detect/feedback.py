"""Turning a false positive into a proposal the analyst can accept, edit or refuse.

Two proposals for "stop showing me this": mute findings of the same type on the same series
up to a little above this one's score (the *pattern*), or mute everything weaker than this on
the series (a *threshold* change). Both are shown with how many current anomalies each would
hide before anything changes; nothing is applied here.
"""

from __future__ import annotations

from anomaly_desk.model import AnomalyRow, Suppression

SCORE_MARGIN = 0.0  # no stronger than the judged one: a stronger one may be the real thing
SIZE_MARGIN = 1.0  # ... but no bigger: a larger one may be the real thing


def propose_suppressions(false_positive: AnomalyRow) -> list[Suppression]:
    where = false_positive.series or false_positive.entity or "*"
    ceiling = min(100.0, round(false_positive.score + SCORE_MARGIN, 1))
    size = _size(false_positive)
    # The pattern is "this kind of thing, this big, this long": same type, a score, a
    # deviation from the expected value and a duration no larger than this one's. A real
    # incident on the same series is usually bigger or longer, so it stays visible.
    pattern = Suppression(
        name=f"{false_positive.type} on {where} up to score {ceiling:g}"
        + (f" and size {size:.4g}" if size is not None else ""),
        dataset_id=false_positive.dataset_id,
        series_glob=_glob_literal(false_positive.series) if false_positive.series else "*",
        types=(false_positive.type,),
        max_score=ceiling,
        max_deviation=size,
        max_duration_ns=false_positive.end_ns - false_positive.start_ns,
        reason=f"false positive #{false_positive.id}",
    )
    threshold = Suppression(
        name=f"anything on {where} up to score {ceiling:g}",
        dataset_id=false_positive.dataset_id,
        series_glob=pattern.series_glob,
        max_score=ceiling,
        reason=f"false positive #{false_positive.id}",
    )
    return [pattern, threshold]


def _size(row: AnomalyRow) -> float | None:
    if row.actual is None or row.expected is None:
        return None
    return abs(row.actual - row.expected) * SIZE_MARGIN


def _glob_literal(name: str) -> str:
    """``name`` as a GLOB that matches only itself ([*], [?] and [[] escape the specials)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
