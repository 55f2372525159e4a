"""Incidents: proposing groups of related anomalies, and keeping the groups analysts make.

Every change is one transaction holding the change and its audit records (object type
"incident", one record per incident changed, ``store/triage_audit.py``), so the log and the
incidents never disagree. Proposals are computed on request and never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.model import (
    AnomalyRow,
    FilterSpec,
    IncidentInfo,
    IncidentLink,
    IncidentProposal,
    IncidentStatus,
    SortSpec,
    Status,
)
from anomaly_desk.store import anomaly_queries, incident_evidence, triage_repo
from anomaly_desk.store import incidents_repo as repo
from anomaly_desk.store.triage_audit import AuditTrail
from anomaly_desk.store.workspace_base import WorkspaceBase, utc_now
from anomaly_desk.triage import incidents, workflow
from anomaly_desk.triage.audit import Action, ObjectType

MAX_TITLE = 200
_PAGE = 5_000
# A judged false alarm is not part of any incident; everything else may be.
_PROPOSABLE = tuple(s for s in Status if s is not Status.FALSE_POSITIVE)


class IncidentsMixin(WorkspaceBase):
    def propose_incidents(self, dataset_id: int | None = None) -> list[IncidentProposal]:
        """Groups of current anomalies that look like one incident, best first (not stored).

        Anomalies already in an incident and judged false positives are left out.
        """
        spec = FilterSpec(
            dataset_ids=() if dataset_id is None else (dataset_id,), statuses=_PROPOSABLE
        )
        with self._read() as conn:
            taken = repo.grouped(conn)
            rows = [r for r in _all_rows(conn, spec) if r.id not in taken]
            relations = incident_evidence.relations(conn, rows)
        return incidents.propose(rows, relations)

    def incidents(self) -> list[IncidentInfo]:
        """Every incident, newest first."""
        with self._read() as conn:
            return repo.listed(conn)

    def incident(self, incident_id: int) -> tuple[IncidentInfo, list[AnomalyRow]]:
        """An incident and its members, earliest first."""
        with self._read() as conn:
            info = self._found(conn, incident_id)
            # by id: a member stays a member when a newer run or a suppression hides it.
            found = [anomaly_queries.by_id(conn, i) for i in info.anomaly_ids]
        members = [f[0] for f in found if f is not None]
        return info, sorted(members, key=lambda r: (r.start_ns, r.id))

    def incident_links(self, incident_id: int) -> list[IncidentLink]:
        """Why an incident's members belong together: the proposals' linking rules run over
        its members only, strongest link first (members with no related partner have none)."""
        with self._read() as conn:
            info = self._found(conn, incident_id)
            found = [anomaly_queries.by_id(conn, i) for i in info.anomaly_ids]
            members = [f[0] for f in found if f is not None]
            if not members:
                return []
            relations = incident_evidence.relations(conn, members)
        return incidents.links(members, relations)

    def create_incident(
        self, title: str, anomaly_ids: Sequence[int], actor: str, summary: str = ""
    ) -> IncidentInfo:
        """A new open incident holding ``anomaly_ids`` (each must not be in another one)."""
        title, summary, actor = _title(title), _summary(summary), _actor(actor)
        ids = list(dict.fromkeys(anomaly_ids))
        with self._write() as conn:
            self._require_anomalies(conn, ids)
            self._require_free(conn, ids, None)
            now = utc_now()
            incident_id = repo.insert_incident(conn, title, summary, actor, now)
            repo.add_members(conn, incident_id, ids, actor, now)
            info = self._found(conn, incident_id)
            with AuditTrail(conn, actor, now) as trail:
                trail.record(
                    Action.CREATE, ObjectType.INCIDENT, info.uid, None, repo.state(conn, info)
                )
        return info

    def add_to_incident(
        self, incident_id: int, anomaly_ids: Sequence[int], actor: str
    ) -> IncidentInfo:
        """Add anomalies; those already in it are left as they are (no change, no record)."""
        actor = _actor(actor)
        with self._write() as conn:
            info = self._found(conn, incident_id)
            ids = [i for i in dict.fromkeys(anomaly_ids) if i not in info.anomaly_ids]
            self._require_anomalies(conn, ids)
            self._require_free(conn, ids, incident_id)
            if not ids:
                return info
            now = utc_now()
            repo.add_members(conn, incident_id, ids, actor, now)
            return self._record_members(conn, info, actor, now)

    def remove_from_incident(
        self, incident_id: int, anomaly_ids: Sequence[int], actor: str
    ) -> IncidentInfo:
        """Take anomalies out of an incident (each must be in it); the anomalies stay."""
        actor = _actor(actor)
        with self._write() as conn:
            info = self._found(conn, incident_id)
            ids = list(dict.fromkeys(anomaly_ids))
            outside = [i for i in ids if i not in info.anomaly_ids]
            if outside:
                raise BadInputError(
                    f"incident {incident_id}",
                    f"{_ids(outside)} {'is' if len(outside) == 1 else 'are'} not in it",
                )
            if not ids:
                return info
            now = utc_now()
            repo.remove_members(conn, incident_id, ids)
            return self._record_members(conn, info, actor, now)

    def update_incident(
        self,
        incident_id: int,
        actor: str,
        title: str | None = None,
        summary: str | None = None,
        status: IncidentStatus | None = None,
    ) -> IncidentInfo:
        """Change the title, summary or status (open / closed); an unchanged field records
        nothing."""
        actor = _actor(actor)
        wanted: dict[str, Any] = {}
        if title is not None:
            wanted["title"] = _title(title)
        if summary is not None:
            wanted["summary"] = _summary(summary)
        if status is not None:
            wanted["status"] = IncidentStatus(status).value
        with self._write() as conn:
            info = self._found(conn, incident_id)
            old = repo.state(conn, info)
            changed = {k: v for k, v in wanted.items() if old[k] != v}
            if not changed:
                return info
            now = utc_now()
            repo.set_fields(conn, incident_id, changed, now)
            with AuditTrail(conn, actor, now) as trail:
                before = {k: old[k] for k in changed}
                trail.record(Action.UPDATE, ObjectType.INCIDENT, info.uid, before, changed)
            return self._found(conn, incident_id)

    def merge_incidents(self, incident_ids: Sequence[int], actor: str) -> IncidentInfo:
        """Move every member into the FIRST incident given; the others are deleted.

        Records: the kept incident's new members (and what was merged into it), and the
        deletion of each merged one with its last state.
        """
        actor = _actor(actor)
        ids = list(dict.fromkeys(incident_ids))
        if len(ids) < 2:
            raise BadInputError("merge", "give at least two different incidents")
        with self._write() as conn:
            found = [self._found(conn, i) for i in ids]
            kept, merged = found[0], found[1:]
            now = utc_now()
            gone = [(m, repo.state(conn, m)) for m in merged]
            repo.move_members(conn, [m.id for m in merged], kept.id)
            for m in merged:
                repo.delete_incident(conn, m.id)
            after = self._record_members(
                conn, kept, actor, now, merged=sorted(m.uid for m in merged)
            )
            with AuditTrail(conn, actor, now) as trail:
                for m, last in gone:
                    trail.record(
                        Action.DELETE, ObjectType.INCIDENT, m.uid, last, {"merged_into": kept.uid}
                    )
        return after

    def dissolve_incident(self, incident_id: int, actor: str) -> None:
        """Delete an incident; its anomalies stay, in no incident."""
        actor = _actor(actor)
        with self._write() as conn:
            info = self._found(conn, incident_id)
            last = repo.state(conn, info)
            now = utc_now()
            repo.delete_incident(conn, incident_id)
            with AuditTrail(conn, actor, now) as trail:
                trail.record(Action.DELETE, ObjectType.INCIDENT, info.uid, last, None)

    # -- helpers ------------------------------------------------------------------------

    def _found(self, conn: Connection, incident_id: int) -> IncidentInfo:
        info = repo.one(conn, incident_id)
        if info is None:
            raise WorkspaceError(f"no incident with id {incident_id} in {self.path}")
        return info

    def _require_anomalies(self, conn: Connection, ids: Sequence[int]) -> None:
        found = triage_repo.existing(conn, ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise WorkspaceError(f"no {_ids(missing)} in {self.path}")

    @staticmethod
    def _require_free(conn: Connection, ids: Sequence[int], incident_id: int | None) -> None:
        # One incident per anomaly: moving one silently would change another incident.
        elsewhere = {k: v for k, v in repo.owners(conn, ids).items() if v != incident_id}
        if elsewhere:
            where = ", ".join(f"{k} is in incident {v}" for k, v in sorted(elsewhere.items())[:10])
            raise BadInputError(
                "incident",
                f"anomaly {where}; remove it there first, or merge the incidents",
            )

    def _record_members(
        self,
        conn: Connection,
        old: IncidentInfo,
        actor: str,
        now: str,
        merged: list[str] | None = None,
    ) -> IncidentInfo:
        """Touch the incident and record its members before and after, in this transaction."""
        repo.set_fields(conn, old.id, {}, now)
        new = self._found(conn, old.id)
        after: dict[str, Any] = {"members": repo.anomaly_uids(conn, new.anomaly_ids)}
        if merged:
            after["merged"] = merged
        with AuditTrail(conn, actor, now) as trail:
            before = {"members": repo.anomaly_uids(conn, old.anomaly_ids)}
            trail.record(Action.UPDATE, ObjectType.INCIDENT, old.uid, before, after)
        return new


def _all_rows(conn: Connection, spec: FilterSpec) -> list[AnomalyRow]:
    """Every anomaly ``spec`` matches, earliest first, a keyset page at a time."""
    rows: list[AnomalyRow] = []
    cursor: anomaly_queries.Cursor | None = None
    while True:
        page, cursor = anomaly_queries.page(conn, spec, SortSpec("start", False), cursor, _PAGE)
        rows += page
        if cursor is None or len(page) < _PAGE:
            return rows


def _title(title: str) -> str:
    return workflow.clean_text("incident title", title, MAX_TITLE, single_line=True)


def _summary(summary: str) -> str:
    return workflow.clean_text("incident summary", summary) if summary.strip() else ""


def _actor(actor: str) -> str:
    return workflow.clean_text("actor", actor, workflow.MAX_NAME, single_line=True)


def _ids(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    return f"{'anomaly' if len(ids) == 1 else 'anomalies'} with id {shown}{more}"
