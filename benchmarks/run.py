"""Run every benchmark: ``python -m benchmarks.run`` from the repository root.

Prints each benchmark's table and targets, rewrites its section of docs/benchmarks.md, and
prints the figures of all of them as one JSON object on the last line of output.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from benchmarks import machine
from benchmarks.core import REPO, Context, Result, log, render_markdown, render_text
from benchmarks.docs_section import write_section

DOCS = REPO / "docs" / "benchmarks.md"
WORK_DIR = REPO / "benchmarks" / ".work"
PREFIX = "bench_"


def discover() -> dict[str, ModuleType]:
    """``bench_<name>.py`` modules of this package, by name."""
    folder = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(folder)]))
    found = {}
    for name in names:
        if name.startswith(PREFIX):
            module = importlib.import_module(f"benchmarks.{name}")
            if not (hasattr(module, "run") and hasattr(module, "SECTION")):
                raise TypeError(f"benchmarks/{name}.py needs SECTION and run(ctx) -> Result")
            found[name.removeprefix(PREFIX)] = module
    return found


def parse_args(argv: list[str], choices: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small smoke-test sizes; docs are not written"
    )
    parser.add_argument("--rows", type=int, help="rows of the import benchmark's CSV")
    parser.add_argument(
        "--repeat", type=int, help="times each contender is timed (default 5; 1 with --quick)"
    )
    parser.add_argument(
        "--only", action="append", choices=choices, help="run only this benchmark (repeatable)"
    )
    parser.add_argument(
        "--work-dir", type=Path, default=WORK_DIR, help=f"data cache (default {WORK_DIR})"
    )
    docs = parser.add_mutually_exclusive_group()
    docs.add_argument("--docs", type=Path, help=f"the file to rewrite (default {DOCS})")
    docs.add_argument("--no-docs", action="store_true", help="do not write any docs")
    args = parser.parse_args(argv)
    if args.rows is not None and args.rows < 1:
        parser.error("--rows must be positive")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be positive")
    return args


def command_line(argv: list[str]) -> str:
    python = Path(sys.executable)
    shown = python.relative_to(REPO) if python.is_relative_to(REPO) else Path("python")
    return " ".join([shown.as_posix(), "-m", "benchmarks.run", *argv])


def docs_path(args: argparse.Namespace) -> Path | None:
    if args.no_docs:
        return None
    if args.docs is not None:
        return Path(args.docs)
    return None if args.quick else DOCS


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    modules = discover()
    args = parse_args(argv, list(modules))
    selected = {n: m for n, m in modules.items() if not args.only or n in args.only}
    ctx = Context(
        quick=args.quick,
        work_dir=args.work_dir.resolve(),
        rows=args.rows,
        repeat=args.repeat or (1 if args.quick else 5),
    )
    docs = docs_path(args)
    described = machine.describe()
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    figures: dict[str, float] = {}
    for name, module in selected.items():
        log(f"== {name}")
        result: Result = module.run(ctx)
        print(render_text(result), end="\n\n", flush=True)
        clash = figures.keys() & result.figures.keys()
        if clash:
            raise ValueError(f"bench_{name} repeats figure names: {', '.join(sorted(clash))}")
        figures |= result.figures
        if docs is not None:
            body = render_markdown(result, machine=described, command=command_line(argv), date=date)
            write_section(docs, module.SECTION, body)
    print(f"Machine: {described}")
    log(f"docs: {docs} rewritten" if docs else "docs: not written")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
