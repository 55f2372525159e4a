"""The workspace: one SQLite file holding datasets, detections, triage and audit."""

from anomaly_desk.paths import default_workspace_path
from anomaly_desk.store.new_dataset import NewDataset, NewSeries
from anomaly_desk.store.workspace import Workspace

__all__ = ["NewDataset", "NewSeries", "Workspace", "default_workspace_path"]
