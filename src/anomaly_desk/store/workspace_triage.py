"""Triage and the audit chain: the reading and writing ``Workspace`` does for them.

Every change goes through ``triage.workflow`` (so every caller is held to the lifecycle) and
leaves one audit record per object changed, in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from sqlalchemy import Connection

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.model import (
    AuditHead,
    AuditRecord,
    Comment,
    SimilarAnomaly,
    Status,
    TriageChange,
    TriageResult,
)
from anomaly_desk.store import triage_repo
from anomaly_desk.store.triage_audit import (
    AuditTrail,
    anomaly_history,
    iter_records,
    recorded_head,
)
from anomaly_desk.store.triage_similar import similar_to
from anomaly_desk.store.workspace_base import WorkspaceBase, utc_now
from anomaly_desk.triage import audit, workflow
from anomaly_desk.triage.audit import Action, ObjectType
from anomaly_desk.triage.mentions import references


class TriageMixin(WorkspaceBase):
    def triage(self, anomaly_ids: Sequence[int], change: TriageChange, actor: str) -> TriageResult:
        """Apply ``change`` to every anomaly in ``anomaly_ids`` in ONE transaction.

        All or nothing: an unknown id (``WorkspaceError``) or a status change the lifecycle
        refuses for any one of them (``workflow.TransitionRefused``, naming the anomaly, from
        and to) changes none. One audit record per anomaly changed (and per comment added);
        anomalies the change would leave as they are get no record.
        """
        change = workflow.normalized(change)
        actor = workflow.clean_text("actor", actor, workflow.MAX_NAME, single_line=True)
        ids = list(dict.fromkeys(anomaly_ids))
        if not ids:
            raise BadInputError("triage", "no anomalies given")
        with self._write() as conn:
            found = triage_repo.states(conn, ids)
            self._require(ids, found)
            # Plan everything first: a refused transition stops the change before any write.
            plans = [(i, *workflow.plan(i, found[i][1], change)) for i in ids]
            changed = [p for p in plans if p[2]]
            now = utc_now()
            triage_repo.apply(conn, changed, now)
            linked = self._links(conn, change.comment)
            comments = triage_repo.add_comments(
                conn, ids if change.comment else [], actor, change.comment, now, list(linked)
            )
            with AuditTrail(conn, actor, now) as trail:
                for anomaly_id, before, after in changed:
                    uid = found[anomaly_id][0]
                    trail.record(Action.UPDATE, ObjectType.ANOMALY, uid, before, after)
                for comment in comments:
                    fields = {
                        "anomaly": found[comment.anomaly_id][0],
                        "body": comment.body,
                        "links": [linked[i] for i in comment.links],
                    }
                    trail.record(Action.CREATE, ObjectType.COMMENT, comment.uid, None, fields)
        done = {p[0] for p in changed}
        return TriageResult(
            tuple(i for i in ids if i in done),
            tuple(i for i in ids if i not in done),
            tuple(c.id for c in comments),
        )

    def set_status(self, anomaly_id: int, status: Status, actor: str) -> TriageResult:
        return self.triage([anomaly_id], TriageChange(status=status), actor)

    def add_comment(self, anomaly_id: int, body: str, actor: str) -> Comment:
        """A plain-text comment; ``#123`` mentions of existing anomalies are stored as links."""
        body = workflow.clean_text("comment", body)  # a blank one is an error, not "no change"
        result = self.triage([anomaly_id], TriageChange(comment=body), actor)
        return next(c for c in self.comments(anomaly_id) if c.id == result.comments[0])

    def comments(self, anomaly_id: int) -> list[Comment]:
        """Comments on one anomaly, oldest first."""
        with self._read() as conn:
            self._require([anomaly_id], triage_repo.existing(conn, [anomaly_id]))
            return triage_repo.list_comments(conn, anomaly_id=anomaly_id)

    def mentions(self, anomaly_id: int) -> list[Comment]:
        """Comments on other anomalies that mention this one (``#id``), oldest first."""
        with self._read() as conn:
            return triage_repo.list_comments(conn, mentioning=anomaly_id)

    def history(self, anomaly_id: int) -> list[AuditRecord]:
        """The audit records of one anomaly and of its comments, oldest first."""
        with self._read() as conn:
            found = triage_repo.existing(conn, [anomaly_id])
            self._require([anomaly_id], found)
            return anomaly_history(conn, anomaly_id, found[anomaly_id])

    def similar_anomalies(self, anomaly_id: int, limit: int = 10) -> list[SimilarAnomaly]:
        """Past anomalies on the same series / entity, of the same type and a similar size,
        with how they were judged: a recurring false alarm shows at a glance."""
        with self._read() as conn:
            self._require([anomaly_id], triage_repo.existing(conn, [anomaly_id]))
            return similar_to(conn, anomaly_id, limit)

    def audit_head(self) -> AuditHead | None:
        """The last record of the audit chain as recorded beside it (None: no records yet)."""
        with self._read() as conn:
            text = recorded_head(conn)
        return None if text is None else audit.parse_head(text)

    def audit_records(self, after_seq: int = 0, limit: int = 10_000) -> list[AuditRecord]:
        """Up to ``limit`` records of the chain after ``after_seq``, in order (for exports)."""
        with self._read() as conn:
            records = iter_records(conn, after_seq)
            return [rec for _, rec in zip(range(limit), records, strict=False)]

    def verify_audit(self, anchor: AuditHead | None = None) -> audit.Verification:
        """Check the whole chain against its recorded head (and an ``anchor`` kept elsewhere,
        such as the head printed in an export); names the first bad record and why."""
        with self._read() as conn:
            return audit.verify(iter_records(conn), recorded_head(conn), anchor)

    # -- helpers ------------------------------------------------------------------------

    def _require(self, ids: Sequence[int], found: Container[int]) -> None:
        missing = [i for i in ids if i not in found]
        if missing:
            shown = ", ".join(str(i) for i in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            noun = "anomaly" if len(missing) == 1 else "anomalies"
            raise WorkspaceError(f"no {noun} with id {shown}{more} in {self.path}")

    @staticmethod
    def _links(conn: Connection, body: str) -> dict[int, str]:
        # Only mentions of anomalies that exist become links ("#5" may mean something else).
        if not body:
            return {}
        return triage_repo.existing(conn, references(body))
