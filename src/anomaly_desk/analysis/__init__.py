"""Work that joins the store and the detectors: detection runs over workspace datasets."""

from anomaly_desk.analysis.detection_run import PRESETS, run_detection

__all__ = ["PRESETS", "run_detection"]
