"""Packing a series' points into columnar chunks and back.

Timestamps (int64 ns, UTC) are delta-encoded: a chunk with one constant step is stored as its
first instant and that step, any other is deflated; decoding is a ``cumsum`` either way.
Values are stored as raw little-endian float64, since deflate gains little on noisy floats
and costs time both ways. NaN marks a missing value.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

CHUNK_POINTS = 1 << 16
CODEC = "tsdelta-v2/f64"  # v2: a tag byte, then a regular (first, step) pair or deflated deltas
LEGACY_CODEC = "tsdelta-zlib1/f64"
REGULAR = b"R"
DEFLATED = b"Z"

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Chunk:
    chunk_no: int
    n: int
    start_ns: int
    end_ns: int
    ts: bytes
    vals: bytes


def encode(ts_ns: I64, values: F64) -> Iterator[Chunk]:
    """Split one series into chunks of at most ``CHUNK_POINTS`` points, in the order given."""
    if len(ts_ns) != len(values):
        raise ValueError("timestamps and values differ in length")
    for chunk_no, first in enumerate(range(0, len(ts_ns), CHUNK_POINTS)):
        ts = np.ascontiguousarray(ts_ns[first : first + CHUNK_POINTS], dtype="<i8")
        vals = np.ascontiguousarray(values[first : first + CHUNK_POINTS], dtype="<f8")
        deltas = np.empty_like(ts)
        deltas[0] = ts[0]
        np.subtract(ts[1:], ts[:-1], out=deltas[1:])
        yield Chunk(
            chunk_no=chunk_no,
            n=len(ts),
            # Min/max rather than first/last: rows stay in file order, which may not be sorted.
            start_ns=int(ts.min()),
            end_ns=int(ts.max()),
            ts=_pack_deltas(deltas),
            vals=vals.tobytes(),
        )


def _pack_deltas(deltas: I64) -> bytes:
    """A regular series is its first instant and one step (16 bytes, no deflate at all);
    anything else is deflated. The first byte tells which."""
    if len(deltas) > 1 and np.all(deltas[1:] == deltas[1]):
        return REGULAR + np.array([deltas[0], deltas[1]], dtype="<i8").tobytes()
    return DEFLATED + zlib.compress(deltas.tobytes(), 1)


def _unpack_deltas(blob: bytes, n: int) -> I64:
    if blob[:1] == REGULAR:
        first, step = np.frombuffer(blob[1:17], dtype="<i8")
        deltas = np.full(n, step, dtype=np.int64)
        deltas[0] = first
        return deltas
    return np.frombuffer(zlib.decompress(blob[1:]), dtype="<i8")


def decode(
    chunks: list[tuple[int, bytes, bytes]], codecs: list[str] | None = None
) -> tuple[I64, F64]:
    """Rebuild (timestamps, values) from ``(n, ts, vals)`` rows in chunk order."""
    total = sum(n for n, _, _ in chunks)
    ts_out = np.empty(total, dtype=np.int64)
    val_out = np.empty(total, dtype=np.float64)
    at = 0
    for i, (n, ts_blob, val_blob) in enumerate(chunks):
        codec = codecs[i] if codecs else CODEC
        if codec == LEGACY_CODEC:  # written before v2: deflated deltas, no tag byte
            deltas = np.frombuffer(zlib.decompress(ts_blob), dtype="<i8")
        else:
            deltas = _unpack_deltas(ts_blob, n)
        np.cumsum(deltas, out=ts_out[at : at + n])
        val_out[at : at + n] = np.frombuffer(val_blob, dtype="<f8")
        at += n
    return ts_out, val_out
