"""Exports and evidence: dataset and anomaly exports, case reports (HTML / PDF), bundles.

- ``export_dataset``: a dataset back to CSV / JSON lines / Parquet.
- ``export_anomalies``: the anomalies a filter selects as CSV / JSON / Parquet.
- ``build_case`` + ``write_report``: a case report for a list of anomaly ids (a selection or an
  incident's members), as one self-contained HTML file and a PDF of the same content.
- ``make_bundle`` / ``verify_bundle``: the evidence zip and its tamper check.
"""

from anomaly_desk.report.anomaly_export import ANOMALY_FORMATS, export_anomalies
from anomaly_desk.report.bundle import BundleResult, make_bundle
from anomaly_desk.report.bundle_verify import BundleProblem, BundleVerification, verify_bundle
from anomaly_desk.report.case import Case, build_case, select_ids
from anomaly_desk.report.data_export import EXPORT_FORMATS, dataset_frame, export_dataset
from anomaly_desk.report.render import render_html, render_pdf, write_report

# Plain sorted() order, which tests/test_packaging.py checks (ruff would put constants first).
__all__ = [  # noqa: RUF022
    "ANOMALY_FORMATS",
    "BundleProblem",
    "BundleResult",
    "BundleVerification",
    "Case",
    "EXPORT_FORMATS",
    "build_case",
    "dataset_frame",
    "export_anomalies",
    "export_dataset",
    "make_bundle",
    "render_html",
    "render_pdf",
    "select_ids",
    "verify_bundle",
    "write_report",
]
