"""Datasets as imported: kinds, mappings, import reports, the severity and status scales."""

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
