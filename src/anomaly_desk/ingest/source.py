"""Recognising what a file is before reading it: compression, format, delimiter, header.

Everything here reads only the head of the file, so a wrong guess is cheap and every refusal
comes before anything is written.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, cast

from anomaly_desk.errors import BadInputError, Problem

SAMPLE_BYTES = 256 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
DELIMITERS = ",\t;|"

Format = Literal["csv", "jsonl", "parquet"]


@dataclass(frozen=True)
class Source:
    path: Path
    size: int
    compression: Literal["gzip"] | None
    format: Format
    delimiter: str = ","
    has_header: bool = True
    sample: str = ""  # decoded head of the (decompressed) text, cut at a line end

    @property
    def label(self) -> str:
        return str(self.path)

    def open_binary(self) -> IO[bytes]:
        """The decompressed bytes of the file."""
        if self.compression == "gzip":
            return cast(IO[bytes], gzip.open(self.path, "rb"))
        return self.path.open("rb")


def inspect(
    path: Path,
    *,
    format: Format | None = None,
    delimiter: str | None = None,
    has_header: bool | None = None,
) -> Source:
    """Identify ``path``; raise ``BadInputError`` naming the file when it cannot be read."""
    label = str(path)
    if not path.exists():
        raise BadInputError(label, "no such file")
    if not path.is_file():
        raise BadInputError(label, "not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise BadInputError(label, "the file is empty")
    with path.open("rb") as fh:
        magic = fh.read(4)
    compression: Literal["gzip"] | None = None
    if magic.startswith(GZIP_MAGIC):
        compression = "gzip"
    elif path.suffix.lower() == ".gz":
        raise BadInputError(label, "the name ends in .gz but the file is not gzip-compressed")
    head = _read_head(path, compression, label)
    if not head:
        raise BadInputError(label, "the file is empty once decompressed")
    stem_suffix = _inner_suffix(path)
    if format is None:
        format = _guess_format(head, stem_suffix)
    if format == "parquet":
        return Source(path, size, compression, "parquet")
    sample = _decode_sample(head, label)
    if format == "jsonl":
        return Source(path, size, compression, "jsonl", sample=sample)
    if delimiter is None:
        delimiter = _sniff_delimiter(sample, stem_suffix)
    if has_header is None:
        has_header = _sniff_header(sample, delimiter)
    return Source(path, size, compression, "csv", delimiter, has_header, sample)


def _inner_suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def _read_head(path: Path, compression: str | None, label: str) -> bytes:
    try:
        if compression == "gzip":
            with gzip.open(path, "rb") as fh:
                return fh.read(SAMPLE_BYTES)
        with path.open("rb") as fh:
            return fh.read(SAMPLE_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise BadInputError(label, f"the gzip data is damaged or truncated ({exc})") from None


def _guess_format(head: bytes, suffix: str) -> Format:
    if head.startswith(PARQUET_MAGIC) or suffix == ".parquet":
        return "parquet"
    if suffix in (".jsonl", ".ndjson", ".json") or head.lstrip()[:1] == b"{":
        return "jsonl"
    return "csv"


def _decode_sample(head: bytes, label: str) -> str:
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise BadInputError(
            label,
            [Problem("binary data (NUL byte), not a text table", line=line)],
            hint="import CSV, TSV, JSON lines or Parquet files",
        )
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    cut = head.rfind(b"\n")
    if len(head) == SAMPLE_BYTES:
        if cut < 0:
            raise BadInputError(
                label, f"no line break in the first {SAMPLE_BYTES // 1024} KiB: not a text table"
            )
        head = head[: cut + 1]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        bad = head[exc.start : exc.start + 8]
        raise BadInputError(
            label,
            [Problem("text is not valid UTF-8", line=line, value=repr(bad))],
            hint="save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        ) from None


def csv_error_text(exc: csv.Error) -> str:
    """The csv module's complaint in the user's terms."""
    text = str(exc)
    if "field larger than field limit" in text:
        limit = csv.field_size_limit() // 1024
        return f"a field longer than {limit} KiB (an unclosed quote, or not a text table?)"
    return f"malformed CSV ({text})"


def _sniff_delimiter(sample: str, suffix: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if suffix == ".tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    # The sniffer gives up on quoted or ragged samples; fall back to the most consistent count.
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = [line.count(delim) for line in lines]
        if not counts or counts[0] == 0:
            continue
        score = sum(c == counts[0] for c in counts) / len(counts) + counts[0] / 1000
        if score > best_score:
            best, best_score = delim, score
    return best


def _sniff_header(sample: str, delimiter: str) -> bool:
    # newline="" lets the csv module see a lone CR as a line end, as Arrow does; a sample it
    # cannot parse at all is left to the preview, which reports where.
    try:
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))[:20]
    except csv.Error:
        return True
    if not rows:
        return True
    first = rows[0]
    # A header's cells are names: none is a number, and they are distinct and non-empty.
    return not any(_is_number(cell) for cell in first)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
