"""The detector families a time-series run can choose from: one table, name -> description.

The command line's ``--detectors``, the Detect dialog's list and a run's stored configuration
all take their names and descriptions from ``FAMILIES``. (``detect/families/`` is the package
of the event and record detectors, which are not part of this choice: they run whole.)

``deviation`` cannot be left out: its cycle baseline is what every other view's finding is
typed and explained against (expected value, usual range, robust σ), and the raw view sets
where a finding starts and ends.
"""

from __future__ import annotations

from collections.abc import Iterable

from anomaly_desk.errors import BadInputError

FAMILIES: dict[str, str] = {
    "deviation": "robust σ from the same time in earlier cycles; sudden changes",
    "scales": "the same on hourly and daily means: slow drifts",
    "shape": "Isolation Forest + LOF: stretches shaped unlike the rest",
    "trend": "changes of slope: a rise or fall that begins",
    "flatline": "a value stuck far longer than the series' own repeats",
    "gaps": "holes in the data longer than three steps",
    "multiseries": "across series: broken correlations and joint deviations",
}
REQUIRED = frozenset({"deviation"})
ALL = frozenset(FAMILIES)


def choose(names: Iterable[str] | None, source: str = "detect") -> frozenset[str]:
    """The families to run: all of them for None, else the named ones plus ``REQUIRED``.

    Raises ``BadInputError`` (from ``source``) naming any unknown family and the valid ones.
    """
    if names is None:
        return ALL
    if isinstance(names, str):  # frozenset("shape") would be its letters
        names = [names]
    chosen = frozenset(names)
    unknown = sorted(chosen - ALL)
    if unknown:
        noun = "family" if len(unknown) == 1 else "families"
        raise BadInputError(
            source,
            f"unknown detector {noun} {', '.join(map(repr, unknown))} "
            f"(choose from {', '.join(FAMILIES)})",
        )
    return chosen | REQUIRED


def ordered(families: Iterable[str]) -> list[str]:
    """The families in ``FAMILIES`` order (how runs store and show them)."""
    wanted = set(families)
    return [name for name in FAMILIES if name in wanted]


def parse(text: str, source: str = "--detectors") -> frozenset[str]:
    """``"shape, trend"`` -> the chosen families (``REQUIRED`` added); an empty list is refused."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise BadInputError(source, f"name at least one detector family ({', '.join(FAMILIES)})")
    return choose(names, source)
