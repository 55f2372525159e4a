"""Annotations for the GUI, as plain functions ``fn(progress, ws, ...)`` run by ``JobRunner``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from anomaly_desk.model import Annotation
from anomaly_desk.progress import Progress

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace


@dataclass(frozen=True)
class SeriesAnnotations:
    series_id: int
    annotations: tuple[Annotation, ...]

    def spans(self) -> tuple[tuple[int, int, str], ...]:
        return tuple((a.start_ns, a.end_ns, a.text) for a in self.annotations)


def load_annotations(progress: Progress, ws: Workspace, series_id: int) -> SeriesAnnotations:
    """The series' own annotations and its dataset-wide ones, earliest first."""
    progress.check()
    return SeriesAnnotations(series_id, tuple(ws.annotations(series_id=series_id)))


def annotate_range(
    progress: Progress,
    ws: Workspace,
    series_id: int,
    text: str,
    start_ns: int,
    end_ns: int,
    actor: str,
) -> SeriesAnnotations:
    """Store a note on ``[start_ns, end_ns]`` of the series; returns its annotations now."""
    progress.check()
    ws.add_annotation(text, start_ns, end_ns, actor, series_id=series_id)
    return load_annotations(progress, ws, series_id)
