"""What a benchmark module is, and how its result is shown.

A benchmark is a module ``benchmarks/bench_<name>.py`` with

- ``SECTION``: the name of its section in docs/benchmarks.md, which it owns between the
  markers ``<!-- SECTION:start -->`` and ``<!-- SECTION:end -->``;
- ``run(ctx: Context) -> Result``.

``benchmarks.run`` finds the modules, runs them, prints each result, rewrites each section and
prints the figures of all of them as one JSON object on the last line.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Context:
    quick: bool  # a small smoke-test size: checks the benchmark works, figures mean little
    work_dir: Path  # cache for generated data (kept between runs) and scratch files
    rows: int | None = None  # size asked for with --rows; a benchmark may ignore it
    repeat: int = 5  # how many times to time each contender (the median is reported)


@dataclass(frozen=True)
class Target:
    label: str  # what is required, e.g. "import >= 5x the naive way"
    actual: str  # what was measured, e.g. "7.3x"
    met: bool | None  # None: not applicable to this run (e.g. a --quick size)


@dataclass
class Result:
    title: str
    header: list[str]
    rows: list[list[str]]
    figures: dict[str, float]  # numbers only; merged into the final JSON line
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    """Progress for the person waiting; stderr, so stdout is only the table and the JSON."""
    print(message, file=sys.stderr, flush=True)


def verdict(target: Target) -> str:
    if target.met is None:
        return "n/a"
    return "met" if target.met else "NOT met"


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        right = (cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True))
        return "  ".join([first.ljust(widths[0]), *right])

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    align = ["---", *(["---:"] * (len(header) - 1))]
    lines = [header, align, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def render_text(result: Result) -> str:
    parts = [result.title, "", text_table(result.header, result.rows)]
    parts.extend(["", *result.notes] if result.notes else [])
    if result.targets:
        parts.extend(["", "Targets:"])
        parts.extend(f"  {verdict(t):7}  {t.label}: {t.actual}" for t in result.targets)
    return "\n".join(parts)


def render_markdown(result: Result, *, machine: str, command: str, date: str) -> str:
    parts = [
        f"### {result.title}",
        "",
        f"Measured {date} with `{command}` on {machine}.",
        "",
        markdown_table(result.header, result.rows),
    ]
    if result.notes:
        parts.extend(["", *(f"- {note}" for note in result.notes)])
    if result.targets:
        parts.extend(
            [
                "",
                markdown_table(
                    ["target", "measured", "verdict"],
                    [[t.label, t.actual, f"**{verdict(t)}**"] for t in result.targets],
                ),
            ]
        )
    return "\n".join(parts)
