"""Annotations on a time range of a series or a dataset: stored, found by range, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anomaly_desk.errors import BadInputError, WorkspaceError
from anomaly_desk.store import Workspace
from tests.conftest import logical_snapshot
from tests.incidents.helpers import SERIES, add_metrics, at


def test_add_find_by_range_and_delete(ws: Workspace) -> None:
    ids = add_metrics(ws)
    dataset = ws.dataset("metrics").id
    on_app = ws.add_annotation("deploy 4.2", at(10), at(20), "ann", series_id=ids[SERIES[0]])
    on_all = ws.add_annotation("DC power test", at(30), at(40), "bob", dataset_id=dataset)
    on_batch = ws.add_annotation("reindex", at(10), at(12), "ann", series_id=ids[SERIES[2]])
    assert on_app.dataset_id == dataset and on_all.series_id is None
    # A series' timeline shows its own notes and the dataset-wide ones.
    assert [n.id for n in ws.annotations(series_id=ids[SERIES[0]])] == [on_app.id, on_all.id]
    assert [n.id for n in ws.annotations(dataset_id=dataset)] == [on_app.id, on_batch.id, on_all.id]
    assert [n.id for n in ws.annotations(start_ns=at(15), end_ns=at(31))] == [on_app.id, on_all.id]
    assert [n.id for n in ws.annotations(start_ns=at(41))] == []
    ws.delete_annotation(on_app.id, "ann")
    assert [n.id for n in ws.annotations()] == [on_batch.id, on_all.id]
    records = [r for r in ws.audit_records() if r.object_type == "annotation"]
    assert [(r.action, r.object_uid) for r in records] == [
        ("create", on_app.uid), ("create", on_all.uid), ("create", on_batch.uid),
        ("delete", on_app.uid),
    ]  # fmt: skip
    assert json.loads(records[0].after or "") == {
        "dataset": "metrics", "series": SERIES[0], "start_ns": at(10), "end_ns": at(20),
        "text": "deploy 4.2",
    }  # fmt: skip
    assert records[3].after is None and json.loads(records[3].before or "")["text"] == "deploy 4.2"
    assert ws.verify_audit().ok


def test_bad_annotations_are_refused_and_change_nothing(
    ws: Workspace, workspace_path: Path
) -> None:
    ids = add_metrics(ws)
    before = logical_snapshot(workspace_path)
    series = ids[SERIES[0]]
    with pytest.raises(BadInputError, match="end is before its start"):
        ws.add_annotation("x", at(5), at(4), "ann", series_id=series)
    with pytest.raises(BadInputError, match="not both or neither"):
        ws.add_annotation("x", at(1), at(2), "ann")
    with pytest.raises(BadInputError, match="annotation"):
        ws.add_annotation("   ", at(1), at(2), "ann", series_id=series)
    with pytest.raises(WorkspaceError, match="no series with id 99"):
        ws.add_annotation("x", at(1), at(2), "ann", series_id=99)
    with pytest.raises(WorkspaceError, match="no annotation with id 5"):
        ws.delete_annotation(5, "ann")
    assert logical_snapshot(workspace_path) == before


def test_notes_go_with_their_dataset(ws: Workspace) -> None:
    ids = add_metrics(ws)
    ws.add_annotation("deploy", at(1), at(2), "ann", series_id=ids[SERIES[0]])
    ws.delete_dataset("metrics")
    assert ws.annotations() == []
