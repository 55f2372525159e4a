"""Detection runs and anomalies: the reading and writing ``Workspace`` does for them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select

from anomaly_desk.errors import WorkspaceError
from anomaly_desk.model import (
    AnomalyRow,
    DetectionRunInfo,
    FilterSpec,
    NewAnomaly,
    NewRun,
    RuleKind,
    Severity,
    SortSpec,
    Suppression,
    Swimlane,
)
from anomaly_desk.progress import Progress, silent
from anomaly_desk.store import anomaly_queries, detection_runs, rules_repo, schema
from anomaly_desk.store.workspace_base import WorkspaceBase, utc_now


class AnomaliesMixin(WorkspaceBase):
    def add_detection_run(
        self,
        run: NewRun,
        anomalies: Iterable[NewAnomaly],
        started_at: str,
        progress: Progress | None = None,
    ) -> DetectionRunInfo:
        """Store a run and all its anomalies in one transaction (a cancelled run leaves nothing)."""
        with self._write() as conn:
            run_id = detection_runs.insert_run(
                conn, run, anomalies, started_at, utc_now(), progress or silent()
            )
            # Standing suppressions and maintenance windows mute the new findings too.
            for rule in rules_repo.listed(conn):
                if rule.enabled and rule.kind is not RuleKind.DETECTION:
                    muting = Suppression.from_json(rule.definition)
                    rules_repo.mute(conn, muting, rule.id, run_id)
        return next(r for r in self.detection_runs(run.dataset_id) if r.id == run_id)

    def detection_runs(self, dataset_id: int | None = None) -> list[DetectionRunInfo]:
        with self._read() as conn:
            return detection_runs.list_runs(conn, dataset_id)

    def anomalies(
        self,
        spec: FilterSpec | None = None,
        sort: SortSpec | None = None,
        after: anomaly_queries.Cursor | None = None,
        limit: int = 200,
    ) -> tuple[list[AnomalyRow], anomaly_queries.Cursor | None]:
        """One keyset page of anomalies and the cursor for the next page (None at the end)."""
        with self._read() as conn:
            return anomaly_queries.page(
                conn, spec or FilterSpec(), sort or SortSpec(), after, limit
            )

    def anomaly_values(
        self,
        spec: FilterSpec,
        sort: SortSpec,
        after: anomaly_queries.Cursor | None,
        limit: int,
    ) -> tuple[list[tuple[Any, ...]], anomaly_queries.Cursor | None]:
        """``anomalies`` as plain tuples (``anomaly_queries.ROW_COLUMNS``): the table's pages,
        with no object built per row."""
        with self._read() as conn:
            return anomaly_queries.page_values(conn, spec, sort, after, limit)

    def anomalies_by_ids(self, ids: list[int]) -> list[AnomalyRow]:
        """Several anomalies in one query (a table refreshing changed rows), in the order
        asked; unknown ids are left out."""
        with self._read() as conn:
            return anomaly_queries.by_ids(conn, list(ids))

    def count_anomalies(self, spec: FilterSpec | None = None) -> int:
        with self._read() as conn:
            return anomaly_queries.count(conn, spec or FilterSpec())

    def anomaly(self, anomaly_id: int) -> tuple[AnomalyRow, dict[str, Any]]:
        """An anomaly and its explanation (contributing detectors, context, narrative)."""
        with self._read() as conn:
            found = anomaly_queries.by_id(conn, anomaly_id)
        if found is None:
            raise WorkspaceError(f"no anomaly with id {anomaly_id} in {self.path}")
        row, extra = found
        return row, json.loads(extra["explanation"])

    def swimlane(self, spec: FilterSpec | None = None, buckets: int = 60) -> Swimlane:
        """Highest score per series (or entity) per time bucket, for the overview heat map."""
        with self._read() as conn:
            return anomaly_queries.swimlane(conn, spec or FilterSpec(), buckets)

    def swimlane_top(self, spec: FilterSpec, buckets: int, lanes: int) -> tuple[Swimlane, int]:
        """The ``lanes`` lanes of ``swimlane`` with the highest scores, strongest first, and how
        many lanes there are in all (ranked in SQL: the overview shows a dozen of them)."""
        with self._read() as conn:
            return anomaly_queries.swimlane_top(conn, spec, buckets, lanes)

    def count_by_severity(self, spec: FilterSpec | None = None) -> dict[Severity, int]:
        """Counts per severity band for the filter, in one query (status bar, chips)."""
        with self._read() as conn:
            return anomaly_queries.count_by_severity(conn, spec or FilterSpec())

    def save_view(self, name: str, state: dict[str, Any]) -> None:
        """Store a named view (the filter bar's state, JSON-ready) in the workspace."""
        with self._write() as conn:
            conn.execute(delete(schema.saved_views).where(schema.saved_views.c.name == name))
            conn.execute(
                insert(schema.saved_views).values(
                    name=name, filter=json.dumps(state, sort_keys=True), created_at=utc_now()
                )
            )

    def saved_views(self) -> dict[str, dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(
                select(schema.saved_views.c.name, schema.saved_views.c.filter).order_by(
                    schema.saved_views.c.name
                )
            ).all()
        return {name: json.loads(state) for name, state in rows}

    def delete_view(self, name: str) -> None:
        with self._write() as conn:
            conn.execute(delete(schema.saved_views).where(schema.saved_views.c.name == name))

    def anomalies_version(self) -> tuple[int, int, str]:
        """A value that changes whenever any anomaly is added, removed or edited (cache key)."""
        with self._read() as conn:
            return anomaly_queries.version(conn)
