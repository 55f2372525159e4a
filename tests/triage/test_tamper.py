"""Tampering with a real workspace file, as an attacker would: with plain sqlite3, after
dropping the append-only triggers. ``verify`` (API and command line) must catch every case and
name the right record; an untouched chain verifies."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from anomaly_desk.cli import cli
from anomaly_desk.cli.common import EXIT_VERIFY_FAILED
from anomaly_desk.model import AuditHead
from anomaly_desk.store import Workspace
from anomaly_desk.triage import audit
from anomaly_desk.triage.audit import BreakReason
from tests.triage.helpers import build_chain, raw

N = 12  # records build_chain writes
COLUMNS = "at, actor, action, object_type, object_uid, before, after, prev_hash, hash"

Attack = Callable[[sqlite3.Connection], None]


def _rows(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute(f"SELECT seq, {COLUMNS} FROM audit_log ORDER BY seq").fetchall()


def _flip_byte(column: str, seq: int, bit: int) -> Attack:
    def attack(conn: sqlite3.Connection) -> None:
        (blob,) = conn.execute(
            f"SELECT CAST({column} AS BLOB) FROM audit_log WHERE seq = ?", (seq,)
        ).fetchone()
        data = bytearray(blob)
        data[len(data) // 2] ^= bit
        conn.execute(
            f"UPDATE audit_log SET {column} = CAST(? AS TEXT) WHERE seq = ?", (bytes(data), seq)
        )

    return attack


def _sql(*statements: str) -> Attack:
    def attack(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return attack


def _swap(i: int, j: int) -> Attack:
    def attack(conn: sqlite3.Connection) -> None:
        conn.execute(f"UPDATE audit_log SET seq = -1 WHERE seq = {i}")
        conn.execute(f"UPDATE audit_log SET seq = {i} WHERE seq = {j}")
        conn.execute(f"UPDATE audit_log SET seq = {j} WHERE seq = -1")

    return attack


def _forge_after(position: int, shift: bool) -> Attack:
    """A record forged with correct hashes, slipped in after ``position``."""

    def attack(conn: sqlite3.Connection) -> None:
        (prev,) = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (position,)).fetchone()
        if shift:  # make room: move the later records up by one, last first
            for (seq,) in conn.execute(
                "SELECT seq FROM audit_log WHERE seq > ? ORDER BY seq DESC", (position,)
            ).fetchall():
                conn.execute("UPDATE audit_log SET seq = seq + 1 WHERE seq = ?", (seq,))
        forged = audit.seal(
            AuditHead(position, prev), "2026-01-01T00:00:00.000+00:00", "mallory", "update",
            "anomaly", "uid-x", None, audit.state_json({"status": "resolved"}),
        )  # fmt: skip
        conn.execute(
            f"INSERT INTO audit_log (seq, {COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (forged.seq, forged.at, forged.actor, forged.action, forged.object_type,
             forged.object_uid, forged.before, forged.after, forged.prev_hash, forged.hash),
        )  # fmt: skip

    return attack


def _rehash_from(seq: int, update_head: bool) -> Attack:
    """Change record ``seq`` and recompute every hash from there on, consistently."""

    def attack(conn: sqlite3.Connection) -> None:
        rows = _rows(conn)
        head: AuditHead | None = None
        for row in rows:
            s, at, actor, action, otype, ouid, before, after, _prev, digest = row
            if s == seq:
                after = audit.state_json({"status": "false_positive"})
            if s >= seq:
                rec = audit.seal(head, at, actor, action, otype, ouid, before, after)
                conn.execute(
                    "UPDATE audit_log SET after = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                    (after, rec.prev_hash, rec.hash, s),
                )
                digest = rec.hash
            head = AuditHead(s, digest)
        if update_head and head is not None:
            conn.execute(
                "UPDATE workspace_meta SET value = ? WHERE key = 'audit_head'",
                (audit.head_text(head),),
            )

    return attack


CASES: dict[str, tuple[Attack, int, BreakReason]] = {
    "before, one bit (ASCII)": (_flip_byte("before", 5, 0x01), 5, BreakReason.HASH_MISMATCH),
    "after, one bit (ASCII)": (_flip_byte("after", 2, 0x01), 2, BreakReason.HASH_MISMATCH),
    "after, high bit (not UTF-8)": (_flip_byte("after", 7, 0x80), 7, BreakReason.HASH_MISMATCH),
    "before, first record": (_flip_byte("after", 1, 0x02), 1, BreakReason.HASH_MISMATCH),
    "actor": (_sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 6"), 6, BreakReason.HASH_MISMATCH),
    "time": (_sql("UPDATE audit_log SET at = '2020-01-01' WHERE seq = 9"), 9, BreakReason.HASH_MISMATCH),
    "before set to null": (_sql("UPDATE audit_log SET before = NULL WHERE seq = 3"), 3, BreakReason.HASH_MISMATCH),
    "stored hash": (_sql("UPDATE audit_log SET hash = lower(hex(randomblob(32))) WHERE seq = 4"), 4, BreakReason.HASH_MISMATCH),
    "prev_hash": (_sql("UPDATE audit_log SET prev_hash = lower(hex(randomblob(32))) WHERE seq = 8"), 8, BreakReason.BROKEN_LINK),
    "delete a middle row": (_sql("DELETE FROM audit_log WHERE seq = 5"), 5, BreakReason.SEQUENCE_GAP),
    "delete the first row": (_sql("DELETE FROM audit_log WHERE seq = 1"), 1, BreakReason.SEQUENCE_GAP),
    "delete a row and renumber": (
        _sql("DELETE FROM audit_log WHERE seq = 5", "UPDATE audit_log SET seq = seq - 1 WHERE seq > 5"),
        5, BreakReason.BROKEN_LINK,
    ),
    "swap two adjacent rows": (_swap(3, 4), 3, BreakReason.REORDERED),
    "swap two distant rows": (_swap(2, 10), 2, BreakReason.REORDERED),
    "forged row appended": (_forge_after(N, shift=False), N + 1, BreakReason.BEYOND_HEAD),
    "forged row slipped in": (_forge_after(6, shift=True), 7, BreakReason.INSERTED),
    "forged row before the last": (_forge_after(N - 1, shift=True), N, BreakReason.INSERTED),
    "tail truncated": (_sql("DELETE FROM audit_log WHERE seq > 9"), 10, BreakReason.MISSING_RECORDS),
    "last record removed": (_sql(f"DELETE FROM audit_log WHERE seq = {N}"), N, BreakReason.MISSING_RECORDS),
    "everything deleted": (_sql("DELETE FROM audit_log"), 1, BreakReason.MISSING_RECORDS),
    "chain re-hashed from record 4": (_rehash_from(4, update_head=False), N, BreakReason.HEAD_MISMATCH),
    "chain re-hashed from record 1": (_rehash_from(1, update_head=False), N, BreakReason.HEAD_MISMATCH),
    "recorded head removed": (_sql("DELETE FROM workspace_meta WHERE key = 'audit_head'"), N, BreakReason.HEAD_MISSING),
    "recorded head altered": (
        _sql("UPDATE workspace_meta SET value = json_set(value, '$.hash', lower(hex(randomblob(32)))) WHERE key = 'audit_head'"),
        N, BreakReason.HEAD_MISMATCH,
    ),
}  # fmt: skip


def _tamper(path: Path, attack: Attack) -> None:
    conn = raw(path)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("BEGIN")
        attack(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chain") / "ws.sqlite"
    with Workspace.open(path) as ws:
        build_chain(ws)
        assert ws.verify_audit().records == N
    return path  # closed: the WAL is checkpointed into the one file


@pytest.fixture
def chained(template: Path, workspace_path: Path) -> Path:
    shutil.copyfile(template, workspace_path)  # a fresh copy of the same chain for each attack
    return workspace_path


def test_an_untouched_chain_verifies(chained: Path) -> None:
    with Workspace.open(chained, create=False) as ws:
        result = ws.verify_audit()
        assert result.ok and result.records == N and result.head == ws.audit_head()
    done = CliRunner().invoke(cli, ["verify", "-w", str(chained)])
    assert done.exit_code == 0, done.output
    assert f"audit chain intact: {N} records, head {N}:" in done.output


@pytest.mark.parametrize("name", list(CASES))
def test_tampering_is_caught_and_the_record_named(chained: Path, name: str) -> None:
    attack, seq, reason = CASES[name]
    _tamper(chained, attack)
    with Workspace.open(chained, create=False) as ws:
        bad = ws.verify_audit().first_bad
    assert bad is not None, name
    assert (bad.seq, bad.reason) == (seq, reason), bad.describe()
    done = CliRunner().invoke(cli, ["verify", "-w", str(chained)])
    assert done.exit_code == EXIT_VERIFY_FAILED
    assert f"record {seq}: {reason}" in done.output


def test_a_fully_rewritten_chain_is_caught_by_a_head_kept_elsewhere(chained: Path) -> None:
    with Workspace.open(chained, create=False) as ws:
        exported = ws.audit_head()  # e.g. printed in a case report or held by the server
    assert exported is not None
    _tamper(chained, _rehash_from(4, update_head=True))
    with Workspace.open(chained, create=False) as ws:
        assert ws.verify_audit().ok  # consistent inside the file: only an outside copy can tell
        bad = ws.verify_audit(exported).first_bad
    assert bad is not None and (bad.seq, bad.reason) == (N, BreakReason.ANCHOR_MISMATCH)
    done = CliRunner().invoke(cli, ["verify", "-w", str(chained), "--head", str(exported)])
    assert done.exit_code == EXIT_VERIFY_FAILED and f"record {N}: anchor mismatch" in done.output
    done = CliRunner().invoke(cli, ["verify", "-w", str(chained), "--head", "12:nothex"])
    assert done.exit_code == 1 and "--head" in done.output
