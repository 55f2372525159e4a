"""A small, local natural-language filter: "critical open spikes on nyc_taxi last week".

Words the parser understands become FilterSpec fields and are shown back as chips; the rest is
kept as free text (searched in summaries, comments and tags), so nothing the user typed is
silently ignored. Relative times count back from a reference instant — for historical data the
end of the data, not the wall clock ("last week" of a 2015 dataset means its last week).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from anomaly_desk.model import AnomalyType, FilterSpec, Severity, Status

NS = 1_000_000_000
_UNITS = {
    "minute": 60, "min": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400,
    "week": 7 * 86400, "w": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400,
}  # fmt: skip
_SEVERITY_WORDS = {
    "critical": (Severity.CRITICAL,),
    "major": (Severity.MAJOR,),
    "minor": (Severity.MINOR,),
    "warning": (Severity.WARNING,),
    "warnings": (Severity.WARNING,),
    "low": (Severity.LOW,),
    "high": (Severity.CRITICAL, Severity.MAJOR),
    "severe": (Severity.CRITICAL, Severity.MAJOR),
}
_OPEN = (Status.NEW, Status.TRIAGED, Status.INVESTIGATING)
_STATUS_WORDS = {
    "open": _OPEN,
    "unresolved": _OPEN,
    "new": (Status.NEW,),
    "untriaged": (Status.NEW,),
    "triaged": (Status.TRIAGED,),
    "investigating": (Status.INVESTIGATING,),
    "resolved": (Status.RESOLVED,),
    "closed": (Status.RESOLVED, Status.FALSE_POSITIVE),
    "fp": (Status.FALSE_POSITIVE,),
}
_TYPE_WORDS = {
    "spike": AnomalyType.SPIKE, "peak": AnomalyType.SPIKE, "dip": AnomalyType.DIP,
    "drop": AnomalyType.DIP, "shift": AnomalyType.LEVEL_SHIFT, "trend": AnomalyType.TREND,
    "variance": AnomalyType.VARIANCE, "volatility": AnomalyType.VARIANCE,
    "flatline": AnomalyType.FLATLINE, "stuck": AnomalyType.FLATLINE, "gap": AnomalyType.GAP,
    "seasonal": AnomalyType.SEASONAL_BREAK, "outlier": AnomalyType.OUTLIER_RECORD,
    "edge": AnomalyType.NEW_EDGE, "rule": AnomalyType.RULE,
}  # fmt: skip
_FILLER = {"on", "in", "for", "of", "the", "with", "and", "anomalies", "anomaly", "show", "me",
           "all", "from", "at", "a", "an", "level", "severity", "status", "type"}  # fmt: skip


@dataclass(frozen=True)
class Names:
    """What the words may refer to: dataset and series names with their ids."""

    datasets: dict[str, int] = field(default_factory=dict)
    series: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedQuery:
    spec: FilterSpec
    chips: tuple[str, ...]  # what was understood, to show back to the user


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def parse(text: str, names: Names | None = None, reference_ns: int | None = None) -> ParsedQuery:
    names = names or Names()
    now_ns = reference_ns if reference_ns is not None else int(datetime.now(UTC).timestamp() * NS)
    spec = FilterSpec()
    chips: list[str] = []
    rest = text.strip()

    rest, spec, chips = _phrases(rest, spec, chips, now_ns)
    words = re.findall(r"[\w\-./:]+", rest.lower())
    free: list[str] = []
    severities: list[Severity] = []
    statuses: list[Status] = []
    types: list[str] = []
    datasets: list[int] = []
    series: list[int] = []
    lowered_datasets = {k.lower(): v for k, v in names.datasets.items()}
    lowered_series = {k.lower(): v for k, v in names.series.items()}
    for word in words:
        single = _singular(word)
        if word in _SEVERITY_WORDS:
            severities += _SEVERITY_WORDS[word]
        elif word in _STATUS_WORDS:
            statuses += _STATUS_WORDS[word]
        elif single in _TYPE_WORDS:
            types.append(_TYPE_WORDS[single].value)
        elif word in lowered_datasets:
            datasets.append(lowered_datasets[word])
            chips.append(f"dataset: {word}")
        elif word in lowered_series:
            series.append(lowered_series[word])
            chips.append(f"series: {word}")
        elif word not in _FILLER:
            free.append(word)
    if severities:
        spec = replace(spec, severities=tuple(dict.fromkeys(severities)))
        chips.insert(0, "severity: " + ", ".join(s.value for s in spec.severities))
    if statuses:
        spec = replace(spec, statuses=tuple(dict.fromkeys(statuses)))
        chips.append("status: " + ", ".join(s.value for s in spec.statuses))
    if types:
        spec = replace(spec, types=tuple(dict.fromkeys(types)))
        chips.append("type: " + ", ".join(spec.types))
    spec = replace(spec, dataset_ids=tuple(datasets), series_ids=tuple(series))
    if free:
        spec = replace(spec, text=" ".join(free))
        chips.append(f"text: {' '.join(free)}")
    return ParsedQuery(spec, tuple(chips))


def _phrases(
    rest: str, spec: FilterSpec, chips: list[str], now_ns: int
) -> tuple[str, FilterSpec, list[str]]:
    """Multi-word constructs first (times, scores, "false positive"), cut out of the text."""
    lower = rest.lower()

    def cut(match: re.Match[str]) -> None:
        nonlocal lower
        lower = lower[: match.start()] + " " + lower[match.end() :]

    if m := re.search(r"\bfalse[ -]positives?\b", lower):
        lower = lower[: m.start()] + " fp " + lower[m.end() :]
    units = "|".join(sorted(_UNITS, key=len, reverse=True))
    if m := re.search(rf"\b(?:last|past)\s+(\d+)?\s*({units})s?\b", lower):
        seconds = int(m.group(1) or 1) * _UNITS[m.group(2)]
        spec = replace(spec, since_ns=now_ns - seconds * NS, until_ns=now_ns)
        chips.append(f"time: {m.group(0).strip()}")
        cut(m)
    elif m := re.search(r"\b(today|yesterday)\b", lower):
        day_start = now_ns - now_ns % (86400 * NS)
        start = day_start - (86400 * NS if m.group(1) == "yesterday" else 0)
        spec = replace(spec, since_ns=start, until_ns=start + 86400 * NS - 1)
        chips.append(f"time: {m.group(1)}")
        cut(m)
    if m := re.search(r"\b(?:since|after|from)\s+(\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2})?)", lower):
        spec = replace(spec, since_ns=_date_ns(m.group(1)))
        chips.append(f"since {m.group(1)}")
        cut(m)
    if m := re.search(r"\b(?:until|before|to)\s+(\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2})?)", lower):
        spec = replace(spec, until_ns=_date_ns(m.group(1)))
        chips.append(f"until {m.group(1)}")
        cut(m)
    if m := re.search(
        r"\bscore\s*(>=|>|above|over|at least)\s*(\d+(?:\.\d+)?)", lower
    ) or re.search(r"\b(above|over|at least)\s+(\d+(?:\.\d+)?)\b", lower):
        spec = replace(spec, min_score=float(m.group(2)))
        chips.append(f"score ≥ {m.group(2)}")
        cut(m)
    if m := re.search(r"\bscore\s*(<=|<|below|under)\s*(\d+(?:\.\d+)?)", lower) or re.search(
        r"\b(below|under)\s+(\d+(?:\.\d+)?)\b", lower
    ):
        spec = replace(spec, max_score=float(m.group(2)))
        chips.append(f"score ≤ {m.group(2)}")
        cut(m)
    return lower, spec, chips


def _date_ns(text: str) -> int:
    return int(
        datetime.fromisoformat(text.upper().replace("T", " ")).replace(tzinfo=UTC).timestamp() * NS
    )
