"""Qt-free triage work the window runs in workers: change anomalies, re-read what changed.

Every function takes ``(progress, ws, ...)`` and returns plain data; the store does the
checking (``triage.workflow``) and raises ``TransitionRefused`` / ``BadInputError``, which the
job runner hands to the notification manager. A change returns the touched anomalies re-read
as ``TableRow`` so the table can replace them in place (no reset: selection and scroll stay).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from anomaly_desk.gui.anomaly_tasks import TableRow, table_row
from anomaly_desk.model import (
    AnomalyRow,
    AuditRecord,
    Comment,
    SimilarAnomaly,
    Status,
    Suppression,
    TriageChange,
    TriageResult,
    Verdict,
)
from anomaly_desk.progress import Progress
from anomaly_desk.triage.workflow import TransitionRefused, allowed

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

SIMILAR_LIMIT = 8


@dataclass(frozen=True)
class Proposal:
    """A suppression offered after a false positive, with how many anomalies it would hide."""

    rule: Suppression
    would_hide: int


@dataclass(frozen=True)
class Applied:
    """What a triage action did: the store's answer and the touched rows as stored now."""

    ids: tuple[int, ...]
    result: TriageResult | None
    rows: tuple[TableRow, ...]
    proposals: tuple[Proposal, ...] = ()


def status_path(src: Status, dst: Status) -> tuple[Status, ...] | None:
    """The steps from ``src`` to ``dst`` a one-key action may take; None when refused.

    A ``new`` anomaly may only become ``triaged`` (someone looked at it); closing it as a false
    positive with one key is that look plus the judgement, so it goes through ``triaged``.
    """
    if src == dst:
        return ()
    if allowed(src, dst):
        return (dst,)
    if src is Status.NEW and allowed(Status.TRIAGED, dst):
        return (Status.TRIAGED, dst)
    return None


def reread(ws: Workspace, ids: Sequence[int]) -> tuple[TableRow, ...]:
    return tuple(table_row(ws.anomaly(i)[0]) for i in ids)


def _rows(ws: Workspace, ids: Sequence[int]) -> list[AnomalyRow]:
    return [ws.anomaly(i)[0] for i in ids]


def apply_change(
    progress: Progress, ws: Workspace, ids: tuple[int, ...], change: TriageChange, actor: str
) -> Applied:
    """One ``Workspace.triage`` call: all the anomalies in one transaction, or none."""
    progress.check()
    result = ws.triage(ids, change, actor)
    return Applied(ids, result, reread(ws, ids))


def confirm(progress: Progress, ws: Workspace, ids: tuple[int, ...], actor: str) -> Applied:
    """Verdict "confirmed" on every anomaly; the new ones become triaged."""
    progress.check()
    new = [r.id for r in _rows(ws, ids) if r.status is Status.NEW]
    result = ws.triage(new, TriageChange(status=Status.TRIAGED), actor) if new else None
    for anomaly_id in ids:
        ws.set_verdict(anomaly_id, Verdict.CONFIRMED, actor)
    return Applied(ids, result, reread(ws, ids))


def false_positive(progress: Progress, ws: Workspace, ids: tuple[int, ...], actor: str) -> Applied:
    """Verdict and status "false positive" on every anomaly, then the suppressions to offer
    for the first one (the row the user was on).

    Every anomaly's path is checked before anything is written, so a refused one (a resolved
    anomaly must be reopened first) leaves all of them as they were.
    """
    progress.check()
    rows = _rows(ws, ids)
    for row in rows:
        if status_path(row.status, Status.FALSE_POSITIVE) is None:
            raise TransitionRefused(row.id, row.status, Status.FALSE_POSITIVE)
    new = [r.id for r in rows if r.status is Status.NEW]
    if new:
        ws.triage(new, TriageChange(status=Status.TRIAGED), actor)
    result = ws.triage(ids, TriageChange(status=Status.FALSE_POSITIVE), actor)
    for anomaly_id in ids:
        ws.set_verdict(anomaly_id, Verdict.FALSE_POSITIVE, actor)
    progress.check()
    return Applied(ids, result, reread(ws, ids), proposals(ws, rows[0]))


def proposals(ws: Workspace, row: AnomalyRow) -> tuple[Proposal, ...]:
    from anomaly_desk.detect.feedback import propose_suppressions  # sklearn: workers only

    return tuple(Proposal(rule, ws.preview_suppression(rule)) for rule in propose_suppressions(row))


def preview(progress: Progress, ws: Workspace, rule: Suppression) -> Proposal:
    progress.check()
    return Proposal(rule, ws.preview_suppression(rule))


def accept_suppression(
    progress: Progress, ws: Workspace, rule: Suppression, name: str, actor: str
) -> tuple[int, int]:
    """Store the rule under ``name`` and mute what it matches: (rule id, anomalies muted)."""
    progress.check()
    return ws.add_suppression(replace(rule, name=name.strip() or rule.name), actor)


# -- the detail pane's triage section -------------------------------------------------------


@dataclass(frozen=True)
class TriageInfo:
    """Comments, mentions elsewhere, history and similar past anomalies of one anomaly."""

    anomaly_id: int
    comments: tuple[Comment, ...] = ()
    mentions: tuple[Comment, ...] = ()
    history: tuple[AuditRecord, ...] = ()
    similar: tuple[SimilarAnomaly, ...] = ()


def triage_info(ws: Workspace, anomaly_id: int) -> TriageInfo:
    return TriageInfo(
        anomaly_id,
        tuple(ws.comments(anomaly_id)),
        tuple(c for c in ws.mentions(anomaly_id) if c.anomaly_id != anomaly_id),
        tuple(ws.history(anomaly_id)),
        tuple(ws.similar_anomalies(anomaly_id, SIMILAR_LIMIT)),
    )


def load_triage_info(progress: Progress, ws: Workspace, anomaly_id: int) -> TriageInfo:
    progress.check()
    return triage_info(ws, anomaly_id)


def add_comment(
    progress: Progress, ws: Workspace, anomaly_id: int, body: str, actor: str
) -> TriageInfo:
    progress.check()
    ws.add_comment(anomaly_id, body, actor)
    return triage_info(ws, anomaly_id)
