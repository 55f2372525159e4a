"""Anomalies as stored and shown: rows, filters, sorting, runs, the swimlane."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from anomaly_desk.model.datasets import Severity, Status


class AnomalyType(enum.StrEnum):
    SPIKE = "spike"
    DIP = "dip"
    LEVEL_SHIFT = "level_shift"
    TREND = "trend"
    VARIANCE = "variance"
    FLATLINE = "flatline"
    GAP = "gap"
    SEASONAL_BREAK = "seasonal_break"
    OUTLIER_RECORD = "outlier_record"
    NEW_EDGE = "new_edge"
    RULE = "rule"
    CORRELATION_BREAK = "correlation_break"


@dataclass(frozen=True)
class FilterSpec:
    """Which anomalies to show; empty fields mean "any". Shared by table, CLI and saved views."""

    dataset_ids: tuple[int, ...] = ()
    series_ids: tuple[int, ...] = ()
    severities: tuple[Severity, ...] = ()
    statuses: tuple[Status, ...] = ()
    types: tuple[str, ...] = ()
    since_ns: int | None = None
    until_ns: int | None = None
    min_score: float | None = None
    max_score: float | None = None
    text: str = ""
    include_suppressed: bool = False
    # Only the latest run of each dataset, plus anything already judged or triaged (an
    # analyst's work never disappears because detection ran again).
    latest_only: bool = True
    run_ids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("dataset_ids", "series_ids", "severities", "statuses", "types", "run_ids"):
            data[key] = [str(v) if isinstance(v, enum.Enum) else v for v in data[key]]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FilterSpec:
        return cls(
            dataset_ids=tuple(data.get("dataset_ids", ())),
            series_ids=tuple(data.get("series_ids", ())),
            severities=tuple(Severity(s) for s in data.get("severities", ())),
            statuses=tuple(Status(s) for s in data.get("statuses", ())),
            types=tuple(data.get("types", ())),
            since_ns=data.get("since_ns"),
            until_ns=data.get("until_ns"),
            min_score=data.get("min_score"),
            max_score=data.get("max_score"),
            text=data.get("text", ""),
            include_suppressed=data.get("include_suppressed", False),
            latest_only=data.get("latest_only", True),
            run_ids=tuple(data.get("run_ids", ())),
        )


SORTABLE_COLUMNS = (
    "score",
    "severity",
    "start",
    "duration",
    "series",
    "type",
    "status",
    "assignee",
    "summary",
)


@dataclass(frozen=True)
class SortSpec:
    column: str = "score"
    descending: bool = True


@dataclass(frozen=True)
class AnomalyRow:
    """One anomaly as a table shows it."""

    id: int
    uid: str
    dataset: str
    series: str | None
    entity: str | None
    type: str
    start_ns: int
    end_ns: int
    peak_ns: int
    score: float
    severity: Severity
    status: Status
    assignee: str | None
    tags: tuple[str, ...]
    summary: str
    actual: float | None
    expected: float | None
    band_low: float | None
    band_high: float | None
    starred: bool
    score_at_triage: float | None = None
    series_id: int | None = None
    dataset_id: int = 0
    verdict: str | None = None  # "confirmed" / "false_positive" once an analyst judged it
    detected_severity: Severity | None = None  # what the score said, before any override

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


@dataclass(frozen=True)
class NewAnomaly:
    """A finding on its way into the workspace (from a detection run)."""

    type: str
    start_ns: int
    end_ns: int
    peak_ns: int
    score: float  # 0-100
    series_id: int | None = None
    entity: str | None = None
    actual: float | None = None
    expected: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    summary: str = ""
    explanation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DetectionRunInfo:
    id: int
    uid: str
    dataset_id: int
    preset: str
    config: dict[str, Any]
    versions: dict[str, Any]
    seed: int
    input_sha256: str
    started_at: str
    finished_at: str | None
    anomaly_count: int


@dataclass(frozen=True)
class NewRun:
    """What a detection run records so it can be explained and repeated."""

    dataset_id: int
    preset: str
    config: dict[str, Any]
    versions: dict[str, Any]
    seed: int
    input_sha256: str


@dataclass(frozen=True)
class Swimlane:
    """The highest anomaly score per lane (series or entity) per time bucket.

    ``scores[i][j]`` is lane ``i`` in bucket ``j`` (0.0 where nothing was found); bucket ``j``
    covers ``[start_ns + j * width_ns, start_ns + (j + 1) * width_ns)``.
    """

    lanes: tuple[str, ...]
    lane_series_ids: tuple[int | None, ...]
    start_ns: int
    width_ns: int
    scores: tuple[tuple[float, ...], ...]
