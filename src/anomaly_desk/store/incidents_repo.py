"""Incidents in the workspace: the rows, their members, and the state the audit log records.

An anomaly is in at most one incident (``incident_members`` is keyed by the anomaly), so
"which incident is this anomaly in" has one answer everywhere: table, report and sync.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from anomaly_desk.model import IncidentInfo, IncidentStatus
from anomaly_desk.store import schema

i = schema.incidents
m = schema.incident_members
a = schema.anomalies

_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound-variable limit


def insert_incident(conn: Connection, title: str, summary: str, actor: str, now: str) -> int:
    result = conn.execute(
        insert(i).values(
            uid=str(uuid.uuid4()),
            title=title,
            status=IncidentStatus.OPEN.value,
            summary=summary,
            created_at=now,
            created_by=actor,
            updated_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def listed(conn: Connection, ids: Sequence[int] | None = None) -> list[IncidentInfo]:
    """Incidents (all, or those in ``ids``), newest first, with their members and span."""
    query = select(i).order_by(i.c.id.desc())
    if ids is not None:
        query = query.where(i.c.id.in_(list(ids)))
    rows = conn.execute(query).all()
    members: dict[int, list[int]] = {}
    spans: dict[int, tuple[int, int]] = {}
    wanted = [r.id for r in rows]
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for incident_id, anomaly_id in conn.execute(
            select(m.c.incident_id, m.c.anomaly_id).where(m.c.incident_id.in_(chunk))
        ):
            members.setdefault(incident_id, []).append(anomaly_id)
        for incident_id, first, last in conn.execute(
            select(m.c.incident_id, func.min(a.c.start_ns), func.max(a.c.end_ns))
            .select_from(m.join(a, a.c.id == m.c.anomaly_id))
            .where(m.c.incident_id.in_(chunk))
            .group_by(m.c.incident_id)
        ):
            spans[incident_id] = (int(first), int(last))
    return [
        IncidentInfo(
            id=r.id,
            uid=r.uid,
            title=r.title,
            status=IncidentStatus(r.status),
            summary=r.summary,
            created_at=r.created_at,
            created_by=r.created_by,
            updated_at=r.updated_at,
            anomaly_ids=tuple(sorted(members.get(r.id, ()))),
            start_ns=spans[r.id][0] if r.id in spans else None,
            end_ns=spans[r.id][1] if r.id in spans else None,
        )
        for r in rows
    ]


def one(conn: Connection, incident_id: int) -> IncidentInfo | None:
    found = listed(conn, [incident_id])
    return found[0] if found else None


def state(conn: Connection, incident: IncidentInfo) -> dict[str, Any]:
    """What the audit log records of an incident: its fields and members (anomaly uids)."""
    return {
        "title": incident.title,
        "status": incident.status.value,
        "summary": incident.summary,
        "members": anomaly_uids(conn, incident.anomaly_ids),
    }


def anomaly_uids(conn: Connection, anomaly_ids: Iterable[int]) -> list[str]:
    """Sorted uids: the audit names anomalies by uid, which sync keeps stable across machines."""
    wanted = list(anomaly_ids)
    found: list[str] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found += [str(u) for u in conn.execute(select(a.c.uid).where(a.c.id.in_(chunk))).scalars()]
    return sorted(found)


def owners(conn: Connection, anomaly_ids: Iterable[int]) -> dict[int, int]:
    """anomaly id -> the incident it is in, for those of ``anomaly_ids`` in one."""
    wanted = list(dict.fromkeys(anomaly_ids))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = conn.execute(
            select(m.c.anomaly_id, m.c.incident_id).where(m.c.anomaly_id.in_(chunk))
        )
        found.update((int(x), int(y)) for x, y in rows)
    return found


def grouped(conn: Connection) -> set[int]:
    """Every anomaly that is in some incident."""
    return {int(x) for x in conn.execute(select(m.c.anomaly_id)).scalars()}


def add_members(
    conn: Connection, incident_id: int, anomaly_ids: Sequence[int], actor: str, now: str
) -> None:
    if anomaly_ids:
        conn.execute(
            insert(m),
            [
                {"anomaly_id": x, "incident_id": incident_id, "added_at": now, "added_by": actor}
                for x in anomaly_ids
            ],
        )


def move_members(conn: Connection, from_ids: Sequence[int], to_id: int) -> None:
    conn.execute(update(m).where(m.c.incident_id.in_(list(from_ids))).values(incident_id=to_id))


def remove_members(conn: Connection, incident_id: int, anomaly_ids: Sequence[int]) -> None:
    for start in range(0, len(anomaly_ids), _CHUNK):
        chunk = list(anomaly_ids[start : start + _CHUNK])
        conn.execute(delete(m).where(m.c.incident_id == incident_id, m.c.anomaly_id.in_(chunk)))


def set_fields(conn: Connection, incident_id: int, values: dict[str, Any], now: str) -> None:
    conn.execute(update(i).where(i.c.id == incident_id).values(**values, updated_at=now))


def delete_incident(conn: Connection, incident_id: int) -> None:
    conn.execute(delete(i).where(i.c.id == incident_id))  # members go with it (cascade)
