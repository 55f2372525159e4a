"""Detection families: frames in, explained findings out (events as a graph, records as rows)."""

from anomaly_desk.detect.families.graph import detect_events
from anomaly_desk.detect.families.records import detect_records

__all__ = ["detect_events", "detect_records"]
