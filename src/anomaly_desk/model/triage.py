"""Judging anomalies: rules, verdicts, the audit log, comments, incidents, annotations."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

from anomaly_desk.model.datasets import Severity, Status


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
    # 0-100, the group's strength (triage/incidents.py): 100 x corroboration (geometric mean of
    # the best scores of its two strongest series, /100) x relation (mean strength of the links)
    # x novelty (1 / (1 + other occasions these series were unusual together)). Groups below
    # MIN_STRENGTH (40) are not proposed.
    score: float
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
