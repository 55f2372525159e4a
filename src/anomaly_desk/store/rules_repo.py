"""Rules in the workspace: storing them, and muting the anomalies a suppression matches.

Muting sets ``anomalies.suppressed_by``; nothing is deleted, and FilterSpec's
``include_suppressed`` shows muted anomalies again.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, select, update

from anomaly_desk.model import RuleInfo, RuleKind, Suppression
from anomaly_desk.store import schema

a = schema.anomalies
s = schema.series
r = schema.rules


def add(
    conn: Connection,
    kind: RuleKind,
    name: str,
    definition: dict[str, Any],
    created_at: str,
    actor: str,
    dataset_id: int | None = None,
    series_glob: str = "*",
) -> int:
    result = conn.execute(
        insert(r).values(
            uid=str(uuid.uuid4()),
            kind=kind.value,
            name=name,
            dataset_id=dataset_id,
            series_glob=series_glob,
            definition=json.dumps(definition, sort_keys=True),
            enabled=True,
            created_at=created_at,
            created_by=actor,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def listed(conn: Connection, kind: RuleKind | None = None) -> list[RuleInfo]:
    query = select(r).order_by(r.c.id)
    if kind is not None:
        query = query.where(r.c.kind == kind.value)
    return [
        RuleInfo(
            id=row.id,
            uid=row.uid,
            kind=RuleKind(row.kind),
            name=row.name,
            dataset_id=row.dataset_id,
            series_glob=row.series_glob,
            definition=json.loads(row.definition),
            enabled=bool(row.enabled),
            created_at=row.created_at,
            created_by=row.created_by,
        )
        for row in conn.execute(query)
    ]


def remove(conn: Connection, rule_id: int) -> None:
    conn.execute(delete(r).where(r.c.id == rule_id))  # a trigger un-mutes its anomalies


def matching(rule: Suppression) -> ColumnElement[bool]:
    """SQL for "this anomaly is what ``rule`` mutes" (series names match with SQLite GLOB)."""
    where: list[ColumnElement[bool]] = []
    if rule.dataset_id is not None:
        where.append(a.c.dataset_id == rule.dataset_id)
    if rule.series_glob != "*":
        series_name = select(s.c.name).where(s.c.id == a.c.series_id).scalar_subquery()
        where.append(series_name.op("GLOB")(rule.series_glob))
    if rule.types:
        where.append(a.c.type.in_(rule.types))
    if rule.max_score is not None:
        where.append(a.c.score <= rule.max_score)
    if rule.max_deviation is not None:
        # Findings without an expected value have no size to compare: they are not matched.
        where.append(func.abs(a.c.actual - a.c.expected) <= rule.max_deviation)
    if rule.max_duration_ns is not None:
        where.append(a.c.end_ns - a.c.start_ns <= rule.max_duration_ns)
    if rule.start_ns is not None:
        where.append(a.c.end_ns >= rule.start_ns)
    if rule.end_ns is not None:
        where.append(a.c.start_ns <= rule.end_ns)
    return and_(*where) if where else a.c.id.is_not(None)


def count_matching(conn: Connection, rule: Suppression) -> int:
    """How many anomalies ``rule`` would mute now (those not muted already)."""
    from sqlalchemy import func

    query = select(func.count()).select_from(a).where(matching(rule), a.c.suppressed_by.is_(None))
    return int(conn.execute(query).scalar_one())


def mute(conn: Connection, rule: Suppression, rule_id: int, run_id: int | None = None) -> int:
    """Mark matching, not yet muted anomalies (of one run, if given) as muted by ``rule_id``."""
    query = update(a).where(matching(rule), a.c.suppressed_by.is_(None))
    if run_id is not None:
        query = query.where(a.c.run_id == run_id)
    return int(conn.execute(query.values(suppressed_by=rule_id)).rowcount)


def matching_ids(conn: Connection, rule: Suppression, limit: int) -> list[int]:
    """The anomalies ``rule`` would mute now, strongest first (what a preview lists)."""
    query = (
        select(a.c.id)
        .where(matching(rule), a.c.suppressed_by.is_(None))
        .order_by(a.c.score.desc(), a.c.id)
        .limit(limit)
    )
    return [int(row[0]) for row in conn.execute(query)]
