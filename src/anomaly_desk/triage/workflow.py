"""The triage lifecycle and what a triage change does to one anomaly. Pure: no I/O, no SQL.

::

    new ──> triaged ──> investigating ──> resolved | false_positive
               └────────────────────────> resolved | false_positive
    resolved | false_positive ──> triaged | investigating              (reopen)

``TRANSITIONS`` is the one table of allowed status changes; the store calls ``plan`` for every
change, so the GUI, the CLI and sync are held to the same rules. An anomaly goes from ``new``
to ``triaged`` only (someone looked at it); a triaged anomaly may be closed without an
investigation (a plain false alarm should not need a made-up "investigating" step in the audit
log). Setting the status an anomaly already has is not a change and records nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from anomaly_desk.errors import BadInputError
from anomaly_desk.model import Status, TriageChange

S = Status
TRANSITIONS: Mapping[Status, frozenset[Status]] = MappingProxyType(
    {
        S.NEW: frozenset({S.TRIAGED}),
        S.TRIAGED: frozenset({S.INVESTIGATING, S.RESOLVED, S.FALSE_POSITIVE}),
        S.INVESTIGATING: frozenset({S.RESOLVED, S.FALSE_POSITIVE}),
        S.RESOLVED: frozenset({S.TRIAGED, S.INVESTIGATING}),
        S.FALSE_POSITIVE: frozenset({S.TRIAGED, S.INVESTIGATING}),
    }
)

# The anomaly columns a triage change may write; anything else in a plan is annotation.
COLUMNS = frozenset({"status", "assignee", "severity_override", "starred", "score_at_triage"})

MAX_NAME = 100  # assignees, tags
MAX_TEXT = 20_000  # comments, reasons
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def allowed(src: Status, dst: Status) -> bool:
    return dst in TRANSITIONS[src]


class TransitionRefused(BadInputError):
    """A status change the lifecycle does not allow; nothing was changed."""

    def __init__(self, anomaly_id: int, src: Status, dst: Status) -> None:
        self.anomaly_id = anomaly_id
        self.src = src
        self.dst = dst
        targets = ", ".join(sorted(TRANSITIONS[src])) or "nothing"
        super().__init__(
            f"anomaly {anomaly_id}",
            f"cannot change status from {src} to {dst} (from {src} it can go to {targets})",
        )


def check_transition(anomaly_id: int, src: Status, dst: Status) -> None:
    if src != dst and not allowed(src, dst):
        raise TransitionRefused(anomaly_id, src, dst)


@dataclass(frozen=True)
class TriageState:
    """The triage fields of one anomaly as stored."""

    status: Status
    assignee: str | None
    severity_override: str | None
    starred: bool
    tags: frozenset[str]
    score: float
    score_at_triage: float | None


def clean_text(what: str, text: str, limit: int = MAX_TEXT, single_line: bool = False) -> str:
    """``text`` trimmed, or BadInputError: empty, too long, control characters, not UTF-8."""
    text = text.strip()
    if not text:
        raise BadInputError(what, "must not be empty")
    if len(text) > limit:
        raise BadInputError(what, f"is {len(text)} characters long; the limit is {limit}")
    if single_line and ("\n" in text or "\t" in text or _CONTROL.search(text)):
        raise BadInputError(what, "must be one line without control characters")
    if _CONTROL.search(text):
        raise BadInputError(what, "contains control characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInputError(what, "is not valid Unicode text") from None
    return text


def normalized(change: TriageChange) -> TriageChange:
    """``change`` with its text cleaned, or BadInputError saying what is wrong with it."""
    if change.assignee is not None and change.unassign:
        raise BadInputError("triage", "assign or unassign, not both")
    if change.severity is not None and change.clear_severity:
        raise BadInputError("triage", "set a severity or clear it, not both")
    severity_change = change.severity is not None or change.clear_severity
    reason = change.reason.strip()
    if severity_change and not reason:
        raise BadInputError("triage", "a severity override needs a reason (--reason)")
    add = tuple(dict.fromkeys(clean_text("tag", t, MAX_NAME, True) for t in change.add_tags))
    remove = tuple(dict.fromkeys(clean_text("tag", t, MAX_NAME, True) for t in change.remove_tags))
    both = set(add) & set(remove)
    if both:
        raise BadInputError("triage", f"tag {sorted(both)[0]!r} is both added and removed")
    assignee = change.assignee
    if assignee is not None:
        assignee = clean_text("assignee", assignee, MAX_NAME, True)
    comment = clean_text("comment", change.comment) if change.comment.strip() else ""
    cleaned = replace(
        change,
        assignee=assignee,
        reason=clean_text("reason", reason) if reason else "",
        add_tags=add,
        remove_tags=remove,
        comment=comment,
    )
    if not (
        cleaned.status is not None
        or assignee is not None
        or cleaned.unassign
        or severity_change
        or add
        or remove
        or cleaned.starred is not None
        or comment
    ):
        raise BadInputError(
            "triage",
            "nothing to change: give a status, assignee, severity, tags, star or comment",
        )
    return cleaned


def plan(
    anomaly_id: int, state: TriageState, change: TriageChange
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the fields ``change`` alters on this anomaly; both empty: no change.

    Raises ``TransitionRefused`` for a status change the lifecycle does not allow. ``after``
    may carry ``reason`` (why), which is recorded but is not a column.
    """
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}

    def put(name: str, old: Any, new: Any) -> None:
        if old != new:
            before[name] = old
            after[name] = new

    if change.status is not None:
        check_transition(anomaly_id, state.status, change.status)
        put("status", state.status.value, change.status.value)
        # The score at triage: taken once, when the anomaly first leaves "new".
        leaves_new = state.status is Status.NEW and change.status is not Status.NEW
        if leaves_new and state.score_at_triage is None:
            put("score_at_triage", None, state.score)
    if change.assignee is not None or change.unassign:
        put("assignee", state.assignee, change.assignee)
    if change.severity is not None or change.clear_severity:
        target = None if change.severity is None else change.severity.value
        put("severity_override", state.severity_override, target)
    if change.starred is not None:
        put("starred", state.starred, change.starred)
    tags = (state.tags | set(change.add_tags)) - set(change.remove_tags)
    put("tags", sorted(state.tags), sorted(tags))
    if after and change.reason:
        after["reason"] = change.reason
    return before, after
