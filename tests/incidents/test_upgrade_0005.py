"""A workspace written at schema 0004 opens upgraded to 0005, its data and audit chain intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from anomaly_desk.model import AuditHead
from anomaly_desk.store import Workspace
from anomaly_desk.store.migrate import head_revision
from anomaly_desk.triage import audit


def _workspace_at_0004(path: Path) -> str:
    """A 0004 file with a dataset, a series, a run, an anomaly and one audit record."""
    from alembic import command

    from anomaly_desk.store.engine import make_engine
    from anomaly_desk.store.migrate import _config

    engine = make_engine(path)
    config = _config()
    record = audit.seal(None, "t0", "ann", "update", "anomaly", "a-1", "{}", '{"status":"x"}')
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        for sql, values in (
            ("INSERT INTO workspace_meta VALUES ('created_at', 'long ago')", ()),
            ("INSERT INTO datasets VALUES (1, 'm', 'timeseries', '/m.csv', ?, 1, "
             "'{\"kind\": \"timeseries\"}', 'UTC', '{}', 1, NULL, 'then')", ("0" * 64,)),
            ("INSERT INTO series (id, dataset_id, name, entity, value_column, points) "
             "VALUES (1, 1, 'db-01/latency_ms', 'db-01', 'latency_ms', 0)", ()),
            ("INSERT INTO detection_runs (id, uid, dataset_id, preset, config, versions, seed, "
             "input_sha256, started_at, anomaly_count) "
             "VALUES (1, 'r-1', 1, 'auto', '{}', '{}', 0, ?, 'then', 1)", ("0" * 64,)),
            ("INSERT INTO anomalies (id, uid, run_id, dataset_id, series_id, type, start_ns, "
             "end_ns, peak_ns, score, severity, status, starred, summary, explanation, "
             "updated_at) VALUES (1, 'a-1', 1, 1, 1, 'spike', 10, 20, 15, 80.0, 'critical', "
             "'triaged', 0, 'slow', '{}', 'then')", ()),
            ("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             (record.seq, record.at, record.actor, record.action, record.object_type,
              record.object_uid, record.before, record.after, record.prev_hash, record.hash)),
            ("INSERT INTO workspace_meta VALUES ('audit_head', ?)",
             (audit.head_text(AuditHead(1, record.hash)),)),
        ):  # fmt: skip
            conn.exec_driver_sql(sql, values)
        conn.commit()
    engine.dispose()
    return record.hash


def test_0004_workspace_is_upgraded_with_its_data(workspace_path: Path) -> None:
    first_hash = _workspace_at_0004(workspace_path)
    with Workspace.open(workspace_path) as ws:
        raw = ws._conn.connection.driver_connection
        version = raw.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        assert version == head_revision()
        assert ws._meta("created_at") == "long ago"
        row, _ = ws.anomaly(1)
        assert (row.series, row.status.value, row.summary) == (
            "db-01/latency_ms",
            "triaged",
            "slow",
        )
        assert ws.incidents() == [] and ws.annotations() == []
        assert ws.audit_head() == AuditHead(1, first_hash)
        made = ws.create_incident("db-01 slow", [1], "ann")  # the new tables work at once
        ws.add_annotation("firmware update", 10, 20, "ann", series_id=1)
        assert [r.seq for r in ws.audit_records()] == [1, 2, 3]
        assert ws.verify_audit().ok
        assert ws.incident(made.id)[0].anomaly_ids == (1,)
    (backup,) = workspace_path.parent.glob("ws.sqlite.before-*.bak")
    old = sqlite3.connect(backup)
    try:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0004"
    finally:
        old.close()


def test_downgrade_to_0004_drops_only_the_new_tables(workspace_path: Path) -> None:
    from alembic import command

    from anomaly_desk.store.engine import make_engine
    from anomaly_desk.store.migrate import _config

    Workspace.open(workspace_path).close()
    engine = make_engine(workspace_path)
    config = _config()
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
        conn.commit()
        tables = {
            r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        }
    engine.dispose()
    assert not tables & {"incidents", "incident_members", "annotations"}
    assert {"anomalies", "audit_log", "comment_links"} <= tables
