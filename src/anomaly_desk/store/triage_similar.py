"""Reading the candidates for ``triage.similar``: same series (or entity) and type, earlier."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select

from anomaly_desk.model import SimilarAnomaly, Status, Verdict
from anomaly_desk.store import schema
from anomaly_desk.triage.similar import Candidate, rank

a = schema.anomalies
MAX_CANDIDATES = 5_000  # the most recent ones; older history adds little to "have we seen it"


def _candidate(row: Any) -> Candidate:
    return Candidate(
        id=row.id,
        start_ns=row.start_ns,
        score=row.score,
        actual=row.actual,
        expected=row.expected,
        status=Status(row.status),
        verdict=None if row.verdict is None else Verdict(row.verdict),
    )


def similar_to(conn: Connection, anomaly_id: int, limit: int) -> list[SimilarAnomaly]:
    target = conn.execute(select(a).where(a.c.id == anomaly_id)).one()
    if target.series_id is not None:
        same_place = a.c.series_id == target.series_id
    else:
        same_place = (a.c.dataset_id == target.dataset_id) & (a.c.entity == target.entity)
    # "Past": earlier in the data, or found by an earlier run (the same finding seen again).
    rows = conn.execute(
        select(a)
        .where(
            same_place,
            a.c.type == target.type,
            a.c.id != anomaly_id,
            or_(a.c.start_ns < target.start_ns, a.c.run_id < target.run_id),
        )
        .order_by(a.c.start_ns.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    return rank(_candidate(target), (_candidate(r) for r in rows), limit)
