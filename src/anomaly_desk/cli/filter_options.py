"""The anomaly filter options every command that selects anomalies shares (``anomalies``,
``report``, ``export-anomalies``, ``bundle``): one definition, one meaning."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from anomaly_desk.model import AnomalyType, FilterSpec, Severity, Status

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

F = TypeVar("F", bound=Callable[..., Any])

_FIELDS = (
    "datasets", "series_names", "severity", "status", "types", "since", "until", "min_score",
    "search", "query",
)  # fmt: skip


@dataclass(frozen=True)
class FilterOptions:
    """What the user typed; ``spec(ws)`` turns names into ids and the query into filters."""

    datasets: tuple[str, ...] = ()
    series_names: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    min_score: float | None = None
    search: str = ""
    query: str = ""

    @property
    def given(self) -> bool:
        """True when any filter was given (a command may refuse filters together with ids)."""
        return self != FilterOptions()

    def spec(self, ws: Workspace) -> FilterSpec:
        dataset_ids = tuple(ws.dataset(name).id for name in self.datasets)
        spec = FilterSpec(
            dataset_ids=dataset_ids,
            series_ids=_series_ids(ws, self.series_names, dataset_ids),
            severities=tuple(Severity(s) for s in self.severity),
            statuses=tuple(Status(s) for s in self.status),
            types=self.types,
            since_ns=parse_time(self.since, "--since"),
            until_ns=parse_time(self.until, "--until"),
            min_score=self.min_score,
            text=self.search,
        )
        return _merge_query(ws, spec, self.query) if self.query else spec


def filter_options(func: F) -> F:
    """Add the filter options to a command; it receives them as one ``filters`` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _FIELDS}
        return func(*args, filters=FilterOptions(**values), **kwargs)

    choices = {
        "severity": click.Choice([s.value for s in Severity]),
        "status": click.Choice([s.value for s in Status]),
        "type": click.Choice([t.value for t in AnomalyType]),
    }
    options = [
        click.option(
            "--dataset", "datasets", multiple=True, help="Only this dataset (repeatable)."
        ),
        click.option(
            "--series", "series_names", multiple=True, help="Only this series (repeatable)."
        ),
        click.option("--severity", multiple=True, type=choices["severity"]),
        click.option("--status", multiple=True, type=choices["status"]),
        click.option("--type", "types", multiple=True, type=choices["type"]),
        click.option(
            "--since", help="Only anomalies ending at or after this time (ISO 8601, UTC)."
        ),
        click.option("--until", help="Only anomalies starting at or before this time."),
        click.option("--min-score", type=click.FloatRange(0, 100)),
        click.option("--search", default="", help="Words to find in summaries, comments and tags."),
        click.option(
            "--query", "-q", default="", help='Plain words: "critical open spikes last week".'
        ),
    ]
    decorated: Any = wrapper
    for option in reversed(options):  # click lists options in decorator order, top first
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def parse_time(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=option) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1e9)


def _series_ids(
    ws: Workspace, names: tuple[str, ...], dataset_ids: tuple[int, ...]
) -> tuple[int, ...]:
    if not names:
        return ()
    found = {
        s.name: s.id
        for d in ws.datasets()
        if not dataset_ids or d.id in dataset_ids
        for s in ws.series(d)
    }
    missing = [n for n in names if n not in found]
    if missing:
        raise click.BadParameter(f"no series named {', '.join(missing)}", param_hint="--series")
    return tuple(found[n] for n in names)


def _merge_query(ws: Workspace, spec: FilterSpec, query: str) -> FilterSpec:
    from anomaly_desk.query import Names, parse

    datasets = ws.datasets()
    names = Names(
        datasets={d.name: d.id for d in datasets},
        series={s.name: s.id for d in datasets for s in ws.series(d)},
    )
    ends = [d.report.end for d in datasets if d.report.end]
    reference = int(max(ends).timestamp() * 1e9) if ends else None
    parsed = parse(query, names, reference).spec
    click.echo(
        "understood: " + (", ".join(parse(query, names, reference).chips) or "nothing"), err=True
    )
    return replace(
        parsed,
        dataset_ids=spec.dataset_ids or parsed.dataset_ids,
        series_ids=spec.series_ids or parsed.series_ids,
        text=" ".join(t for t in (spec.text, parsed.text) if t),
    )
