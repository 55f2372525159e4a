"""Triage in the workspace: reading an anomaly's triage fields, writing a planned change, comments.

The rules (which changes are allowed, what a change does) live in ``triage/workflow.py``; this
module only reads and writes what a plan says.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from anomaly_desk.model import Comment, Status
from anomaly_desk.store import schema
from anomaly_desk.triage.workflow import COLUMNS, TriageState

a = schema.anomalies
c = schema.comments
links = schema.comment_links
t = schema.tags
at = schema.anomaly_tags

_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound-variable limit


def states(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, TriageState]]:
    """(uid, triage state) of each anomaly in ``ids`` that exists."""
    found: dict[int, tuple[str, TriageState]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        tags: dict[int, set[str]] = {}
        for anomaly_id, name in conn.execute(
            select(at.c.anomaly_id, t.c.name)
            .select_from(at.join(t, t.c.id == at.c.tag_id))
            .where(at.c.anomaly_id.in_(chunk))
        ):
            tags.setdefault(anomaly_id, set()).add(name)
        for row in conn.execute(select(a).where(a.c.id.in_(chunk))):
            found[row.id] = (
                row.uid,
                TriageState(
                    status=Status(row.status),
                    assignee=row.assignee,
                    severity_override=row.severity_override,
                    starred=bool(row.starred),
                    tags=frozenset(tags.get(row.id, ())),
                    score=float(row.score),
                    score_at_triage=row.score_at_triage,
                ),
            )
    return found


def apply(
    conn: Connection,
    anomaly_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: str,
) -> None:
    """Write the fields of a plan (``triage.workflow.plan``) to one anomaly."""
    values = {k: v for k, v in after.items() if k in COLUMNS}
    conn.execute(update(a).where(a.c.id == anomaly_id).values(**values, updated_at=now))
    if "tags" in after:
        old, new = set(before["tags"]), set(after["tags"])
        if new - old:
            ids = tag_ids(conn, new - old)
            conn.execute(
                insert(at), [{"anomaly_id": anomaly_id, "tag_id": ids[n]} for n in new - old]
            )
        if old - new:
            gone = select(t.c.id).where(t.c.name.in_(old - new))
            conn.execute(delete(at).where(at.c.anomaly_id == anomaly_id, at.c.tag_id.in_(gone)))


def tag_ids(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named tags, creating the ones that do not exist yet."""
    wanted = sorted(set(names))
    conn.execute(sqlite_insert(t).on_conflict_do_nothing(), [{"name": n} for n in wanted])
    return dict(conn.execute(select(t.c.name, t.c.id).where(t.c.name.in_(wanted))).tuples())


def existing(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """id -> uid of those of ``ids`` that are anomalies in this workspace."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(conn.execute(select(a.c.id, a.c.uid).where(a.c.id.in_(chunk))).tuples())
    return found


def add_comment(
    conn: Connection, anomaly_id: int, author: str, body: str, now: str, linked: Sequence[int]
) -> Comment:
    uid = str(uuid.uuid4())
    result = conn.execute(
        insert(c).values(uid=uid, anomaly_id=anomaly_id, author=author, body=body, created_at=now)
    )
    key = result.inserted_primary_key
    assert key is not None
    comment_id = int(key[0])
    if linked:
        conn.execute(insert(links), [{"comment_id": comment_id, "anomaly_id": i} for i in linked])
    return Comment(comment_id, uid, anomaly_id, author, body, now, tuple(sorted(linked)))


def list_comments(
    conn: Connection, anomaly_id: int | None = None, mentioning: int | None = None
) -> list[Comment]:
    """Comments on ``anomaly_id``, or comments elsewhere that mention ``mentioning``."""
    query = select(c).order_by(c.c.id)
    if anomaly_id is not None:
        query = query.where(c.c.anomaly_id == anomaly_id)
    if mentioning is not None:
        query = query.where(
            c.c.id.in_(select(links.c.comment_id).where(links.c.anomaly_id == mentioning))
        )
    rows = conn.execute(query).all()
    linked: dict[int, list[int]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), _CHUNK):
        for comment_id, target in conn.execute(
            select(links.c.comment_id, links.c.anomaly_id)
            .where(links.c.comment_id.in_(ids[start : start + _CHUNK]))
            .order_by(links.c.anomaly_id)
        ):
            linked.setdefault(comment_id, []).append(target)
    return [
        Comment(
            r.id, r.uid, r.anomaly_id, r.author, r.body, r.created_at, tuple(linked.get(r.id, ()))
        )
        for r in rows
    ]
