"""Finding a quoted field that is never closed (a truncated file, or a stray quote).

Arrow and the csv module both read such a field to the end of the file and return it as one
value, so the rows after the quote vanish into it. This slow pass runs only when the fast read
counted an odd number of quote characters.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from anomaly_desk.errors import Problem
from anomaly_desk.ingest.source import Source, csv_error_text

UNCLOSED = "a quoted field is never closed; it runs from here to the end of the file"
UNCLOSED_HINT = "is the file truncated, or is a quote character missing or stray on that line?"
# Appended after the last line: it ends up inside a field only if a quote is still open.
_SENTINEL = "\ue000end of file\ue000"
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def split_lone_cr(text: str) -> list[str]:
    """Split after each CR not followed by LF: a line end to Arrow, which the csv module only
    accepts at the end of the strings it is given."""
    return [part for part in _LONE_CR.split(text) if part]


def _lines(source: Source) -> Iterator[str]:
    with source.open_binary() as fh:
        for number, raw in enumerate(fh):
            if number == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield from split_lone_cr(raw.decode("utf-8", errors="replace"))
    yield _SENTINEL + "\n"


def unclosed_quote(source: Source) -> Problem | None:
    """Where the quoted field that swallows the end of the file starts, or None if none does."""
    reader = csv.reader(_lines(source), delimiter=source.delimiter)  # lenient, as Arrow is
    header_pending = source.has_header
    row = 0
    start = 1
    try:
        for cells in reader:
            if cells == [_SENTINEL]:
                return None
            if not cells:
                start = reader.line_num + 1
                continue
            if header_pending:
                header_pending = False
            else:
                row += 1
            if any(_SENTINEL in cell for cell in cells):
                return Problem(UNCLOSED, row=row or None, line=start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return Problem(csv_error_text(exc), row=row + 1, line=start)
    return None
