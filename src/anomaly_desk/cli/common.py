"""What every command shares: the workspace option, error reporting, exit codes, progress."""

from __future__ import annotations

import functools
import json
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from anomaly_desk.errors import BadInputError, Cancelled, WorkspaceError
from anomaly_desk.model import AnomalyRow
from anomaly_desk.progress import Progress

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2  # click's own
EXIT_WORKSPACE = 3
EXIT_VERIFY_FAILED = 4  # `verify`: the audit chain is broken (tampered with or damaged)
EXIT_BUG = 70
EXIT_CANCELLED = 130

F = TypeVar("F", bound=Callable[..., Any])


def inherit_workspace(ctx: click.Context, _: click.Parameter, value: Path | None) -> Path | None:
    # `anomaly-desk -w FILE datasets` must mean FILE, not the default: the group's option
    # applies to the command unless the command names a workspace of its own.
    # Only a typed option is inherited: the environment variable is read by each command's
    # own option, and `demo` must not build into the workspace the variable names.
    parent = ctx.parent
    typed = parent is not None and (
        parent.get_parameter_source("workspace") is ParameterSource.COMMANDLINE
    )
    if value is None and parent is not None and typed:
        inherited: Path | None = parent.params.get("workspace")
        return inherited
    return value


workspace_option = click.option(
    "--workspace",
    "-w",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="ANOMALY_DESK_WORKSPACE",
    callback=inherit_workspace,
    help="Workspace file (default: workspace.sqlite in your user data directory).",
)

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output as an aligned table or as JSON.",
)


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Known failures become a message and an exit code; anything else is a bug, shown as one."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BadInputError as exc:
            fail(str(exc), EXIT_BAD_INPUT)
        except WorkspaceError as exc:
            fail(str(exc), EXIT_WORKSPACE)
        except (Cancelled, KeyboardInterrupt):
            fail("cancelled; nothing was changed", EXIT_CANCELLED)
        except MemoryError:
            fail("out of memory; nothing was changed", EXIT_BAD_INPUT)
        return None

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    """A ``Progress`` drawn as a bar on a terminal (and silent when output is redirected).

    Ctrl-C cancels through the ``Progress`` so the work stops at a chunk boundary and rolls
    back, instead of dying wherever the interrupt lands.
    """
    interactive = sys.stderr.isatty()
    bar = click.progressbar(length=1000, label=label, file=sys.stderr) if interactive else None
    shown = 0

    def draw(fraction: float, _message: str) -> None:
        nonlocal shown
        if bar is not None:
            step = int(fraction * 1000) - shown
            if step > 0:
                bar.update(step)
                shown += step

    progress = Progress(draw)
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda *_: progress.cancel())
    try:
        if bar is not None:
            with bar:
                yield progress
        else:
            yield progress
    finally:
        signal.signal(signal.SIGINT, previous)


def print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    texts = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(t[i]) for t in texts)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for text in texts:
        click.echo("  ".join(t.ljust(w) for t, w in zip(text, widths, strict=True)).rstrip())


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def anomaly_record(row: AnomalyRow) -> dict[str, object]:
    """One anomaly as the commands print it (table, JSON, CSV): ISO UTC times, tags joined."""

    def iso(ns: int) -> str:
        return datetime.fromtimestamp(ns / 1e9, tz=UTC).isoformat().replace("+00:00", "Z")

    return {
        "id": row.id,
        "score": round(row.score, 1),
        "severity": row.severity.value,
        "start": iso(row.start_ns),
        "end": iso(row.end_ns),
        "dataset": row.dataset,
        "series": row.series or row.entity,
        "type": row.type,
        "status": row.status.value,
        "assignee": row.assignee,
        "tags": ",".join(row.tags),
        "actual": row.actual,
        "expected": row.expected,
        "summary": row.summary,
    }
