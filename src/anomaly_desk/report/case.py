"""What a case report holds, gathered from a workspace: plain data, no HTML, no PDF.

A case is a list of anomaly ids with an optional title and summary, so a selection made with a
filter and an incident (its member anomalies, its name and description) give the same report.
Everything the report says is read here, once, in the order it is shown.
"""

from __future__ import annotations

import getpass
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from anomaly_desk import __version__
from anomaly_desk.errors import BadInputError
from anomaly_desk.model import (
    AnomalyRow,
    AuditHead,
    AuditRecord,
    Comment,
    DatasetInfo,
    DetectionRunInfo,
    FilterSpec,
    Severity,
    SortSpec,
    Status,
)
from anomaly_desk.progress import Progress, silent
from anomaly_desk.report.context import Context, ContextReader

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class CaseAnomaly:
    row: AnomalyRow
    explanation: dict[str, Any]
    context: Context
    history: tuple[AuditRecord, ...]
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class ChainState:
    """The workspace's audit chain as checked at export time."""

    head: AuditHead | None
    records: int
    intact: bool
    problem: str = ""


@dataclass(frozen=True)
class Case:
    title: str
    summary: str
    author: str
    generated_at: datetime
    app_version: str
    workspace: str
    anomalies: tuple[CaseAnomaly, ...]
    audit: tuple[AuditRecord, ...]  # every record of these anomalies and their comments
    chain: ChainState
    datasets: tuple[DatasetInfo, ...]
    runs: tuple[DetectionRunInfo, ...]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def span(self) -> tuple[int, int] | None:
        if not self.anomalies:
            return None
        return (
            min(a.row.start_ns for a in self.anomalies),
            max(a.row.end_ns for a in self.anomalies),
        )


def select_ids(
    ws: Workspace,
    ids: tuple[int, ...] = (),
    spec: FilterSpec | None = None,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[int], int]:
    """The anomalies a report covers: ``ids`` as given, else the strongest ``limit`` matches of
    ``spec``. Returns (ids, how many matched in all) so a caller can say what was left out."""
    if ids:
        for anomaly_id in ids:
            ws.anomaly(anomaly_id)  # an unknown id is a WorkspaceError naming it
        return list(dict.fromkeys(ids)), len(set(ids))
    spec = spec or FilterSpec()
    rows, _ = ws.anomalies(spec, SortSpec("score", descending=True), None, limit)
    return [r.id for r in rows], ws.count_anomalies(spec)


def build_case(
    ws: Workspace,
    ids: list[int] | tuple[int, ...],
    *,
    title: str | None = None,
    summary: str = "",
    author: str | None = None,
    progress: Progress | None = None,
) -> Case:
    """Read everything a report of ``ids`` shows. Anomalies come in time order (a case reads
    as a chronology); ``author`` defaults to the OS user."""
    progress = progress or silent()
    if not ids:
        raise BadInputError("report", "no anomalies selected (give ids or a filter that matches)")
    reader = ContextReader(ws)
    found: list[CaseAnomaly] = []
    for i, anomaly_id in enumerate(dict.fromkeys(ids)):
        progress.check()
        row, explanation = ws.anomaly(anomaly_id)
        found.append(
            CaseAnomaly(
                row,
                explanation,
                reader.around(row),
                tuple(ws.history(anomaly_id)),
                tuple(ws.comments(anomaly_id)),
            )
        )
        progress.update((i + 1) / len(ids), "reading anomalies")
    found.sort(key=lambda a: (a.row.start_ns, a.row.id))
    audit = {rec.seq: rec for a in found for rec in a.history}
    dataset_ids = {a.row.dataset_id for a in found}
    runs = [r for r in ws.detection_runs() if r.dataset_id in dataset_ids]
    return Case(
        title=title or _default_title(found),
        summary=summary,
        author=author or _os_user(),
        generated_at=datetime.now(UTC).replace(microsecond=0),
        app_version=__version__,
        workspace=str(ws.path),
        anomalies=tuple(found),
        audit=tuple(audit[s] for s in sorted(audit)),
        chain=_chain_state(ws),
        datasets=tuple(d for d in ws.datasets() if d.id in dataset_ids),
        runs=tuple(_runs_used(ws, runs, {a.row.id for a in found})),
        counts=_counts([a.row for a in found]),
    )


def _default_title(found: list[CaseAnomaly]) -> str:
    names = sorted({a.row.dataset for a in found})
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    noun = "anomaly" if len(found) == 1 else "anomalies"
    return f"{len(found)} {noun} in {shown}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers and services
        return "unknown"


def _chain_state(ws: Workspace) -> ChainState:
    check = ws.verify_audit()
    problem = "" if check.first_bad is None else check.first_bad.describe()
    # The head is taken from the walk, not the recorded value: it is what the records prove.
    head = check.head if check.ok else ws.audit_head()
    return ChainState(head, check.records, check.ok, problem)


def _runs_used(
    ws: Workspace, runs: list[DetectionRunInfo], anomaly_ids: set[int]
) -> list[DetectionRunInfo]:
    """The runs that found these anomalies. ``Workspace.anomaly`` does not say which run found
    one, so each run's anomalies are paged through (keyset pages: cheap even for big runs)."""
    used: list[DetectionRunInfo] = []
    for run in runs:
        spec = FilterSpec(run_ids=(run.id,), latest_only=False, include_suppressed=True)
        after = None
        while True:
            rows, after = ws.anomalies(spec, SortSpec("start", False), after, 10_000)
            if any(r.id in anomaly_ids for r in rows):
                used.append(run)
                break
            if after is None:
                break
    return used


def _counts(rows: list[AnomalyRow]) -> dict[str, dict[str, int]]:
    severity = Counter(r.severity for r in rows)
    status = Counter(r.status for r in rows)
    return {
        "severity": {s.value: severity[s] for s in Severity if severity[s]},
        "status": {s.value: status[s] for s in Status if status[s]},
        "type": dict(sorted(Counter(r.type for r in rows).items(), key=lambda kv: -kv[1])),
    }
