"""The import wizard's work, Qt-free: planning (head of the file) and the import itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from anomaly_desk.model import DatasetInfo, DatasetKind
from anomaly_desk.progress import Progress

if TYPE_CHECKING:
    from anomaly_desk.ingest import ImportOptions, ImportPlan
    from anomaly_desk.store import Workspace


@dataclass(frozen=True)
class Planned:
    plan: ImportPlan
    source_summary: str


@dataclass(frozen=True)
class Imported:
    info: DatasetInfo
    report_lines: tuple[str, ...]


def plan(progress: Progress, path: Path, overrides: Overrides) -> Planned:
    from anomaly_desk.ingest import plan_import

    progress.update(0.0, "reading the head of the file")
    planned = plan_import(path, overrides.to_options())
    source = planned.source
    parts = [source.format.upper()]
    if source.compression:
        parts.append(f"{source.compression}-compressed")
    if source.format == "csv":
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
            source.delimiter, repr(source.delimiter)
        )
        parts.append(f"{delimiter}-separated")
        parts.append("with a header row" if source.has_header else "no header row")
    parts.append(f"{source.size:,} bytes")
    return Planned(planned, ", ".join(parts))


def run_import(progress: Progress, ws: Workspace, path: Path, overrides: Overrides) -> Imported:
    from anomaly_desk.ingest import import_file
    from anomaly_desk.ingest.report import describe

    info, _plan = import_file(ws, path, overrides.to_options(), progress)
    return Imported(info, tuple(describe(info.report)))


@dataclass(frozen=True)
class Overrides:
    """What the user changed in the wizard; None means "let the import guess".

    Kept Qt-free and free of ``anomaly_desk.ingest`` (which pulls pyarrow and the store) so
    that opening the wizard costs nothing; ``to_options`` runs in the worker.
    """

    name: str | None = None
    kind: DatasetKind | None = None
    timestamp: str | None = None
    no_timestamp: bool = False
    timestamp_format: str | None = None
    timezone: str | None = None
    entity: str | None = None
    columns: tuple[str, ...] | None = None  # value columns of a series, fields otherwise
    delimiter: str | None = None
    has_header: bool | None = None
    bad_values: str = "error"

    def to_options(self) -> ImportOptions:
        from anomaly_desk.ingest import ImportOptions, MappingOptions

        series = self.kind is DatasetKind.TIMESERIES
        mapping = MappingOptions(
            kind=self.kind,
            timestamp=None if self.no_timestamp else self.timestamp,
            timestamp_format=self.timestamp_format,
            timezone=self.timezone,
            entity=self.entity,
            values=(self.columns or ()) if series else (),
            fields=(self.columns or ()) if not series else (),
            no_timestamp=self.no_timestamp,
        )
        return ImportOptions(
            name=self.name,
            mapping=mapping,
            delimiter=self.delimiter,
            has_header=self.has_header,
            bad_values="missing" if self.bad_values == "missing" else "error",
        )
