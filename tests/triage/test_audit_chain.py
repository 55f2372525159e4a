"""The audit chain's hash, as documented, and ``verify`` over records in memory: every kind of
tampering at every position is caught, and the first bad record is the one named."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from anomaly_desk.model import AuditHead, AuditRecord
from anomaly_desk.triage import audit
from anomaly_desk.triage.audit import GENESIS, BreakReason, seal, verify

N = 12
FIELDS = (
    "at",
    "actor",
    "action",
    "object_type",
    "object_uid",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def chain(n: int = N) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    head: AuditHead | None = None
    for i in range(n):
        before = None if i % 3 == 0 else audit.state_json({"status": "new", "note": 'é\n"x"'})
        rec = seal(head, f"2026-01-01T00:00:{i:02d}", f"user{i % 2}", "update", "anomaly",
                   f"uid-{i}", before, audit.state_json({"status": "triaged", "n": i}))  # fmt: skip
        records.append(rec)
        head = AuditHead(rec.seq, rec.hash)
    return records


def head_of(records: list[AuditRecord]) -> str:
    return audit.head_text(AuditHead(records[-1].seq, records[-1].hash))


def test_the_hash_is_exactly_the_documented_one() -> None:
    rec = seal(None, "2026-01-01T00:00:00.000+00:00", "ann", "update", "anomaly", "u-1",
               '{"status":"new"}', '{"status":"triaged"}')  # fmt: skip
    body = (
        '{"action":"update","actor":"ann","after":"{\\"status\\":\\"triaged\\"}",'
        '"at":"2026-01-01T00:00:00.000+00:00","before":"{\\"status\\":\\"new\\"}",'
        '"object_type":"anomaly","object_uid":"u-1"}'
    )
    expected = hashlib.sha256(b"0" * 64 + (1).to_bytes(8, "big") + body.encode()).hexdigest()
    assert (rec.seq, rec.prev_hash, rec.hash) == (1, GENESIS, expected)


def test_canonical_json_escapes_only_what_rfc_8785_escapes() -> None:
    text = audit.canonical_json({"b": 'é\u2028\x01\t"\\', "a": None})
    assert text == '{"a":null,"b":"é\u2028\\u0001\\t\\"\\\\"}'.encode()


def test_an_untouched_chain_verifies() -> None:
    records = chain()
    result = verify(records, head_of(records))
    assert result.ok and result.records == N and result.head == AuditHead(N, records[-1].hash)
    assert verify([], None).ok


def _flip(text: str, index: int, bit: int) -> str:
    data = bytearray(text.encode("utf-8"))
    data[index % len(data)] ^= bit
    return data.decode("utf-8", errors="replace")


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("bit", [0x01, 0x80])
def test_a_flipped_byte_anywhere_names_its_record(field: str, bit: int) -> None:
    original = chain()
    for k in range(N):
        records = list(original)
        value = getattr(records[k], field) or "null"
        records[k] = dataclasses.replace(records[k], **{field: _flip(value, k * 7, bit)})
        bad = verify(records, head_of(original)).first_bad
        assert bad is not None and bad.seq == k + 1, (field, k, bad)
        want = BreakReason.BROKEN_LINK if field == "prev_hash" else BreakReason.HASH_MISMATCH
        assert bad.reason is want


def test_a_deleted_record_is_named_at_every_position() -> None:
    original = chain()
    for k in range(N - 1):  # deleting the last one is truncation, below
        records = original[:k] + original[k + 1 :]
        bad = verify(records, head_of(original)).first_bad
        assert bad is not None and (bad.seq, bad.reason) == (k + 1, BreakReason.SEQUENCE_GAP)


def test_a_deleted_and_renumbered_record_is_named_at_every_position() -> None:
    original = chain()
    for k in range(N - 1):
        records = original[:k] + [dataclasses.replace(r, seq=r.seq - 1) for r in original[k + 1 :]]
        bad = verify(records, head_of(original)).first_bad
        assert bad is not None and bad.seq == k + 1
        assert bad.reason is BreakReason.BROKEN_LINK


def test_swapped_records_are_named_for_every_pair() -> None:
    original = chain()
    for i in range(N):
        for j in range(i + 1, N):
            records = list(original)
            # Swap the contents, keep the seq column in place (what an UPDATE swap does).
            records[i] = dataclasses.replace(original[j], seq=i + 1)
            records[j] = dataclasses.replace(original[i], seq=j + 1)
            bad = verify(records, head_of(original)).first_bad
            assert bad is not None and bad.seq == i + 1, (i, j, bad)
            if i > 0:
                assert bad.reason is BreakReason.REORDERED, (i, j, bad)


def test_records_given_out_of_order_are_named() -> None:
    records = chain()
    records[3], records[4] = records[4], records[3]
    bad = verify(records, head_of(chain())).first_bad
    assert bad is not None and (bad.seq, bad.reason) == (4, BreakReason.REORDERED)


def _forge(prev: AuditRecord | None, seq: int) -> AuditRecord:
    head = None if prev is None else AuditHead(prev.seq, prev.hash)
    forged = seal(head, "2026-01-01T00:00:00", "mallory", "update", "anomaly", "uid-x",
                  None, audit.state_json({"status": "resolved"}))  # fmt: skip
    return dataclasses.replace(forged, seq=seq, hash=audit.recompute(forged, seq))


def test_a_forged_record_slipped_in_is_named_at_every_position() -> None:
    original = chain()
    for k in range(1, N):
        forged = _forge(original[k - 1], k + 1)
        shifted = [dataclasses.replace(r, seq=r.seq + 1) for r in original[k:]]
        records = [*original[:k], forged, *shifted]
        bad = verify(records, head_of(original)).first_bad
        assert bad is not None and (bad.seq, bad.reason) == (k + 1, BreakReason.INSERTED), (k, bad)


def test_a_forged_record_appended_is_named() -> None:
    original = chain()
    records = [*original, _forge(original[-1], N + 1)]
    bad = verify(records, head_of(original)).first_bad
    assert bad is not None and (bad.seq, bad.reason) == (N + 1, BreakReason.BEYOND_HEAD)


@pytest.mark.parametrize("cut", [1, 3, N])
def test_a_truncated_tail_is_named(cut: int) -> None:
    original = chain()
    bad = verify(original[: N - cut], head_of(original)).first_bad
    assert bad is not None and (bad.seq, bad.reason) == (N - cut + 1, BreakReason.MISSING_RECORDS)


def _rehashed(records: list[AuditRecord], k: int) -> list[AuditRecord]:
    """Record k's content changed and every hash from there on recomputed consistently."""
    out = list(records[:k])
    for rec in records[k:]:
        prev = out[-1] if out else None
        after = rec.after if rec.seq != k + 1 else audit.state_json({"status": "resolved"})
        head = None if prev is None else AuditHead(prev.seq, prev.hash)
        out.append(seal(head, rec.at, rec.actor, rec.action, rec.object_type, rec.object_uid,
                        rec.before, after))  # fmt: skip
    return out


