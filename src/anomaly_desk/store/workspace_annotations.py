"""Annotations: an analyst's notes on a time range of a series or of a whole dataset.

The timeline shows them beside the anomalies. Adding and deleting one is one transaction with
its audit record (object type "annotation"); the record names the dataset and series, so the
log reads without the workspace at hand.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.model import Annotation
from anomaly_desk.store import schema
from anomaly_desk.store.triage_audit import AuditTrail
from anomaly_desk.store.workspace_base import WorkspaceBase, utc_now
from anomaly_desk.triage import workflow
from anomaly_desk.triage.audit import Action, ObjectType

t = schema.annotation_table
s = schema.series
d = schema.datasets


class AnnotationsMixin(WorkspaceBase):
    def add_annotation(
        self,
        text: str,
        start_ns: int,
        end_ns: int,
        actor: str,
        *,
        series_id: int | None = None,
        dataset_id: int | None = None,
    ) -> Annotation:
        """A note on ``[start_ns, end_ns]`` of one series, or of a dataset (give one of them)."""
        text = workflow.clean_text("annotation", text)
        actor = workflow.clean_text("actor", actor, workflow.MAX_NAME, single_line=True)
        if (series_id is None) == (dataset_id is None):
            raise BadInputError("annotation", "give a series or a dataset, not both or neither")
        if end_ns < start_ns:
            raise BadInputError("annotation", "its end is before its start")
        with self._write() as conn:
            dataset_id, where = self._target(conn, series_id, dataset_id)
            now = utc_now()
            uid = str(uuid.uuid4())
            conn.execute(
                insert(t).values(
                    uid=uid, dataset_id=dataset_id, series_id=series_id, start_ns=int(start_ns),
                    end_ns=int(end_ns), text=text, created_at=now, created_by=actor,
                )
            )  # fmt: skip
            fields = {**where, "start_ns": int(start_ns), "end_ns": int(end_ns), "text": text}
            with AuditTrail(conn, actor, now) as trail:
                trail.record(Action.CREATE, ObjectType.ANNOTATION, uid, None, fields)
            row = conn.execute(select(t).where(t.c.uid == uid)).one()
        return _annotation(row)

    def annotations(
        self,
        series_id: int | None = None,
        dataset_id: int | None = None,
        start_ns: int | None = None,
        end_ns: int | None = None,
    ) -> list[Annotation]:
        """Notes overlapping ``[start_ns, end_ns]`` (open ends: any), earliest first.

        For a series: its own notes and its dataset's dataset-wide ones (both belong on its
        timeline). For a dataset: every note in it. Neither: every note in the workspace.
        """
        query = select(t).order_by(t.c.start_ns, t.c.id)
        with self._read() as conn:
            if series_id is not None:
                owner, _ = self._target(conn, series_id, None)
                query = query.where(
                    or_(t.c.series_id == series_id,
                        and_(t.c.dataset_id == owner, t.c.series_id.is_(None)))
                )  # fmt: skip
            if dataset_id is not None:
                query = query.where(t.c.dataset_id == dataset_id)
            if start_ns is not None:
                query = query.where(t.c.end_ns >= start_ns)
            if end_ns is not None:
                query = query.where(t.c.start_ns <= end_ns)
            return [_annotation(r) for r in conn.execute(query)]

    def delete_annotation(self, annotation_id: int, actor: str) -> None:
        actor = workflow.clean_text("actor", actor, workflow.MAX_NAME, single_line=True)
        with self._write() as conn:
            row = conn.execute(select(t).where(t.c.id == annotation_id)).first()
            if row is None:
                raise WorkspaceError(f"no annotation with id {annotation_id} in {self.path}")
            _, where = self._target(conn, row.series_id, row.dataset_id)
            last = {**where, "start_ns": row.start_ns, "end_ns": row.end_ns, "text": row.text}
            conn.execute(delete(t).where(t.c.id == annotation_id))
            with AuditTrail(conn, actor, utc_now()) as trail:
                trail.record(Action.DELETE, ObjectType.ANNOTATION, row.uid, last, None)

    def _target(
        self, conn: Connection, series_id: int | None, dataset_id: int | None
    ) -> tuple[int, dict[str, Any]]:
        """(dataset id, dataset and series names for the audit record), or WorkspaceError."""
        if series_id is not None:
            found = conn.execute(
                select(s.c.name, d.c.id, d.c.name.label("dataset"))
                .select_from(s.join(d, d.c.id == s.c.dataset_id))
                .where(s.c.id == series_id)
            ).first()
            if found is None:
                raise WorkspaceError(f"no series with id {series_id} in {self.path}")
            return int(found.id), {"dataset": found.dataset, "series": found.name}
        name = conn.execute(select(d.c.name).where(d.c.id == dataset_id)).scalar_one_or_none()
        if name is None:
            raise WorkspaceError(f"no dataset with id {dataset_id} in {self.path}")
        assert dataset_id is not None
        return dataset_id, {"dataset": name, "series": None}


def _annotation(row: Any) -> Annotation:
    return Annotation(
        id=row.id,
        uid=row.uid,
        dataset_id=row.dataset_id,
        series_id=row.series_id,
        start_ns=row.start_ns,
        end_ns=row.end_ns,
        text=row.text,
        created_at=row.created_at,
        created_by=row.created_by,
    )
