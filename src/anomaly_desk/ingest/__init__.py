"""Reading user files into datasets: sniffing, mapping, time hygiene, validation."""

from anomaly_desk.ingest.guess import MappingOptions
from anomaly_desk.ingest.importer import (
    ImportOptions,
    ImportPlan,
    dataset_name_for,
    import_file,
    load,
    plan_import,
)

__all__ = [
    "ImportOptions",
    "ImportPlan",
    "MappingOptions",
    "dataset_name_for",
    "import_file",
    "load",
    "plan_import",
]
