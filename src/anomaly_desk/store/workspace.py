"""``Workspace``: the one facade over a workspace file that the CLI, the GUI and sync use.

A ``Workspace`` holds one connection and belongs to the thread that opened it; a worker thread
opens its own. Every write is one transaction: a failed, cancelled or killed write leaves the
file as it was.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from sqlalchemy import Connection, CursorResult, delete, insert, select

from anomaly_desk import __version__
from anomaly_desk.errors import WorkspaceError
from anomaly_desk.model import (
    DatasetInfo,
    DatasetKind,
    ImportReport,
    Mapping,
    SeriesInfo,
)
from anomaly_desk.paths import default_workspace_path
from anomaly_desk.progress import Progress, silent
from anomaly_desk.store import points, schema
from anomaly_desk.store.engine import make_engine
from anomaly_desk.store.migrate import copy_with_backup_api, ensure_schema
from anomaly_desk.store.new_dataset import NewDataset
from anomaly_desk.store.tables import create_data_table, drop_data_table, read_data_table
from anomaly_desk.store.workspace_annotations import AnnotationsMixin
from anomaly_desk.store.workspace_anomalies import AnomaliesMixin
from anomaly_desk.store.workspace_base import utc_now
from anomaly_desk.store.workspace_incidents import IncidentsMixin
from anomaly_desk.store.workspace_rules import RulesMixin
from anomaly_desk.store.workspace_triage import TriageMixin


def from_ns(value: int | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value / 1e9, tz=UTC)


class Workspace(AnomaliesMixin, RulesMixin, TriageMixin, IncidentsMixin, AnnotationsMixin):
    """An open workspace file. Use ``Workspace.open(path)``; close it (or use ``with``)."""

    @classmethod
    def open(cls, path: Path | str | None = None, *, create: bool = True) -> Workspace:
        path = Path(path) if path is not None else default_workspace_path()
        if path.exists() and not path.is_file():
            raise WorkspaceError(f"{path} is not a file")
        if not path.exists():
            if not create:
                raise WorkspaceError(f"no workspace at {path}")
            path.parent.mkdir(parents=True, exist_ok=True)
        elif path.stat().st_size and not _looks_like_sqlite(path):
            raise WorkspaceError(f"{path} is not a workspace (not an SQLite file)")
        engine = make_engine(path)
        ensure_schema(engine, path)
        ws = cls(path, engine.connect())
        if not ws._meta("created_at"):
            # OR IGNORE: another thread or process opening the same new file may have written
            # these between the check and here; the first one's record stands.
            with ws._write() as conn:
                conn.execute(
                    insert(schema.workspace_meta).prefix_with("OR IGNORE"),
                    [
                        {"key": "created_at", "value": utc_now()},
                        {"key": "created_by", "value": f"anomaly-desk {__version__}"},
                    ],
                )
        return ws

    def close(self) -> None:
        engine = self._conn.engine
        self._conn.close()
        engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- datasets -----------------------------------------------------------------------

    def datasets(self) -> list[DatasetInfo]:
        with self._read() as conn:
            rows = conn.execute(select(schema.datasets).order_by(schema.datasets.c.name)).all()
            counts: dict[int, int] = dict(
                conn.exec_driver_sql(
                    "SELECT dataset_id, count(*) FROM series GROUP BY dataset_id"
                ).all()
            )
        return [_dataset_info(row._mapping, counts.get(row.id, 0)) for row in rows]

    def dataset(self, name: str) -> DatasetInfo:
        for info in self.datasets():
            if info.name == name:
                return info
        names = ", ".join(d.name for d in self.datasets()) or "none"
        raise WorkspaceError(f"no dataset named {name!r} in {self.path} (datasets: {names})")

    def has_dataset(self, name: str) -> bool:
        with self._read() as conn:
            found = conn.execute(
                select(schema.datasets.c.id).where(schema.datasets.c.name == name)
            ).first()
        return found is not None

    def series(self, dataset: DatasetInfo) -> list[SeriesInfo]:
        with self._read() as conn:
            rows = conn.execute(
                select(schema.series)
                .where(schema.series.c.dataset_id == dataset.id)
                .order_by(schema.series.c.id)
            ).all()
        return [_series_info(r) for r in rows]

    def read_series(
        self, series_id: int, start_ns: int | None = None, end_ns: int | None = None
    ) -> tuple[points.I64, points.F64]:
        """Timestamps (int64 ns, UTC) and values (float64, NaN = missing), in file order.

        With ``start_ns``/``end_ns``, only the points in that closed range: chunks that cannot
        hold any (their stored min/max time lie outside) are not read or decoded, so the
        context of one anomaly on a 10M-point series costs a few chunks, not the series.
        """
        chunks = schema.point_chunks.c
        query = select(chunks.n, chunks.ts, chunks.vals, chunks.codec).where(
            chunks.series_id == series_id
        )
        if start_ns is not None:
            query = query.where(chunks.end_ns >= start_ns)
        if end_ns is not None:
            query = query.where(chunks.start_ns <= end_ns)
        with self._read() as conn:
            rows = conn.execute(query.order_by(chunks.chunk_no)).all()
        ts, values = points.decode([(r.n, r.ts, r.vals) for r in rows], [r.codec for r in rows])
        if start_ns is None and end_ns is None:
            return ts, values
        keep = np.ones(len(ts), dtype=bool)
        if start_ns is not None:
            keep &= ts >= start_ns
        if end_ns is not None:
            keep &= ts <= end_ns
        return ts[keep], values[keep]

    def read_table(self, dataset: DatasetInfo) -> Any:
        """The rows of an events or records dataset as a pandas DataFrame."""
        if dataset.kind is DatasetKind.TIMESERIES:
            raise WorkspaceError(f"{dataset.name!r} is a time series dataset, not a table")
        with self._read() as conn:
            return read_data_table(conn, dataset.id, dataset.mapping)

    def add_dataset(self, new: NewDataset, progress: Progress | None = None) -> DatasetInfo:
        """Store a fully validated dataset in one transaction (all or nothing)."""
        progress = progress or silent()
        with self._write() as conn:
            exists = conn.execute(
                select(schema.datasets.c.id).where(schema.datasets.c.name == new.name)
            ).first()
            if exists:
                raise WorkspaceError(
                    f"a dataset named {new.name!r} already exists in {self.path}; "
                    "import under another name (--name) or delete it first"
                )
            dataset_id = _new_id(
                conn.execute(
                    insert(schema.datasets).values(
                        name=new.name,
                        kind=new.mapping.kind.value,
                        source_path=new.source_path,
                        source_sha256=new.source_sha256,
                        source_size=new.source_size,
                        mapping=json.dumps(new.mapping.to_json()),
                        timezone=new.mapping.timezone,
                        report=json.dumps(new.report.to_json()),
                        rows=new.rows,
                        imported_at=utc_now(),
                    )
                )
            )
            total = max(1, sum(len(s.ts_ns) for s in new.series) + new.table_rows)
            done = _insert_series(conn, dataset_id, new, progress, total)
            if new.table is not None:
                table_name = create_data_table(
                    conn, dataset_id, new.table, lambda n: progress.update((done + n) / total)
                )
                conn.execute(
                    schema.datasets.update()
                    .where(schema.datasets.c.id == dataset_id)
                    .values(data_table=table_name)
                )
            progress.check()
        return self.dataset(new.name)

    def series_by_id(self, series_id: int) -> SeriesInfo:
        with self._read() as conn:
            found = conn.execute(
                select(schema.series).where(schema.series.c.id == series_id)
            ).first()
        if found is None:
            raise WorkspaceError(f"no series with id {series_id} in {self.path}")
        return _series_info(found)

    def delete_dataset(self, name: str) -> None:
        info = self.dataset(name)
        with self._write() as conn:
            drop_data_table(conn, info.id)
            conn.execute(delete(schema.datasets).where(schema.datasets.c.id == info.id))

    def backup(self, dest: Path) -> None:
        """A consistent copy of this workspace at ``dest`` (SQLite backup API)."""
        dest = Path(dest)
        if dest.exists():
            raise WorkspaceError(f"{dest} already exists; choose a new file for the backup")
        if not dest.parent.is_dir():
            raise WorkspaceError(f"{dest.parent} is not a directory")
        tmp = dest.with_name(dest.name + ".partial")
        try:
            copy_with_backup_api(self.path, tmp)
            tmp.replace(dest)
        finally:
            tmp.unlink(missing_ok=True)


SERIES_BATCH = 128
_SERIES_COLUMNS = (
    "id", "dataset_id", "name", "entity", "value_column", "points", "start_ns", "end_ns",
    "step_seconds", "vmin", "vmax",
)  # fmt: skip


def _insert_series(
    conn: Connection, dataset_id: int, new: NewDataset, progress: Progress, total: int
) -> int:
    """Series rows and their point chunks with plain ``executemany`` in batches.

    Per-row SQLAlchemy statements cost more than the writing itself at a thousand series;
    ids are assigned here, which is safe inside the BEGIN IMMEDIATE write transaction.
    """
    next_id = int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM series").scalar_one())
    series_sql = (
        f"INSERT INTO series ({', '.join(_SERIES_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _SERIES_COLUMNS)})"
    )
    chunk_sql = (
        "INSERT INTO point_chunks (series_id, chunk_no, n, start_ns, end_ns, codec, ts, vals) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    done = 0
    for first in range(0, len(new.series), SERIES_BATCH):
        progress.check()
        series_rows: list[tuple[Any, ...]] = []
        chunk_rows: list[tuple[Any, ...]] = []
        for item in new.series[first : first + SERIES_BATCH]:
            next_id += 1
            summary = item.summary()
            series_rows.append((next_id, dataset_id, *(summary[c] for c in _SERIES_COLUMNS[2:])))
            chunk_rows.extend(
                (next_id, c.chunk_no, c.n, c.start_ns, c.end_ns, points.CODEC, c.ts, c.vals)
                for c in points.encode(item.ts_ns, item.values)
            )
            done += len(item.ts_ns)
        conn.exec_driver_sql(series_sql, series_rows)
        if chunk_rows:
            conn.exec_driver_sql(chunk_sql, chunk_rows)
        progress.update(done / total, "storing series")
    return done


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _looks_like_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def _dataset_info(row: Any, series_count: int) -> DatasetInfo:
    return DatasetInfo(
        id=row["id"],
        name=row["name"],
        kind=DatasetKind(row["kind"]),
        source_path=row["source_path"],
        source_sha256=row["source_sha256"],
        mapping=Mapping.from_json(json.loads(row["mapping"])),
        report=ImportReport.from_json(json.loads(row["report"])),
        imported_at=datetime.fromisoformat(row["imported_at"]),
        rows=row["rows"],
        series_count=series_count,
    )


def _series_info(r: Any) -> SeriesInfo:
    return SeriesInfo(
        id=r.id,
        dataset_id=r.dataset_id,
        name=r.name,
        entity=r.entity,
        value_column=r.value_column,
        points=r.points,
        start=from_ns(r.start_ns),
        end=from_ns(r.end_ns),
        step_seconds=r.step_seconds,
    )
