"""The slow second look, taken only after the fast reader refused a file: which rows, which
columns, which values. It reads the whole file so it can count every problem, and lists the
first ``MAX_PROBLEMS_SHOWN``.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator

from anomaly_desk.errors import MAX_PROBLEMS_SHOWN, BadInputError, Problem
from anomaly_desk.ingest.preview import check_names
from anomaly_desk.ingest.quotes import UNCLOSED, split_lone_cr
from anomaly_desk.ingest.readers import NULL_VALUES, ColumnType, json_object
from anomaly_desk.ingest.source import Source, csv_error_text

_NULLS = set(NULL_VALUES)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS_SHOWN:
            self.problems.append(problem)
        else:
            self.more += 1


def check_number(text: str | None) -> str | None:
    """Why ``text`` is not an acceptable number (None when it is, or when it is empty)."""
    if text is None or text.strip() in _NULLS:
        return None
    try:
        number = float(text)
    except ValueError:
        return "not a number"
    if math.isinf(number):
        return "not a finite number"
    return None


def diagnose(source: Source, types: dict[str, ColumnType], fallback: str) -> BadInputError:
    """A ``BadInputError`` locating every problem; ``fallback`` is Arrow's own message."""
    found = _Collector()
    if source.format == "csv":
        _diagnose_csv(source, types, found)
    elif source.format == "jsonl":
        _diagnose_jsonl(source, types, found)
    if not found.problems:
        return BadInputError(source.label, f"cannot read the file: {fallback}")
    return BadInputError(source.label, found.problems, found.more, hint=_hint(found.problems))


def _hint(problems: list[Problem]) -> str | None:
    if any("fields" in p.message for p in problems):
        return "a row has the wrong number of fields: truncated file, or a wrong --delimiter?"
    if any(p.message == "not a number" for p in problems):
        return "--bad-values missing imports such values as missing (and reports them)"
    return None


def _decoded_lines(source: Source, found: _Collector) -> Iterator[str]:
    with source.open_binary() as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                found.add(
                    Problem(
                        "text is not valid UTF-8",
                        line=number,
                        value=repr(raw[exc.start : exc.start + 8]),
                    )
                )
                text = raw.decode("utf-8", errors="replace")
            yield from split_lone_cr(text)


def _diagnose_csv(source: Source, types: dict[str, ColumnType], found: _Collector) -> None:
    reader = csv.reader(_decoded_lines(source, found), delimiter=source.delimiter, strict=True)
    names: list[str] | None = None
    row_number = 0
    start = 1  # the line the record being read starts on
    try:
        for cells in reader:
            if not cells:
                start = reader.line_num + 1
                continue
            if names is None and source.has_header:
                names = check_names(source.label, cells)  # as the reader named them
                start = reader.line_num + 1
                continue
            if names is None:
                names = [f"column_{i + 1}" for i in range(len(cells))]
            row_number += 1
            line = reader.line_num
            if len(cells) != len(names):
                found.add(
                    Problem(
                        f"expected {len(names)} fields, found {len(cells)}",
                        row=row_number,
                        line=line,
                        value=source.delimiter.join(cells),
                    )
                )
            else:
                _check_cells(dict(zip(names, cells, strict=True)), types, row_number, line, found)
            start = reader.line_num + 1
    except csv.Error as exc:
        # The csv module stops at its first error; say where that record began.
        unclosed = "unexpected end of data" in str(exc)
        message = UNCLOSED if unclosed else csv_error_text(exc)
        found.add(Problem(message, row=row_number + 1, line=start))


def _check_cells(
    record: dict[str, str | None],
    types: dict[str, ColumnType],
    row: int,
    line: int | None,
    found: _Collector,
) -> None:
    for column, kind in types.items():
        if kind != "float" or column not in record:
            continue
        value = record[column]
        why = check_number(None if value is None else str(value))
        if why:
            found.add(Problem(why, row=row, line=line, column=column, value=str(value)))


def _diagnose_jsonl(source: Source, types: dict[str, ColumnType], found: _Collector) -> None:
    row = 0
    for number, line in enumerate(_decoded_lines(source, found), start=1):
        if not line.strip():
            continue
        row += 1
        try:
            record = json_object(line)
        except json.JSONDecodeError as exc:
            found.add(Problem(f"not valid JSON ({exc.msg})", row=row, line=number, value=line))
            continue
        except ValueError as exc:  # a key given twice
            found.add(Problem(str(exc), row=row, line=number, value=line.strip()))
            continue
        if not isinstance(record, dict):
            found.add(Problem("not a JSON object", row=row, line=number, value=line.strip()))
            continue
        texts = {k: None if v is None else str(v) for k, v in record.items()}
        _check_cells(texts, types, row, number, found)
