"""The demo data's planted db-01 slowdown comes out as one proposal, as an analyst would see it.

The data is imported and detected exactly as a user would (``import_file``, ``run_detection``);
planted.json says which series were hit and when.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from anomaly_desk.analysis import run_detection
from anomaly_desk.ingest import ImportOptions, import_file
from anomaly_desk.resources import resource_path
from anomaly_desk.store import Workspace

NAME = "datacenter_metrics"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("demo") / "ws.sqlite"
    with Workspace.open(path) as ws:
        import_file(ws, resource_path("demo", f"{NAME}.csv.gz"), ImportOptions(name=NAME))
        run_detection(ws, NAME)
        yield ws


def _planted() -> dict[str, Any]:
    data = json.loads(Path(resource_path("demo", "planted.json")).read_text(encoding="utf-8"))
    (slowdown,) = [i for i in data[NAME]["incidents"] if i["id"] == "db01_slowdown"]
    result: dict[str, Any] = slowdown
    return result


def test_the_planted_slowdown_is_one_proposal(demo: Workspace) -> None:
    planted = _planted()
    series = {f"{s['host']}/{s['column']}" for s in planted["series"]}
    start = pd.Timestamp(planted["start"]).value
    end = pd.Timestamp(planted["end"]).value
    rows, _ = demo.anomalies(limit=10_000)
    hit = {r.id for r in rows if r.series in series and r.start_ns < end and r.end_ns >= start}
    assert {r.series for r in rows if r.id in hit} == series  # detection found every one
    proposals = demo.propose_incidents(demo.dataset(NAME).id)
    holding = [p for p in proposals if hit & set(p.anomaly_ids)]
    assert len(holding) == 1, [p.title for p in holding]
    (proposal,) = holding
    assert hit <= set(proposal.anomaly_ids)
    assert set(proposal.series) == series
    # Nothing from outside the planted window rides along.
    members = {r.id: r for r in rows if r.id in proposal.anomaly_ids}
    assert all(r.start_ns < end and r.end_ns >= start for r in members.values())
    assert proposal.title.startswith("db-01/latency_ms and 6 more series from 2025-03-12 14:00")
    assert proposal.score >= 75
    assert all(link.reason for link in proposal.links)
    assert len(proposal.links) == len(proposal.anomaly_ids) - 1


def test_the_proposal_becomes_an_incident_with_a_clean_log(demo: Workspace) -> None:
    (first, *_) = demo.propose_incidents()
    made = demo.create_incident(first.title, first.anomaly_ids, "ann")
    _, members = demo.incident(made.id)
    assert tuple(sorted(m.id for m in members)) == first.anomaly_ids
    assert all(p.anomaly_ids != first.anomaly_ids for p in demo.propose_incidents())
    assert demo.verify_audit().ok


def test_a_stored_incident_has_links_between_its_members(demo: Workspace) -> None:
    """Links come from the store, so any stored incident has them, not only a fresh one."""
    for old in demo.incidents():  # the planted slowdown is the first proposal again
        demo.dissolve_incident(old.id, "ann")
    (first, *_) = demo.propose_incidents()
    made = demo.create_incident("by hand", first.anomaly_ids, "ann")
    links = demo.incident_links(made.id)
    members = set(first.anomaly_ids)
    assert links and all(k.reason and {k.a, k.b} <= members for k in links)
    # The members stay joined: the links span every one of them.
    joined = {k.a for k in links} | {k.b for k in links}
    assert joined == members and len(links) == len(members) - 1
    # Same rules, same evidence: the links the proposal showed, strongest first.
    assert links == sorted(first.links, key=lambda k: (-k.strength, k.a, k.b))
    assert any("found unusual together" in k.reason for k in links)
    # Take all but one member out: one anomaly alone has nothing to link to.
    demo.remove_from_incident(made.id, first.anomaly_ids[1:], "ann")
    assert demo.incident_links(made.id) == []
