"""What the filter bar holds, as plain data: one ``FilterState`` becomes one ``FilterSpec``.

Qt-free so it is tested alone. Time presets count back from the end of the data in view, not
from the wall clock: "last 7 days of data" of a 2015 dataset is its last week. The natural
language box is an input method, not a second filter: its parse is written onto the same
state (``with_parsed``), so the controls always show what is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from anomaly_desk.model import AnomalyRow, FilterSpec, Severity, Status
from anomaly_desk.query import ParsedQuery

NS = 1_000_000_000
ALL, CUSTOM = "all", "custom"
TIME_PRESETS: tuple[tuple[str, str, int | None], ...] = (
    (ALL, "All data", None),
    ("24h", "Last 24 h of data", 86_400),
    ("7d", "Last 7 days of data", 7 * 86_400),
    ("30d", "Last 30 days of data", 30 * 86_400),
    (CUSTOM, "Custom range", None),
)
PRESET_SECONDS = {key: seconds for key, _, seconds in TIME_PRESETS}


@dataclass(frozen=True)
class FilterState:
    time_preset: str = ALL
    since_ns: int | None = None  # used when time_preset is CUSTOM
    until_ns: int | None = None
    severities: tuple[Severity, ...] = ()
    statuses: tuple[Status, ...] = ()
    types: tuple[str, ...] = ()
    dataset_ids: tuple[int, ...] = ()
    series_ids: tuple[int, ...] = ()
    min_score: float | None = None
    max_score: float | None = None
    text: str = ""
    query: str = ""  # the natural-language box, kept so a saved view shows it again

    def spec(self, data_end_ns: int | None) -> FilterSpec:
        since, until = self.time_range(data_end_ns)
        return FilterSpec(
            dataset_ids=self.dataset_ids,
            series_ids=self.series_ids,
            severities=self.severities,
            statuses=self.statuses,
            types=self.types,
            since_ns=since,
            until_ns=until,
            min_score=self.min_score if self.min_score else None,
            max_score=self.max_score
            if self.max_score is not None and self.max_score < 100
            else None,
            text=self.text.strip(),
        )

    def time_range(self, data_end_ns: int | None) -> tuple[int | None, int | None]:
        if self.time_preset == CUSTOM:
            return self.since_ns, self.until_ns
        seconds = PRESET_SECONDS.get(self.time_preset)
        if seconds is None or data_end_ns is None:
            return None, None
        return data_end_ns - seconds * NS, data_end_ns

    def with_parsed(self, parsed: ParsedQuery, query: str) -> FilterState:
        """This state with what the natural-language box understood written onto it."""
        spec = parsed.spec
        state = replace(self, query=query)
        if spec.severities:
            state = replace(state, severities=spec.severities)
        if spec.statuses:
            state = replace(state, statuses=spec.statuses)
        if spec.types:
            state = replace(state, types=spec.types)
        if spec.dataset_ids:
            state = replace(state, dataset_ids=spec.dataset_ids)
        if spec.series_ids:
            state = replace(state, series_ids=spec.series_ids)
        if spec.since_ns is not None or spec.until_ns is not None:
            state = replace(
                state, time_preset=CUSTOM, since_ns=spec.since_ns, until_ns=spec.until_ns
            )
        if spec.min_score is not None:
            state = replace(state, min_score=spec.min_score)
        if spec.max_score is not None:
            state = replace(state, max_score=spec.max_score)
        return replace(state, text=spec.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "time_preset": self.time_preset,
            "since_ns": self.since_ns,
            "until_ns": self.until_ns,
            "severities": [s.value for s in self.severities],
            "statuses": [s.value for s in self.statuses],
            "types": list(self.types),
            "dataset_ids": list(self.dataset_ids),
            "series_ids": list(self.series_ids),
            "min_score": self.min_score,
            "max_score": self.max_score,
            "text": self.text,
            "query": self.query,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FilterState:
        preset = str(data.get("time_preset", ALL))
        return cls(
            time_preset=preset if preset in PRESET_SECONDS else ALL,
            since_ns=_int_or_none(data.get("since_ns")),
            until_ns=_int_or_none(data.get("until_ns")),
            severities=tuple(Severity(s) for s in data.get("severities", ())),
            statuses=tuple(Status(s) for s in data.get("statuses", ())),
            types=tuple(str(t) for t in data.get("types", ())),
            dataset_ids=tuple(int(i) for i in data.get("dataset_ids", ())),
            series_ids=tuple(int(i) for i in data.get("series_ids", ())),
            min_score=_float_or_none(data.get("min_score")),
            max_score=_float_or_none(data.get("max_score")),
            text=str(data.get("text", "")),
            query=str(data.get("query", "")),
        )


@dataclass(frozen=True)
class Selection:
    """A narrowing picked on the swimlane or the timeline, applied on top of the filter bar."""

    label: str
    series_ids: tuple[int, ...] = ()
    since_ns: int | None = None
    until_ns: int | None = None

    def narrow(self, spec: FilterSpec) -> FilterSpec:
        since = (
            max(v for v in (spec.since_ns, self.since_ns) if v is not None)
            if (spec.since_ns is not None or self.since_ns is not None)
            else None
        )
        until = (
            min(v for v in (spec.until_ns, self.until_ns) if v is not None)
            if (spec.until_ns is not None or self.until_ns is not None)
            else None
        )
        series = self.series_ids or spec.series_ids
        if self.series_ids and spec.series_ids:
            series = tuple(s for s in self.series_ids if s in spec.series_ids) or (-1,)
        return replace(spec, since_ns=since, until_ns=until, series_ids=series)


def live_matches(spec: FilterSpec, row: AnomalyRow) -> bool:
    """Whether a finding not stored yet passes ``spec`` (its free text is not searched: that
    is the store's full-text index, which the finding is not in yet)."""
    checks = (
        not spec.dataset_ids or row.dataset_id in spec.dataset_ids,
        not spec.series_ids or row.series_id in spec.series_ids,
        not spec.severities or row.severity in spec.severities,
        not spec.statuses or row.status in spec.statuses,
        not spec.types or row.type in spec.types,
        spec.since_ns is None or row.end_ns >= spec.since_ns,
        spec.until_ns is None or row.start_ns <= spec.until_ns,
        spec.min_score is None or row.score >= spec.min_score,
        spec.max_score is None or row.score <= spec.max_score,
    )
    return all(checks)


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
