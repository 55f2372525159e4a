"""The anomalies a filter selects, as CSV, JSON or Parquet.

CSV and Parquet are flat, for spreadsheets and data frames: one row per anomaly, tags joined
with ", ", contributions as one line of text, the narrative as a column. Times are ISO 8601 in
UTC in CSV (``2014-11-27T06:30:00Z``: spreadsheets read it, nothing is lost) and real
``timestamp[ns, UTC]`` columns in Parquet. JSON is one array of objects that keeps the
structure: tags as a list and the whole stored explanation (narrative, contributions, context).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from anomaly_desk.errors import BadInputError
from anomaly_desk.model import AnomalyRow, FilterSpec, SortSpec
from anomaly_desk.progress import Progress, silent

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

ANOMALY_FORMATS = ("csv", "json", "parquet")
PAGE = 2_000
NS = 1_000_000_000
TIME_COLUMNS = ("start", "end", "peak")


def iso(ns: int) -> str:
    """UTC, to the second unless the instant needs finer (``...T06:30:00.250Z``)."""
    when = datetime.fromtimestamp(ns // NS, tz=UTC)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = ns % NS
    if fraction:
        text += f".{fraction:09d}".rstrip("0")
    return text + "Z"


def contributions_text(explanation: dict[str, Any]) -> str:
    """``seasonal (raw) 100%: 18.2 robust σ; ...`` strongest first."""
    parts = []
    items = explanation.get("contributions") or []
    for c in sorted(items, key=lambda c: -float(c.get("weight", 0.0))):
        scale = f" ({c['scale']})" if c.get("scale") else ""
        detail = f": {c['detail']}" if c.get("detail") else ""
        parts.append(f"{c.get('name', '?')}{scale} {float(c.get('weight', 0.0)):.0%}{detail}")
    return "; ".join(parts)


def anomaly_record(row: AnomalyRow, explanation: dict[str, Any]) -> dict[str, Any]:
    """One anomaly as the flat row a spreadsheet shows (times as int ns; formats convert)."""
    return {
        "id": row.id,
        "uid": row.uid,
        "dataset": row.dataset,
        "series": row.series,
        "entity": row.entity,
        "type": row.type,
        "severity": row.severity.value,
        "score": row.score,
        "score_at_triage": row.score_at_triage,
        "status": row.status.value,
        "assignee": row.assignee,
        "tags": ", ".join(row.tags),
        "starred": row.starred,
        "start": row.start_ns,
        "end": row.end_ns,
        "peak": row.peak_ns,
        "duration_s": row.duration_ns / NS,
        "actual": row.actual,
        "expected": row.expected,
        "band_low": row.band_low,
        "band_high": row.band_high,
        "summary": row.summary,
        "narrative": explanation.get("narrative") or row.summary,
        "contributions": contributions_text(explanation),
    }


def iter_anomalies(
    ws: Workspace, spec: FilterSpec, sort: SortSpec | None = None
) -> Iterator[tuple[AnomalyRow, dict[str, Any]]]:
    """Every anomaly ``spec`` selects with its explanation, page by page (keyset paging)."""
    after = None
    while True:
        rows, after = ws.anomalies(spec, sort or SortSpec("start", descending=False), after, PAGE)
        for row in rows:
            yield row, ws.anomaly(row.id)[1]
        if after is None:
            return


def export_anomalies(
    ws: Workspace,
    spec: FilterSpec,
    fmt: str,
    dest: Path,
    progress: Progress | None = None,
    ids: tuple[int, ...] = (),
) -> int:
    """Write the selected anomalies (``ids`` if given, else those ``spec`` matches) to
    ``dest``; returns how many. Written under a temporary name first, then renamed."""
    if fmt not in ANOMALY_FORMATS:
        choices = ", ".join(ANOMALY_FORMATS)
        raise BadInputError("export", f"unknown format {fmt!r} (choose {choices})")
    progress = progress or silent()
    total = len(ids) if ids else max(1, ws.count_anomalies(spec))
    found: list[tuple[AnomalyRow, dict[str, Any]]] = []
    source = (ws.anomaly(i) for i in ids) if ids else iter_anomalies(ws, spec)
    for item in source:
        found.append(item)
        if len(found) % 500 == 0:
            progress.check()
            progress.update(len(found) / total, "reading anomalies")
    tmp = dest.with_name(dest.name + ".partial")
    try:
        if fmt == "json":
            _write_json(found, tmp)
        else:
            _write_table(found, fmt, tmp)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return len(found)


def _write_json(found: list[tuple[AnomalyRow, dict[str, Any]]], dest: Path) -> None:
    items = []
    for row, explanation in found:
        record = anomaly_record(row, explanation)
        record.update({k: iso(record[k]) for k in TIME_COLUMNS})
        record["tags"] = list(row.tags)
        record["explanation"] = explanation
        del record["contributions"]  # in the explanation, structured
        items.append({k: _json_safe(v) for k, v in record.items()})
    with dest.open("w", encoding="utf-8") as fh:
        # allow_nan=False: NaN is not JSON; a missing value is written as null (above).
        json.dump(items, fh, ensure_ascii=False, indent=1, allow_nan=False)
        fh.write("\n")


def _json_safe(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


def _write_table(found: list[tuple[AnomalyRow, dict[str, Any]]], fmt: str, dest: Path) -> None:
    records = [anomaly_record(row, explanation) for row, explanation in found]
    data = {name: [r[name] for r in records] for name in _SCHEMA.names}
    table = pa.table(data, schema=_SCHEMA)
    if fmt == "parquet":
        pq.write_table(table, dest)
        return
    for name in TIME_COLUMNS:
        index = table.schema.get_field_index(name)
        texts = pa.array([iso(ns) for ns in data[name]], pa.string())
        table = table.set_column(index, name, texts)
    pacsv.write_csv(table, dest)


_SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("uid", pa.string()),
        ("dataset", pa.string()),
        ("series", pa.string()),
        ("entity", pa.string()),
        ("type", pa.string()),
        ("severity", pa.string()),
        ("score", pa.float64()),
        ("score_at_triage", pa.float64()),
        ("status", pa.string()),
        ("assignee", pa.string()),
        ("tags", pa.string()),
        ("starred", pa.bool_()),
        ("start", pa.timestamp("ns", "UTC")),
        ("end", pa.timestamp("ns", "UTC")),
        ("peak", pa.timestamp("ns", "UTC")),
        ("duration_s", pa.float64()),
        ("actual", pa.float64()),
        ("expected", pa.float64()),
        ("band_low", pa.float64()),
        ("band_high", pa.float64()),
        ("summary", pa.string()),
        ("narrative", pa.string()),
        ("contributions", pa.string()),
    ]
)
