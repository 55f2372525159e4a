"""A validated dataset on its way into the workspace (built by ingest, stored by Workspace)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from anomaly_desk.model import ImportReport, Mapping
from anomaly_desk.store.points import F64, I64


@dataclass
class NewSeries:
    name: str
    entity: str | None
    value_column: str
    ts_ns: I64
    values: F64
    step_seconds: float | None = None

    def summary(self) -> dict[str, Any]:
        finite = self.values[np.isfinite(self.values)]
        has_points = len(self.ts_ns) > 0
        return {
            "name": self.name,
            "entity": self.entity,
            "value_column": self.value_column,
            "points": len(self.ts_ns),
            "start_ns": int(self.ts_ns.min()) if has_points else None,
            "end_ns": int(self.ts_ns.max()) if has_points else None,
            "step_seconds": self.step_seconds,
            "vmin": float(finite.min()) if len(finite) else None,
            "vmax": float(finite.max()) if len(finite) else None,
        }


@dataclass
class NewDataset:
    name: str
    source_path: str
    source_sha256: str
    source_size: int
    mapping: Mapping
    report: ImportReport
    rows: int
    series: list[NewSeries] = field(default_factory=list)
    table: pa.Table | None = None  # events and records: every column, timestamps as int64 ns

    @property
    def table_rows(self) -> int:
        return 0 if self.table is None else self.table.num_rows