def test_a_consistently_rehashed_chain_is_caught_by_the_recorded_head() -> None:
    original = chain()
    for k in range(N):
        records = _rehashed(original, k)
        assert verify(records, head_of(records)).ok  # the head rewritten too: invisible here
        bad = verify(records, head_of(original)).first_bad
        assert bad is not None and (bad.seq, bad.reason) == (N, BreakReason.HEAD_MISMATCH)
        # A head kept elsewhere (an export at record 5) narrows it down when it can.
        anchor = AuditHead(5, original[4].hash)
        bad = verify(records, head_of(records), anchor).first_bad
        if k < 5:
            assert bad is not None and (bad.seq, bad.reason) == (5, BreakReason.ANCHOR_MISMATCH)
        else:
            assert bad is None


@pytest.mark.parametrize(
    ("recorded", "reason"),
    [
        (None, BreakReason.HEAD_MISSING),
        ("garbage", BreakReason.HEAD_MISSING),
        (json.dumps({"seq": N, "hash": "f" * 64}), BreakReason.HEAD_MISMATCH),
    ],
)
def test_a_missing_or_altered_head_is_caught(recorded: str | None, reason: BreakReason) -> None:
    bad = verify(chain(), recorded).first_bad
    assert bad is not None and (bad.seq, bad.reason) == (N, reason)


def test_heads_parse_from_storage_and_from_the_command_line() -> None:
    h = "a" * 64
    assert audit.parse_head(f'{{"hash":"{h}","seq":3}}') == audit.parse_head(f"3:{h}")
    for bad in ("3:xyz", f"-1:{h}", "nonsense", f"3:{h.upper()}"):
        with pytest.raises(ValueError):
            audit.parse_head(bad)


def test_an_anchor_beyond_an_empty_or_short_log_is_missing_records() -> None:
    anchor = AuditHead(3, "a" * 64)
    bad = verify([], None, anchor).first_bad
    assert bad is not None and (bad.seq, bad.reason) == (1, BreakReason.MISSING_RECORDS)
    records = chain(2)
    bad = verify(records, head_of(records), anchor).first_bad
    assert bad is not None and (bad.seq, bad.reason) == (3, BreakReason.MISSING_RECORDS)
    assert "record 3 is missing" in bad.describe()
