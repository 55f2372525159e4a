"""Writing and reading the audit chain inside the workspace's own transactions.

``AuditTrail`` appends records in the caller's write transaction and moves the recorded head
(``workspace_meta['audit_head']``) with them, so a change and its record commit or vanish
together. It extends the chain from the recorded head, never from whatever row happens to be
last, and refuses to write when the two disagree: appending to a truncated or doctored log
would paper over the evidence.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, insert, select

from anomaly_desk.errors import WorkspaceError
from anomaly_desk.model import AuditHead, AuditRecord
from anomaly_desk.store import schema
from anomaly_desk.triage import audit

HEAD_KEY = "audit_head"

_COLUMNS = ("at", "actor", "action", "object_type", "object_uid", "before", "after", "prev_hash")
# Read every text column as its raw bytes: a tampered, invalid UTF-8 byte must show up as a
# hash mismatch, not as a decoding error that stops the check.
_SELECT = (
    "SELECT seq, "
    + ", ".join(f'CAST("{c}" AS BLOB)' for c in _COLUMNS)
    + ', CAST("hash" AS BLOB) FROM audit_log'
)


def default_actor() -> str:
    """The OS user name, for changes made without saying who made them."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers and services
        return "unknown"


def recorded_head(conn: Connection) -> str | None:
    value: str | None = conn.execute(
        select(schema.workspace_meta.c.value).where(schema.workspace_meta.c.key == HEAD_KEY)
    ).scalar_one_or_none()
    return value


class AuditTrail:
    """Records for one write transaction: ``with AuditTrail(conn, actor, at) as trail: ...``.

    Records are inserted when the block ends without an error; an error leaves none (and the
    surrounding transaction rolls the change back too).
    """

    def __init__(self, conn: Connection, actor: str, at: str) -> None:
        if not actor.strip():
            raise ValueError("an audit record needs an actor")
        self._conn = conn
        self._actor = actor.strip()
        self._at = at
        self._head = _checked_head(conn)
        self._records: list[AuditRecord] = []

    def record(
        self,
        action: str,
        object_type: str,
        object_uid: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> AuditRecord:
        rec = audit.seal(
            self._head,
            self._at,
            self._actor,
            action,
            object_type,
            object_uid,
            None if before is None else audit.state_json(before),
            None if after is None else audit.state_json(after),
        )
        self._records.append(rec)
        self._head = AuditHead(rec.seq, rec.hash)
        return rec

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.flush()

    def flush(self) -> None:
        if not self._records:
            return
        self._conn.execute(
            insert(schema.audit_log),
            [
                {"seq": r.seq, **{c: getattr(r, c) for c in (*_COLUMNS, "hash")}}
                for r in self._records
            ],
        )
        assert self._head is not None
        meta = schema.workspace_meta
        text = audit.head_text(self._head)
        updated = self._conn.execute(meta.update().where(meta.c.key == HEAD_KEY).values(value=text))
        if updated.rowcount == 0:
            self._conn.execute(insert(meta).values(key=HEAD_KEY, value=text))
        self._records = []


def _checked_head(conn: Connection) -> AuditHead | None:
    text = recorded_head(conn)
    last = conn.execute(
        select(schema.audit_log.c.seq, schema.audit_log.c.hash)
        .order_by(schema.audit_log.c.seq.desc())
        .limit(1)
    ).first()
    try:
        head = None if text is None else audit.parse_head(text)
    except ValueError:
        head = None
    found = None if last is None else AuditHead(int(last.seq), str(last.hash))
    if head != found or (text is not None and head is None):
        raise WorkspaceError(
            "the audit log does not end at its recorded head, so it may have been tampered "
            "with; nothing was changed. Run 'anomaly-desk verify' to see where it breaks."
        )
    return head


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value.decode("utf-8", errors="replace")


def _record(row: Any) -> AuditRecord:
    values = [_text(v) for v in row[1:]]
    at, actor, action, object_type, object_uid, before, after, prev_hash, digest = values
    return AuditRecord(
        seq=int(row[0]),
        at=at or "",
        actor=actor or "",
        action=action or "",
        object_type=object_type or "",
        object_uid=object_uid or "",
        before=before,
        after=after,
        prev_hash=prev_hash or "",
        hash=digest or "",
    )


def iter_records(conn: Connection, after_seq: int = 0) -> Iterator[AuditRecord]:
    """The chain in seq order, streamed (call inside one read transaction)."""
    result = conn.exec_driver_sql(_SELECT + " WHERE seq > ? ORDER BY seq", (after_seq,))
    for row in result:
        yield _record(row)


def anomaly_history(conn: Connection, anomaly_id: int, anomaly_uid: str) -> list[AuditRecord]:
    """Records about one anomaly and its comments, in seq order."""
    rows = conn.exec_driver_sql(
        _SELECT + " WHERE (object_type = 'anomaly' AND object_uid = ?)"
        " OR (object_type = 'comment' AND object_uid IN"
        " (SELECT uid FROM comments WHERE anomaly_id = ?)) ORDER BY seq",
        (anomaly_uid, anomaly_id),
    )
    return [_record(r) for r in rows]
