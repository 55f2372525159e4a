"""Turning a false positive into a proposal the analyst can accept, edit or refuse.

Two proposals for "stop showing me this": mute findings of the same type on the same series
up to a little above this one's score (the *pattern*), or mute everything weaker than this on
the series (a *threshold* change). Both are shown with how many current anomalies each would
hide before anything changes; nothing is applied here.
"""

from __future__ import annotations

from anomaly_desk.model import AnomalyRow, Suppression

SCORE_MARGIN = 5.0  # a recurrence scoring a little higher is still "the same" false alarm


def propose_suppressions(false_positive: AnomalyRow) -> list[Suppression]:
    where = false_positive.series or false_positive.entity or "*"
    ceiling = min(100.0, round(false_positive.score + SCORE_MARGIN, 1))
    pattern = Suppression(
        name=f"{false_positive.type} on {where} up to score {ceiling:g}",
        dataset_id=false_positive.dataset_id,
        series_glob=_glob_literal(false_positive.series) if false_positive.series else "*",
        types=(false_positive.type,),
        max_score=ceiling,
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


def _glob_literal(name: str) -> str:
    """``name`` as a GLOB that matches only itself ([*], [?] and [[] escape the specials)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
