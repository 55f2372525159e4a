"""Detection: arrays and frames in, scores (higher = more anomalous, in [0, 1]) out.

Nothing here knows of SQL, the workspace store or Qt.
"""

from anomaly_desk.detect.base import RecordDetector, SeriesDetector
from anomaly_desk.detect.bench import format_nab, format_odds, run_nab, run_odds
from anomaly_desk.detect.events import Event, group_events
from anomaly_desk.detect.nab import PROFILES, LabelledFile, Profile, ProfileResult, score_corpus
from anomaly_desk.detect.nab_corpus import load_corpus, run_corpus
from anomaly_desk.detect.period import find_period
from anomaly_desk.detect.records import EnsembleRecordDetector
from anomaly_desk.detect.streaming import StreamingDetector

__all__ = [
    "PROFILES",
    "EnsembleRecordDetector",
    "Event",
    "LabelledFile",
    "Profile",
    "ProfileResult",
    "RecordDetector",
    "SeriesDetector",
    "StreamingDetector",
    "find_period",
    "format_nab",
    "format_odds",
    "group_events",
    "load_corpus",
    "run_corpus",
    "run_nab",
    "run_odds",
    "score_corpus",
]
