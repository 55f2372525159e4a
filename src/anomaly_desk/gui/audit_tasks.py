"""Qt-free reading of the audit log for the audit view and the detail pane's history.

``describe`` turns one record's before/after JSON into a line a person reads ("status: new →
triaged"); the audit view and the history list both use it, so they always agree.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from anomaly_desk.model import AuditRecord
from anomaly_desk.progress import Progress

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace
    from anomaly_desk.triage.audit import Verification

PAGE = 10_000  # records read per round trip while filtering the whole log
MAX_SHOWN = 5_000  # the newest matches kept: the view is for looking, exports are for all
FIELD_ORDER = ("status", "assignee", "severity_override", "starred", "tags", "score_at_triage")
LABELS = {"severity_override": "severity", "score_at_triage": "score at triage"}
SHORT_BODY = 80


def _load(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def _value(value: Any) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SHORT_BODY else line[: SHORT_BODY - 1] + "…"


def describe(record: AuditRecord) -> str:
    """What a record changed, in one line."""
    before, after = _load(record.before), _load(record.after)
    if record.object_type == "comment":
        return f"commented: {_short(str(after.get('body', '')))}"
    if record.object_type == "rule":
        rule = after or before
        muted = f", muted {after['muted']}" if after.get("muted") else ""
        return f"{record.action} {rule.get('kind', 'rule')} rule {rule.get('name', '')!r}{muted}"
    keys = [k for k in (set(before) | set(after)) if k != "reason"]
    keys.sort(key=lambda k: (FIELD_ORDER.index(k) if k in FIELD_ORDER else len(FIELD_ORDER), k))
    parts = [f"{LABELS.get(k, k)}: {_value(before.get(k))} → {_value(after.get(k))}" for k in keys]
    if after.get("reason"):
        parts.append(f"reason: {after['reason']}")
    return "; ".join(parts) or record.action


def when_text(at: str) -> str:
    """The record's UTC time as the table shows it ("2024-05-01 12:34:56")."""
    return at[:19].replace("T", " ")


@dataclass(frozen=True)
class AuditQuery:
    """Which records to show; empty fields mean "any". ``since`` / ``until``: UTC datetimes."""

    anomaly_id: int | None = None
    actor: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def matches(self, record: AuditRecord) -> bool:
        if self.actor and self.actor.casefold() not in record.actor.casefold():
            return False
        at = datetime.fromisoformat(record.at)
        if self.since is not None and at < self.since:
            return False
        return self.until is None or at <= self.until


@dataclass(frozen=True)
class AuditRow:
    """One record as the audit table shows it, all text but the sequence number."""

    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_uid: str
    change: str


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]  # newest first
    matched: int  # all matches, of which the newest MAX_SHOWN are in rows


def audit_row(record: AuditRecord) -> AuditRow:
    return AuditRow(
        record.seq,
        when_text(record.at),
        record.actor,
        record.action,
        record.object_type,
        record.object_uid,
        describe(record),
    )


def load_audit(progress: Progress, ws: Workspace, query: AuditQuery) -> AuditPage:
    """The newest records matching ``query``: one anomaly's history, or a walk of the log."""
    if query.anomaly_id is not None:
        records = [r for r in ws.history(query.anomaly_id) if query.matches(r)]
        return AuditPage(tuple(audit_row(r) for r in reversed(records[-MAX_SHOWN:])), len(records))
    kept: deque[AuditRecord] = deque(maxlen=MAX_SHOWN)
    matched, after = 0, 0
    while True:
        progress.check()  # between pages: a new filter cancels a long walk
        page = ws.audit_records(after, PAGE)
        for record in page:
            if query.matches(record):
                matched += 1
                kept.append(record)
        if len(page) < PAGE:
            break
        after = page[-1].seq
    return AuditPage(tuple(audit_row(r) for r in reversed(kept)), matched)


def verify_chain(progress: Progress, ws: Workspace) -> Verification:
    progress.update(0.0, "verifying the audit chain")
    return ws.verify_audit()
