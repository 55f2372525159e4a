"""Detection: arrays and frames in, scores (higher = more anomalous, in [0, 1]) out.

Nothing here knows of SQL, the workspace store or Qt.

The names below load on first use (PEP 562): importing any ``anomaly_desk.detect.<module>``
runs this file first, and importing bench / records / streaming here eagerly would load
scikit-learn and SciPy (about a second) into every command that only needs, say, the expected
band of a report plot.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anomaly_desk.detect.base import RecordDetector, SeriesDetector
    from anomaly_desk.detect.bench import format_nab, format_odds, run_nab, run_odds
    from anomaly_desk.detect.events import Event, group_events
    from anomaly_desk.detect.nab import (
        PROFILES,
        LabelledFile,
        Profile,
        ProfileResult,
        score_corpus,
    )
    from anomaly_desk.detect.nab_corpus import load_corpus, run_corpus
    from anomaly_desk.detect.period import find_period
    from anomaly_desk.detect.records import EnsembleRecordDetector
    from anomaly_desk.detect.streaming import StreamingDetector

_SOURCES = {
    "RecordDetector": "base",
    "SeriesDetector": "base",
    "format_nab": "bench",
    "format_odds": "bench",
    "run_nab": "bench",
    "run_odds": "bench",
    "Event": "events",
    "group_events": "events",
    "PROFILES": "nab",
    "LabelledFile": "nab",
    "Profile": "nab",
    "ProfileResult": "nab",
    "score_corpus": "nab",
    "load_corpus": "nab_corpus",
    "run_corpus": "nab_corpus",
    "find_period": "period",
    "EnsembleRecordDetector": "records",
    "StreamingDetector": "streaming",
}

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


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
