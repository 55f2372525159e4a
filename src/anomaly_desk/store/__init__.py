"""The workspace: one SQLite file holding datasets, detections, triage and audit."""

from anomaly_desk.store.new_dataset import NewDataset, NewSeries
from anomaly_desk.store.workspace import Workspace, default_workspace_path

__all__ = ["NewDataset", "NewSeries", "Workspace", "default_workspace_path"]
