"""Plain data shared by every layer: no I/O, no Qt, no SQL.

Scores: every detector speaks "higher = more anomalous"; the engine maps to a 0-100 anomaly
score, and ``Severity.from_score`` turns that into the bands investigators know.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any


class DatasetKind(enum.StrEnum):
    TIMESERIES = "timeseries"
    EVENTS = "events"
    RECORDS = "records"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"
    LOW = "low"

    @classmethod
    def from_score(cls, score: float) -> Severity:
        """Bands on the 0-100 score: critical >= 75, major >= 50, minor >= 25, warning >= 3."""
        if score >= 75:
            return cls.CRITICAL
        if score >= 50:
            return cls.MAJOR
        if score >= 25:
            return cls.MINOR
        if score >= 3:
            return cls.WARNING
        return cls.LOW


class Status(enum.StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    FALSE_POSITIVE = "false_positive"


@dataclass(frozen=True)
class Mapping:
    """How the columns of a source file become a dataset.

    ``layout`` is "long" (one row per timestamp and entity) or "wide" (one column per series)
    for time series; ignored for events and records.
    """

    kind: DatasetKind
    timestamp: str | None = None
    timestamp_format: str | None = None  # strptime format, "epoch_s", "epoch_ms", or None = auto
    timezone: str = "UTC"  # applied to naive timestamps only
    entity: str | None = None
    values: tuple[str, ...] = ()
    layout: str = "long"
    fields: tuple[str, ...] = ()  # categorical fields of events / features of records

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["values"] = list(self.values)
        data["fields"] = list(self.fields)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        return cls(
            kind=DatasetKind(data["kind"]),
            timestamp=data.get("timestamp"),
            timestamp_format=data.get("timestamp_format"),
            timezone=data.get("timezone", "UTC"),
            entity=data.get("entity"),
            values=tuple(data.get("values", ())),
            layout=data.get("layout", "long"),
            fields=tuple(data.get("fields", ())),
        )


@dataclass
class SeriesReport:
    """Time hygiene of one series, as found at import."""

    name: str
    points: int
    start: datetime | None
    end: datetime | None
    step_seconds: float | None
    duplicates: int = 0
    out_of_order: int = 0
    gaps: int = 0
    missing_values: int = 0


@dataclass
class ImportReport:
    """What an import found. Kept with the dataset; nothing in it was silently fixed."""

    rows: int = 0
    columns: list[str] = field(default_factory=list)
    series: int = 0
    start: datetime | None = None
    end: datetime | None = None
    step_seconds: float | None = None
    duplicates: int = 0
    out_of_order: int = 0
    gaps: int = 0
    dst_ambiguous: int = 0
    dst_nonexistent: int = 0
    missing_values: int = 0
    non_numeric: int = 0
    notes: list[str] = field(default_factory=list)
    per_series: list[SeriesReport] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies every field of every series report,
        # 0.1 s for a thousand series, on every import.
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "per_series"}
        data["columns"] = list(self.columns)
        data["notes"] = list(self.notes)
        for key in ("start", "end"):
            data[key] = data[key].isoformat() if data[key] else None
        data["per_series"] = [
            {
                **{f.name: getattr(item, f.name) for f in fields(item)},
                "start": item.start.isoformat() if item.start else None,
                "end": item.end.isoformat() if item.end else None,
            }
            for item in self.per_series
        ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        def when(text: str | None) -> datetime | None:
            return datetime.fromisoformat(text) if text else None

        per_series = [
            SeriesReport(**{**s, "start": when(s["start"]), "end": when(s["end"])})
            for s in data.get("per_series", [])
        ]
        plain = {k: v for k, v in data.items() if k not in ("start", "end", "per_series")}
        return cls(**plain, start=when(data["start"]), end=when(data["end"]), per_series=per_series)


@dataclass(frozen=True)
class DatasetInfo:
    id: int
    name: str
    kind: DatasetKind
    source_path: str
    source_sha256: str
    mapping: Mapping
    report: ImportReport
    imported_at: datetime
    rows: int
    series_count: int


@dataclass(frozen=True)
class SeriesInfo:
    id: int
    dataset_id: int
    name: str
    entity: str | None
    value_column: str
    points: int
    start: datetime | None
    end: datetime | None
    step_seconds: float | None


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


class RuleKind(enum.StrEnum):
    DETECTION = "detection"  # an expression that raises findings (detect/rules.py)
    SUPPRESSION = "suppression"  # mutes findings like a judged false positive
    MAINTENANCE = "maintenance"  # mutes findings inside a calendar range


class Verdict(enum.StrEnum):
    CONFIRMED = "confirmed"
    FALSE_POSITIVE = "false_positive"


@dataclass(frozen=True)
class Suppression:
    """Which findings a suppression or maintenance rule mutes (they stay stored and findable).

    Every field narrows the match; ``None`` / empty means "any".
    """

    name: str
    dataset_id: int | None = None
    series_glob: str = "*"
    types: tuple[str, ...] = ()
    max_score: float | None = None
    max_deviation: float | None = None  # |actual - expected| no larger than this (same size)
    max_duration_ns: int | None = None  # no longer than this (a longer gap is another thing)
    start_ns: int | None = None  # maintenance windows: findings overlapping this range
    end_ns: int | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["types"] = list(self.types)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Suppression:
        return cls(**{**data, "types": tuple(data.get("types", ()))})


@dataclass(frozen=True)
class RuleInfo:
    id: int
    uid: str
    kind: RuleKind
    name: str
    dataset_id: int | None
    series_glob: str
    definition: dict[str, Any]
    enabled: bool
    created_at: str
    created_by: str


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the append-only, hash-chained audit log (``triage/audit.py`` hashes it).

    ``before`` / ``after`` are canonical JSON texts of the fields that changed (``None`` for a
    creation / a deletion), kept as text so the hash covers exactly the stored bytes.
    """

    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_uid: str
    before: str | None
    after: str | None
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditHead:
    """The last record of an audit chain: recorded beside the chain, in exports and in sync."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class Comment:
    """A plain-text comment on an anomaly; ``links`` are the anomaly ids it refers to (#123)."""

    id: int
    uid: str
    anomaly_id: int
    author: str
    body: str
    created_at: str
    links: tuple[int, ...] = ()


@dataclass(frozen=True)
class TriageChange:
    """What to change on one or several anomalies; ``None`` / empty / False means "leave it".

    A severity override (or clearing one) needs a ``reason``; ``triage/workflow.py`` checks it.
    """

    status: Status | None = None
    assignee: str | None = None
    unassign: bool = False
    severity: Severity | None = None
    clear_severity: bool = False
    reason: str = ""
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    starred: bool | None = None
    comment: str = ""


@dataclass(frozen=True)
class TriageResult:
    """Which anomalies a triage change altered, which it left as they were, comments added."""

    changed: tuple[int, ...]
    unchanged: tuple[int, ...]
    comments: tuple[int, ...] = ()


@dataclass(frozen=True)
class SimilarAnomaly:
    """A past anomaly like the one looked at, and how it was judged."""

    id: int
    start_ns: int
    score: float
    magnitude: float | None  # actual - expected where both are known
    status: Status
    verdict: Verdict | None
    distance: float  # 0 = same magnitude; relative difference otherwise


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class IncidentLink:
    """Why two anomalies were put in one proposal; ``strength`` is 0-1 (1 = surely related)."""

    a: int
    b: int
    strength: float
    reason: str


@dataclass(frozen=True)
class IncidentProposal:
    """Anomalies that look like one incident across series (suggested, not stored)."""

    anomaly_ids: tuple[int, ...]
    series: tuple[str, ...]
    start_ns: int
    end_ns: int
    score: float  # 0-100: the strongest member's score, discounted by how weak the links are
    title: str  # a suggested title
    links: tuple[IncidentLink, ...]  # the links that joined the members, strongest first


@dataclass(frozen=True)
class IncidentInfo:
    """A stored incident; ``anomaly_ids`` are its members (an anomaly is in at most one)."""

    id: int
    uid: str
    title: str
    status: IncidentStatus
    summary: str
    created_at: str
    created_by: str
    updated_at: str
    anomaly_ids: tuple[int, ...]
    start_ns: int | None  # the members' span (None while it has none)
    end_ns: int | None


@dataclass(frozen=True)
class Annotation:
    """A note on a time range of one series, or of a whole dataset when ``series_id`` is None."""

    id: int
    uid: str
    dataset_id: int
    series_id: int | None
    start_ns: int
    end_ns: int
    text: str
    created_at: str
    created_by: str
