"""Plain data shared by every layer: no I/O, no Qt, no SQL.

Scores: every detector speaks "higher = more anomalous"; the engine maps to a 0-100 anomaly
score, and ``Severity.from_score`` turns that into the bands investigators know.

The names live in three modules by concern (datasets, anomalies, triage) and are all
importable from here.
"""

from anomaly_desk.model.anomalies import (
    SORTABLE_COLUMNS,
    AnomalyRow,
    AnomalyType,
    DetectionRunInfo,
    FilterSpec,
    NewAnomaly,
    NewRun,
    SortSpec,
    Swimlane,
)
from anomaly_desk.model.datasets import (
    DatasetInfo,
    DatasetKind,
    ImportReport,
    Mapping,
    SeriesInfo,
    SeriesReport,
    Severity,
    Status,
)
from anomaly_desk.model.triage import (
    Annotation,
    AuditHead,
    AuditRecord,
    Comment,
    IncidentInfo,
    IncidentLink,
    IncidentProposal,
    IncidentStatus,
    RuleInfo,
    RuleKind,
    SimilarAnomaly,
    Suppression,
    TriageChange,
    TriageResult,
    Verdict,
)

__all__ = [
    "SORTABLE_COLUMNS",
    "Annotation",
    "AnomalyRow",
    "AnomalyType",
    "AuditHead",
    "AuditRecord",
    "Comment",
    "DatasetInfo",
    "DatasetKind",
    "DetectionRunInfo",
    "FilterSpec",
    "ImportReport",
    "IncidentInfo",
    "IncidentLink",
    "IncidentProposal",
    "IncidentStatus",
    "Mapping",
    "NewAnomaly",
    "NewRun",
    "RuleInfo",
    "RuleKind",
    "SeriesInfo",
    "SeriesReport",
    "Severity",
    "SimilarAnomaly",
    "SortSpec",
    "Status",
    "Suppression",
    "Swimlane",
    "TriageChange",
    "TriageResult",
    "Verdict",
]
