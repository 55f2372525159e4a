"""Writing a detection run and its anomalies: one transaction, so a cancelled or failed run
leaves nothing behind."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select, update

from anomaly_desk.model import DetectionRunInfo, NewAnomaly, NewRun, Severity
from anomaly_desk.progress import Progress
from anomaly_desk.store import schema

BATCH = 10_000


def insert_run(
    conn: Connection,
    run: NewRun,
    anomalies: Iterable[NewAnomaly],
    started_at: str,
    finished_at: str,
    progress: Progress,
) -> int:
    result = conn.execute(
        insert(schema.detection_runs).values(
            uid=str(uuid.uuid4()),
            dataset_id=run.dataset_id,
            preset=run.preset,
            config=json.dumps(run.config, sort_keys=True),
            versions=json.dumps(run.versions, sort_keys=True),
            seed=run.seed,
            input_sha256=run.input_sha256,
            started_at=started_at,
            finished_at=finished_at,
            anomaly_count=0,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    run_id = int(key[0])
    batch: list[dict[str, Any]] = []
    total = 0
    for item in anomalies:
        batch.append(_row(item, run_id, run.dataset_id, finished_at))
        if len(batch) >= BATCH:
            conn.execute(insert(schema.anomalies), batch)
            total += len(batch)
            batch = []
            progress.check()
    if batch:
        conn.execute(insert(schema.anomalies), batch)
        total += len(batch)
    conn.execute(
        update(schema.detection_runs)
        .where(schema.detection_runs.c.id == run_id)
        .values(anomaly_count=total)
    )
    progress.check()  # a cancel that arrives up to the commit still rolls everything back
    return run_id


def _row(item: NewAnomaly, run_id: int, dataset_id: int, now: str) -> dict[str, Any]:
    score = float(min(100.0, max(0.0, item.score)))
    return {
        "uid": str(uuid.uuid4()),
        "run_id": run_id,
        "dataset_id": dataset_id,
        "series_id": item.series_id,
        "entity": item.entity,
        "type": item.type,
        "start_ns": item.start_ns,
        "end_ns": item.end_ns,
        "peak_ns": item.peak_ns,
        "score": score,
        "severity": Severity.from_score(score).value,
        "status": "new",
        "starred": False,
        "actual": item.actual,
        "expected": item.expected,
        "band_low": item.band_low,
        "band_high": item.band_high,
        "summary": item.summary,
        "explanation": json.dumps(item.explanation, sort_keys=True, default=str),
        "updated_at": now,
    }


def list_runs(conn: Connection, dataset_id: int | None) -> list[DetectionRunInfo]:
    query = select(schema.detection_runs).order_by(schema.detection_runs.c.id)
    if dataset_id is not None:
        query = query.where(schema.detection_runs.c.dataset_id == dataset_id)
    return [
        DetectionRunInfo(
            id=r.id,
            uid=r.uid,
            dataset_id=r.dataset_id,
            preset=r.preset,
            config=json.loads(r.config),
            versions=json.loads(r.versions),
            seed=r.seed,
            input_sha256=r.input_sha256,
            started_at=r.started_at,
            finished_at=r.finished_at,
            anomaly_count=r.anomaly_count,
        )
        for r in conn.execute(query)
    ]
