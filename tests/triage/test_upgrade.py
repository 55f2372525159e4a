"""Migration 0004 on a workspace that already holds audit records: the head is recorded."""

from __future__ import annotations

from pathlib import Path

from anomaly_desk.model import AuditHead, Status
from anomaly_desk.store import Workspace
from anomaly_desk.triage import audit
from tests.triage.helpers import seed


def test_existing_records_get_their_head_on_upgrade(workspace_path: Path) -> None:
    from alembic import command

    from anomaly_desk.store.engine import make_engine
    from anomaly_desk.store.migrate import _config

    engine = make_engine(workspace_path)
    config = _config()
    first = audit.seal(None, "t0", "ann", "create", "rule", "r-1", None, "{}")
    second = audit.seal(AuditHead(1, first.hash), "t1", "ann", "delete", "rule", "r-1", "{}", None)
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        for r in (first, second):
            conn.exec_driver_sql(
                "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (r.seq, r.at, r.actor, r.action, r.object_type, r.object_uid, r.before,
                 r.after, r.prev_hash, r.hash),
            )  # fmt: skip
        conn.commit()
    engine.dispose()
    with Workspace.open(workspace_path) as ws:
        assert ws.audit_head() == AuditHead(2, second.hash)
        assert ws.verify_audit().ok
        (a,) = seed(ws, n=1)
        ws.set_status(a, Status.TRIAGED, "ann")  # the chain goes on from the recorded head
        assert [r.seq for r in ws.audit_records()] == [1, 2, 3]
        assert ws.verify_audit().ok
