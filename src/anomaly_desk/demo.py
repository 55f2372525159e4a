"""The demo workspace: our generated data (``scripts/make_demo_data.py``) imported as a user
would, so a first start has something real to look at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anomaly_desk.ingest import ImportOptions, MappingOptions, import_file
from anomaly_desk.model import DatasetKind
from anomaly_desk.paths import default_demo_path as default_demo_path  # kept for callers
from anomaly_desk.progress import Progress, silent
from anomaly_desk.resources import resource_path
from anomaly_desk.store import Workspace


@dataclass(frozen=True)
class DemoFile:
    file: str
    options: ImportOptions


DEMO_FILES = (
    DemoFile("datacenter_metrics.csv.gz", ImportOptions(name="datacenter_metrics")),
    DemoFile(
        "shop_orders.csv.gz",
        ImportOptions(name="shop_orders", mapping=MappingOptions(timezone="Europe/Berlin")),
    ),
    DemoFile(
        "logins.csv.gz",
        ImportOptions(name="logins", mapping=MappingOptions(kind=DatasetKind.EVENTS)),
    ),
    DemoFile(
        "expenses.csv.gz",
        ImportOptions(name="expenses", mapping=MappingOptions(kind=DatasetKind.RECORDS)),
    ),
)


def build_demo_workspace(dest: Path, progress: Progress | None = None) -> Path:
    """Create the demo workspace at ``dest`` (which must not exist), all or nothing."""
    progress = progress or silent()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        with Workspace.open(tmp) as ws:
            for i, demo in enumerate(DEMO_FILES):
                progress.update(i / len(DEMO_FILES), f"importing {demo.file}")
                import_file(ws, resource_path("demo", demo.file), demo.options)
        tmp.replace(dest)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    progress.update(1.0, "done")
    return dest
