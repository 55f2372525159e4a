"""Triage in the workspace: reading an anomaly's triage fields, writing a planned change, comments.

The rules (which changes are allowed, what a change does) live in ``triage/workflow.py``; this
module only reads and writes what a plan says.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
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


Plan = tuple[int, Mapping[str, Any], Mapping[str, Any]]  # (anomaly id, before, after)


def apply(conn: Connection, plans: Sequence[Plan], now: str) -> None:
    """Write planned changes (``triage.workflow.plan``): one executemany per kind of change,
    since a statement per anomaly costs more than the write itself on a bulk change."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    added: list[tuple[int, str]] = []
    removed: list[tuple[int, str]] = []
    for anomaly_id, before, after in plans:
        values = {k: v for k, v in after.items() if k in COLUMNS}
        groups.setdefault(tuple(sorted(values)), []).append({"_id": anomaly_id, **values})
        if "tags" in after:
            old, new = set(before["tags"]), set(after["tags"])
            added += [(anomaly_id, n) for n in sorted(new - old)]
            removed += [(anomaly_id, n) for n in sorted(old - new)]
    for keys, rows in groups.items():
        statement = (
            update(a)
            .where(a.c.id == bindparam("_id"))
            .values({**{k: bindparam(k) for k in keys}, "updated_at": now})
        )
        conn.execute(statement, rows)
    if added:
        ids = tag_ids(conn, {name for _, name in added})
        conn.execute(insert(at), [{"anomaly_id": i, "tag_id": ids[n]} for i, n in added])
    if removed:
        ids = tag_ids(conn, {name for _, name in removed})
        conn.execute(
            delete(at).where(
                at.c.anomaly_id == bindparam("_anomaly"), at.c.tag_id == bindparam("_tag")
            ),
            [{"_anomaly": i, "_tag": ids[n]} for i, n in removed],
        )


def tag_ids(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """Ids of the named tags, creating the ones that do not exist yet."""
    wanted = sorted(set(names))
    conn.execute(sqlite_insert(t).on_conflict_do_nothing(), [{"name": n} for n in wanted])
    rows = conn.execute(select(t.c.name, t.c.id).where(t.c.name.in_(wanted)))
    return {str(name): int(tag_id) for name, tag_id in rows}


def existing(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """id -> uid of those of ``ids`` that are anomalies in this workspace."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = conn.execute(select(a.c.id, a.c.uid).where(a.c.id.in_(chunk)))
        found.update((int(i), str(uid)) for i, uid in rows)
    return found


def add_comments(
    conn: Connection,
    anomaly_ids: Sequence[int],
    author: str,
    body: str,
    now: str,
    linked: Sequence[int],
) -> list[Comment]:
    """The same comment on each anomaly (a bulk change), linked to ``linked`` but not to itself."""
    if not anomaly_ids:
        return []
    uids = [str(uuid.uuid4()) for _ in anomaly_ids]
    conn.execute(
        insert(c),
        [
            {"uid": u, "anomaly_id": i, "author": author, "body": body, "created_at": now}
            for u, i in zip(uids, anomaly_ids, strict=True)
        ],
    )
    by_uid: dict[str, int] = {}
    for start in range(0, len(uids), _CHUNK):
        rows = conn.execute(
            select(c.c.uid, c.c.id).where(c.c.uid.in_(uids[start : start + _CHUNK]))
        )
        by_uid.update((str(u), int(i)) for u, i in rows)
    made = [
        Comment(by_uid[u], u, i, author, body, now, tuple(sorted(t for t in linked if t != i)))
        for u, i in zip(uids, anomaly_ids, strict=True)
    ]
    pairs = [{"comment_id": m.id, "anomaly_id": t} for m in made for t in m.links]
    if pairs:
        conn.execute(insert(links), pairs)
    return made


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
