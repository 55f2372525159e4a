"""What the incident proposals need to know about series, read from the workspace.

``triage.incidents.propose`` is pure; this module gathers its ``Relations``: each series'
entity and step, the usual correlation of the residuals of anomalous series (with
``detect.multiseries.align``), and which series each cross-series finding names.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from anomaly_desk.model import AnomalyRow, DatasetKind
from anomaly_desk.store import points, schema
from anomaly_desk.triage.incidents import Relations, entity_of

s = schema.series
d = schema.datasets
a = schema.anomalies
c = schema.point_chunks

CLIP_SIGMA = 3.0  # residuals clipped as in multiseries.correlation_breaks


def relations(conn: Connection, rows: Sequence[AnomalyRow]) -> Relations:
    dataset_ids = sorted({r.dataset_id for r in rows})
    series_rows = conn.execute(select(s).where(s.c.dataset_id.in_(dataset_ids))).all()
    names = {int(r.id): str(r.name) for r in series_rows}
    entity = {int(r.id): e for r in series_rows if (e := entity_of(r.name, r.entity)) is not None}
    step_ns = {int(r.id): int(r.step_seconds * 1e9) for r in series_rows if r.step_seconds}
    by_dataset: dict[int, dict[str, int]] = {}
    for r in series_rows:
        by_dataset.setdefault(int(r.dataset_id), {})[str(r.name)] = int(r.id)
    involves = _named_series(conn, rows, by_dataset)
    correlation: dict[frozenset[int], float] = {}
    for dataset_id in dataset_ids:
        wanted = Counter(
            [r.series_id for r in rows if r.dataset_id == dataset_id and r.series_id is not None]
        )
        if len(wanted) >= 2:
            correlation.update(_usual_correlation(conn, dataset_id, wanted, names))
    return Relations(names, entity, step_ns, correlation, involves)


def _usual_correlation(
    conn: Connection, dataset_id: int, wanted: Counter[int], names: dict[int, str]
) -> dict[frozenset[int], float]:
    """|r| of clipped residuals: how two series move in ordinary times. Clipping keeps one
    shared incident from making two series look related (it would prove itself)."""
    found = conn.execute(select(d.c.kind, d.c.mapping).where(d.c.id == dataset_id)).one()
    if found.kind != DatasetKind.TIMESERIES.value:
        return {}
    # Imported here: ``anomaly_desk.detect`` loads scikit-learn (0.8 s), and every command
    # and the window import the store, most of them without ever proposing an incident.
    import pandas as pd

    from anomaly_desk.detect.multiseries import MAX_SERIES, WINDOW, align

    tz = str(json.loads(found.mapping).get("timezone", "UTC"))
    # align looks at MAX_SERIES at most: keep the series with the most anomalies.
    chosen = [i for i, _ in wanted.most_common(MAX_SERIES)]
    aligned = align({names[i]: _read(conn, i) for i in chosen}, tz)
    if aligned is None:
        return {}
    frame = pd.DataFrame(np.clip(aligned.z, -CLIP_SIGMA, CLIP_SIGMA), columns=aligned.names)
    usual = frame.corr(min_periods=4 * WINDOW).to_numpy()
    ids = {names[i]: i for i in chosen}
    result: dict[frozenset[int], float] = {}
    for (x, name_x), (y, name_y) in combinations(enumerate(aligned.names), 2):
        r = float(usual[x, y])
        if np.isfinite(r):
            result[frozenset((ids[name_x], ids[name_y]))] = round(r, 3)
    return result


def _read(conn: Connection, series_id: int) -> tuple[Any, Any]:
    rows = conn.execute(
        select(c.c.n, c.c.ts, c.c.vals, c.c.codec)
        .where(c.c.series_id == series_id)
        .order_by(c.c.chunk_no)
    ).all()
    return points.decode([(r.n, r.ts, r.vals) for r in rows], [r.codec for r in rows])


def _named_series(
    conn: Connection, rows: Sequence[AnomalyRow], by_dataset: dict[int, dict[str, int]]
) -> dict[int, tuple[int, ...]]:
    """Series named by cross-series findings (joint deviations list them, breaks a pair)."""
    candidates = [r for r in rows if r.series_id is None and r.dataset_id in by_dataset]
    found: dict[int, tuple[int, ...]] = {}
    for start in range(0, len(candidates), 500):
        chunk = [r.id for r in candidates[start : start + 500]]
        for anomaly_id, dataset_id, text in conn.execute(
            select(a.c.id, a.c.dataset_id, a.c.explanation).where(a.c.id.in_(chunk))
        ):
            context = _context(text)
            named = context.get("series") or context.get("pair") or []
            known = by_dataset.get(int(dataset_id), {})
            ids = tuple(known[n] for n in named if isinstance(n, str) and n in known)
            if ids:
                found[int(anomaly_id)] = ids
    return found


def _context(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    context = data.get("context") if isinstance(data, dict) else None
    return context if isinstance(context, dict) else {}
