from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from anomaly_desk.errors import Cancelled, NewerWorkspaceError, WorkspaceError
from anomaly_desk.model import DatasetKind, ImportReport, Mapping
from anomaly_desk.progress import Progress
from anomaly_desk.store import NewDataset, NewSeries, Workspace, points
from anomaly_desk.store.schema import include_in_autogenerate, metadata
from tests.conftest import logical_snapshot


def _dataset(name: str, n_series: int = 2, points: int = 1000) -> NewDataset:
    rng = np.random.default_rng(1)
    series = [
        NewSeries(
            name=f"s{i}",
            entity=f"e{i}",
            value_column="v",
            ts_ns=np.arange(points, dtype=np.int64) * 60_000_000_000 + i,
            values=rng.normal(size=points),
        )
        for i in range(n_series)
    ]
    return NewDataset(
        name=name,
        source_path="/data/x.csv",
        source_sha256="ab" * 32,
        source_size=123,
        mapping=Mapping(DatasetKind.TIMESERIES, timestamp="t", entity="e", values=("v",)),
        report=ImportReport(rows=points * n_series),
        rows=points * n_series,
        series=series,
    )


def test_new_workspace_has_safe_pragmas(workspace_path: Path) -> None:
    with Workspace.open(workspace_path):
        conn = sqlite3.connect(workspace_path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()
    # synchronous and foreign_keys are per connection: check ours.
    with Workspace.open(workspace_path) as ws:
        raw = ws._conn.connection.driver_connection
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_series_round_trip_exactly(ws: Workspace) -> None:
    new = _dataset("d", n_series=3, points=200_000)  # several chunks per series
    info = ws.add_dataset(new)
    stored = ws.series(info)
    assert [s.name for s in stored] == ["s0", "s1", "s2"]
    for s, original in zip(stored, new.series, strict=True):
        ts, values = ws.read_series(s.id)
        np.testing.assert_array_equal(ts, original.ts_ns)
        np.testing.assert_array_equal(values, original.values)
        assert s.points == 200_000
        assert ws.series_by_id(s.id) == s  # one series, read alone
    with pytest.raises(WorkspaceError, match="no series with id 999"):
        ws.series_by_id(999)


def test_a_time_range_reads_only_its_points_and_chunks(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = _dataset("d", n_series=1, points=200_000)  # several chunks
    ts_all = new.series[0].ts_ns
    info = ws.add_dataset(new)
    series_id = ws.series(info)[0].id
    lo, hi = int(ts_all[150_000]), int(ts_all[150_099])
    decoded: list[int] = []
    decode = points.decode

    def counting(chunks: list[tuple[int, bytes, bytes]], codecs: list[str]) -> object:
        decoded.extend(n for n, _, _ in chunks)
        return decode(chunks, codecs)

    monkeypatch.setattr(points, "decode", counting)
    ts, values = ws.read_series(series_id, lo, hi)
    np.testing.assert_array_equal(ts, ts_all[150_000:150_100])  # a closed range
    np.testing.assert_array_equal(values, new.series[0].values[150_000:150_100])
    assert 0 < sum(decoded) < 200_000 // 2  # the chunks around the range, not the series
    assert len(ws.read_series(series_id, int(ts_all[-1]) + 1)[0]) == 0


def test_unsorted_series_and_nan_survive(ws: Workspace) -> None:
    new = _dataset("d", n_series=1, points=10)
    new.series[0].ts_ns = new.series[0].ts_ns[::-1].copy()
    new.series[0].values[3] = np.nan
    info = ws.add_dataset(new)
    ts, values = ws.read_series(ws.series(info)[0].id)
    np.testing.assert_array_equal(ts, new.series[0].ts_ns)
    assert np.isnan(values[3]) and np.isfinite(np.delete(values, 3)).all()


def test_cancelled_write_leaves_nothing(ws: Workspace, workspace_path: Path) -> None:
    ws.add_dataset(_dataset("kept"))
    before = logical_snapshot(workspace_path)
    progress = Progress()
    calls = 0

    def cancel_midway(_fraction: float, _message: str) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # the first batch is written, then the cancel arrives
            progress.cancel()

    progress._callback = cancel_midway
    with pytest.raises(Cancelled):
        ws.add_dataset(_dataset("gone", n_series=5), progress)
    assert logical_snapshot(workspace_path) == before
    assert [d.name for d in ws.datasets()] == ["kept"]


def test_duplicate_name_refused(ws: Workspace, workspace_path: Path) -> None:
    ws.add_dataset(_dataset("d"))
    before = logical_snapshot(workspace_path)
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.add_dataset(_dataset("d"))
    assert logical_snapshot(workspace_path) == before


def test_delete_dataset_removes_its_points(ws: Workspace) -> None:
    info = ws.add_dataset(_dataset("d"))
    ws.delete_dataset("d")
    assert ws.datasets() == []
    raw = ws._conn.connection.driver_connection
    assert raw.execute("SELECT count(*) FROM point_chunks").fetchone()[0] == 0
    with pytest.raises(WorkspaceError, match="no dataset named 'd'"):
        ws.dataset(info.name)


def test_newer_workspace_refused_and_untouched(workspace_path: Path) -> None:
    Workspace.open(workspace_path).close()
    conn = sqlite3.connect(workspace_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.close()
    before = workspace_path.read_bytes()
    with pytest.raises(NewerWorkspaceError, match="newer version"):
        Workspace.open(workspace_path)
    assert workspace_path.read_bytes() == before


def test_foreign_files_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("hello")
    with pytest.raises(WorkspaceError, match="not an SQLite file"):
        Workspace.open(text)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(WorkspaceError, match="not an Anomaly Desk workspace"):
        Workspace.open(other)
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace.open(tmp_path / "missing.sqlite", create=False)


def test_migrations_build_exactly_the_schema(workspace_path: Path) -> None:
    Workspace.open(workspace_path).close()
    engine = create_engine(f"sqlite:///{workspace_path}")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_in_autogenerate})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_audit_log_is_append_only(ws: Workspace) -> None:
    raw = ws._conn.connection.driver_connection
    raw.execute(
        "INSERT INTO audit_log (at, actor, action, object_type, object_uid, prev_hash, hash) "
        "VALUES ('t', 'me', 'create', 'anomaly', 'u1', '0', '1')"
    )
    for statement in ("UPDATE audit_log SET actor = 'you'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)


def test_backup_is_a_complete_workspace(ws: Workspace, tmp_path: Path) -> None:
    ws.add_dataset(_dataset("d"))
    dest = tmp_path / "copy.sqlite"
    ws.backup(dest)
    with Workspace.open(dest, create=False) as copy:
        assert [d.name for d in copy.datasets()] == ["d"]
        series = copy.series(copy.dataset("d"))[0]
        np.testing.assert_array_equal(
            copy.read_series(series.id)[1], _dataset("d").series[0].values
        )
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.backup(dest)


def test_two_workspaces_on_one_file_see_each_others_commits(workspace_path: Path) -> None:
    # A GUI reader and a worker writer each hold their own connection.
    with Workspace.open(workspace_path) as reader, Workspace.open(workspace_path) as writer:
        assert reader.datasets() == []
        writer.add_dataset(_dataset("d"))
        assert [d.name for d in reader.datasets()] == ["d"]


def test_older_workspace_is_backed_up_then_upgraded(workspace_path: Path) -> None:
    from alembic import command

    from anomaly_desk.store.engine import make_engine
    from anomaly_desk.store.migrate import _config, head_revision

    engine = make_engine(workspace_path)
    config = _config()
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.exec_driver_sql(
            "INSERT INTO workspace_meta (key, value) VALUES ('created_at', 'long ago')"
        )
        conn.commit()
    engine.dispose()
    old_bytes_snapshot = logical_snapshot(workspace_path)
    with Workspace.open(workspace_path) as ws:
        assert ws._meta("created_at") == "long ago"
        raw = ws._conn.connection.driver_connection
        version = raw.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        assert version == head_revision()
    (backup,) = workspace_path.parent.glob("ws.sqlite.before-*.bak")
    assert logical_snapshot(backup) == old_bytes_snapshot
