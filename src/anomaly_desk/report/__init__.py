"""Exports: data (CSV / JSON lines / Parquet) now; case reports and evidence bundles later."""

from anomaly_desk.report.data_export import EXPORT_FORMATS, dataset_frame, export_dataset

__all__ = ["EXPORT_FORMATS", "dataset_frame", "export_dataset"]
