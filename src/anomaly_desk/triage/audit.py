"""The audit chain: how a record is hashed and how a chain is checked. Pure: no I/O, no SQL.

Every change to an anomaly, comment, rule, verdict, incident or annotation is one record,
written by the store in the same transaction as the change (``store/triage_audit.py``).

How a record is hashed
----------------------
::

    hash(n) = hex(SHA-256( prev_hash(n) || seq(n) || canonical_json(record(n)) ))

- ``prev_hash(n)`` is ``hash(n-1)``: 64 lowercase hexadecimal characters, as ASCII bytes. The
  first record (seq 1) links to ``GENESIS``, 64 ``0`` characters.
- ``seq(n)`` is the record's sequence number as 8 bytes, unsigned big-endian. Sequence numbers
  start at 1 and go up by one.
- ``record(n)`` is a JSON object with exactly the keys ``action``, ``actor``, ``after``, ``at``,
  ``before``, ``object_type`` and ``object_uid``, each a string or null, exactly as stored.
  ``before`` / ``after`` are themselves JSON texts (the changed fields) and are hashed as those
  strings, so the hash covers the stored bytes and no number is ever re-serialised.
- ``canonical_json``: keys sorted, no whitespace (separators ``,`` and ``:``), strings with
  only ``"``, ``\\`` and the control characters U+0000..U+001F escaped (``\\b \\t \\n \\f \\r``,
  the others as ``\\u00xx`` in lowercase hex), every other character literal, encoded as
  UTF-8. For an object of strings and nulls this is exactly RFC 8785 (JCS), so any language can
  recompute a hash; in Python it is ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
  ensure_ascii=False).encode("utf-8")``.

What ``verify`` catches
-----------------------
It walks the records in order and names the FIRST bad one: content changed (hash mismatch), a
predecessor's hash altered (broken link), a record missing from the middle (sequence gap),
records swapped (reordered), a record slipped in (inserted), and, against the head recorded
outside the chain, records missing from the end, records appended behind its back and a chain
re-hashed wholesale (head mismatch). A chain re-hashed consistently from record k on can only
be caught at the head: the record named is the one the head vouches for, and an older head
(from an export or a sync, passed as ``anchor``) narrows it down.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from anomaly_desk.model import AuditHead, AuditRecord

GENESIS = "0" * 64

# How far back an inserted record is looked for (hashes kept in memory while walking).
INSERT_WINDOW = 10_000


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    VERDICT = "verdict"


class ObjectType(enum.StrEnum):
    ANOMALY = "anomaly"
    COMMENT = "comment"
    RULE = "rule"
    INCIDENT = "incident"
    ANNOTATION = "annotation"


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def state_json(fields: Mapping[str, Any]) -> str:
    """The text stored in ``before`` / ``after``: canonical JSON of the changed fields."""
    return canonical_json(dict(fields)).decode("utf-8")


def record_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_uid: str,
    before: str | None,
    after: str | None,
) -> str:
    body = {
        "action": action,
        "actor": actor,
        "after": after,
        "at": at,
        "before": before,
        "object_type": object_type,
        "object_uid": object_uid,
    }
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii", errors="replace"))
    digest.update(seq.to_bytes(8, "big", signed=False))
    digest.update(canonical_json(body))
    return digest.hexdigest()


def recompute(record: AuditRecord, seq: int | None = None) -> str:
    """The hash ``record`` should carry (at its own seq, or as if it sat at ``seq``)."""
    return record_hash(
        record.prev_hash,
        record.seq if seq is None else seq,
        record.at,
        record.actor,
        record.action,
        record.object_type,
        record.object_uid,
        record.before,
        record.after,
    )


def seal(
    prev: AuditHead | None,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_uid: str,
    before: str | None,
    after: str | None,
) -> AuditRecord:
    """The next record after ``prev`` (None: the first record of a chain), hashed."""
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    digest = record_hash(prev_hash, seq, at, actor, action, object_type, object_uid, before, after)
    return AuditRecord(
        seq, at, actor, action, object_type, object_uid, before, after, prev_hash, digest
    )


def head_text(head: AuditHead) -> str:
    return state_json({"seq": head.seq, "hash": head.hash})


def parse_head(text: str) -> AuditHead:
    """``{"hash": ..., "seq": ...}`` (as stored) or ``SEQ:HASH`` (as typed); ValueError if not."""
    text = text.strip()
    if text.startswith("{"):
        data = json.loads(text)
        seq, digest = data.get("seq"), data.get("hash")
    else:
        seq_text, _, digest = text.partition(":")
        seq = int(seq_text)
    if not isinstance(seq, int) or seq < 0 or not isinstance(digest, str):
        raise ValueError(f"not an audit head: {text!r}")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a SHA-256 hash in lowercase hex: {digest!r}")
    return AuditHead(seq, digest)


class BreakReason(enum.StrEnum):
    HASH_MISMATCH = "hash mismatch"
    BROKEN_LINK = "broken link"
    SEQUENCE_GAP = "sequence gap"
    REORDERED = "reordered"
    INSERTED = "inserted"
    MISSING_RECORDS = "missing records"
    BEYOND_HEAD = "not covered by the recorded head"
    HEAD_MISMATCH = "head mismatch"
    HEAD_MISSING = "head missing"
    ANCHOR_MISMATCH = "anchor mismatch"


@dataclass(frozen=True)
class ChainBreak:
    """The first bad record: its seq (a missing record's seq, for a gap), why, in words."""

    seq: int
    reason: BreakReason
    detail: str

    def describe(self) -> str:
        return f"record {self.seq}: {self.reason}: {self.detail}"


@dataclass(frozen=True)
class Verification:
    records: int  # how many records were checked
    head: AuditHead | None  # the last record checked
    first_bad: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify(
    records: Iterable[AuditRecord],
    recorded_head: str | None,
    anchor: AuditHead | None = None,
) -> Verification:
    """Check a chain given in seq order against the head recorded beside it (and an anchor).

    One pass, memory bounded by ``INSERT_WINDOW``: fine for millions of records.
    """
    head: AuditHead | None = None
    head_problem: str | None = None
    if recorded_head is not None:
        try:
            head = parse_head(recorded_head)
        except ValueError as exc:
            head_problem = f"the recorded head is unreadable ({exc})"
    walk = _Walk(head, anchor)
    stream = iter(records)
    for record in stream:
        problem = walk.check(record, stream)
        if problem is not None:
            return Verification(walk.count, walk.last, problem)
    return Verification(walk.count, walk.last, walk.finish(recorded_head, head_problem))


class _Walk:
    """The state of one pass over a chain: where it should be, and what it has seen."""

    def __init__(self, head: AuditHead | None, anchor: AuditHead | None) -> None:
        self.head = head
        self.anchor = anchor
        self.count = 0
        self.last: AuditHead | None = None
        self.recent: dict[str, int] = {}  # hash -> seq of records already passed
        self.order: deque[str] = deque()

    @property
    def expected_seq(self) -> int:
        return 1 if self.last is None else self.last.seq + 1

    @property
    def expected_prev(self) -> str:
        return GENESIS if self.last is None else self.last.hash

    def check(self, rec: AuditRecord, rest: Iterator[AuditRecord]) -> ChainBreak | None:
        problem = self._chain(rec, rest)
        if problem is None:
            problem = self._against_heads(rec)
            if problem is not None and problem.reason is not BreakReason.BEYOND_HEAD:
                # A sound record where the head expects another: if the next one links past
                # it, it was slipped in (the last position before the head).
                after = next(rest, None)
                if after is not None and after.prev_hash in self.recent:
                    problem = self._inserted(self.recent[after.prev_hash], after.seq)
        if problem is None:
            self.count += 1
            self._remember(rec)
        return problem

    def _chain(self, rec: AuditRecord, rest: Iterator[AuditRecord]) -> ChainBreak | None:
        want = self.expected_seq
        if rec.seq < want:
            return ChainBreak(rec.seq, BreakReason.REORDERED, f"it comes after record {want - 1}")
        if rec.seq > want:
            for later in rest:
                if want <= later.seq < rec.seq:
                    return ChainBreak(
                        want, BreakReason.REORDERED, f"it comes after record {rec.seq}"
                    )
            missing = (
                f"record {want} is" if rec.seq == want + 1 else f"records {want}..{rec.seq - 1} are"
            )
            return ChainBreak(
                want,
                BreakReason.SEQUENCE_GAP,
                f"{missing} missing (the log goes from {want - 1} to {rec.seq})",
            )
        if rec.prev_hash != self.expected_prev:
            return self._link_broken(rec, rest)
        if recompute(rec) != rec.hash:
            return ChainBreak(
                rec.seq,
                BreakReason.HASH_MISMATCH,
                "its content does not match its hash (changed after it was written)",
            )
        return None

    def _link_broken(self, rec: AuditRecord, rest: Iterator[AuditRecord]) -> ChainBreak:
        if rec.seq == 1:
            return ChainBreak(1, BreakReason.BROKEN_LINK, "the first record must link to 64 zeros")
        earlier = self.recent.get(rec.prev_hash)
        if earlier is not None:
            # It follows a record further back: what sits in between was slipped in.
            return self._inserted(earlier, rec.seq)
        # Its predecessor further on means records were moved; look ahead for it.
        for later in rest:
            if later.hash == rec.prev_hash:
                return ChainBreak(
                    rec.seq,
                    BreakReason.REORDERED,
                    f"it was written after the record now at {later.seq}",
                )
        return ChainBreak(
            rec.seq,
            BreakReason.BROKEN_LINK,
            f"it does not link to record {rec.seq - 1} (that record was changed or removed)",
        )

    def _against_heads(self, rec: AuditRecord) -> ChainBreak | None:
        for mark, reason, name in (
            (self.head, BreakReason.HEAD_MISMATCH, "the recorded head"),
            (self.anchor, BreakReason.ANCHOR_MISMATCH, "the given anchor"),
        ):
            if mark is not None and rec.seq == mark.seq and rec.hash != mark.hash:
                return ChainBreak(
                    rec.seq,
                    reason,
                    f"its hash differs from {name} (the chain was rewritten up to here)",
                )
        if self.head is not None and rec.seq > self.head.seq:
            return ChainBreak(
                rec.seq,
                BreakReason.BEYOND_HEAD,
                f"it was added behind the log's back (the recorded head is at {self.head.seq})",
            )
        return None

    @staticmethod
    def _inserted(earlier: int, linking: int) -> ChainBreak:
        span = (
            f"record {earlier + 1} is"
            if earlier + 1 == linking - 1
            else f"records {earlier + 1}..{linking - 1} are"
        )
        return ChainBreak(
            earlier + 1,
            BreakReason.INSERTED,
            f"{span} not in the original chain (record {linking} links to record {earlier})",
        )

    def _remember(self, rec: AuditRecord) -> None:
        self.last = AuditHead(rec.seq, rec.hash)
        self.recent[rec.hash] = rec.seq
        self.order.append(rec.hash)
        if len(self.order) > INSERT_WINDOW:
            self.recent.pop(self.order.popleft(), None)

    def finish(self, recorded_head: str | None, head_problem: str | None) -> ChainBreak | None:
        last_seq = 0 if self.last is None else self.last.seq
        if head_problem is not None:
            return ChainBreak(max(last_seq, 1), BreakReason.HEAD_MISSING, head_problem)
        if recorded_head is None and self.last is not None:
            return ChainBreak(
                last_seq,
                BreakReason.HEAD_MISSING,
                f"the workspace records no chain head but the log holds {self.count} records",
            )
        for mark, name in ((self.head, "recorded head"), (self.anchor, "given anchor")):
            if mark is not None and mark.seq > last_seq:
                missing = (
                    f"record {mark.seq} is"
                    if mark.seq == last_seq + 1
                    else f"records {last_seq + 1}..{mark.seq} are"
                )
                return ChainBreak(
                    last_seq + 1,
                    BreakReason.MISSING_RECORDS,
                    f"{missing} missing: the {name} is at {mark.seq}, the log ends at {last_seq}",
                )
        return None
