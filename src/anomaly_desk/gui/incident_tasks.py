"""Incidents work for the GUI, as plain functions ``fn(progress, ws, ...)`` run by ``JobRunner``.

Nothing here imports Qt: the functions are tested alone, and the graph of an incident
(``build_graph``) is plain data that ``relationship_graph`` only draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from anomaly_desk.model import (
    AnomalyRow,
    IncidentInfo,
    IncidentLink,
    IncidentProposal,
    IncidentStatus,
)
from anomaly_desk.progress import Progress
from anomaly_desk.triage.incidents import entity_of

if TYPE_CHECKING:
    from anomaly_desk.store import Workspace

NS = 1_000_000_000
MAX_POINTS = 20_000  # per plotted series: more only costs memory, pyqtgraph downsamples anyway


@dataclass(frozen=True)
class IncidentsPage:
    incidents: tuple[IncidentInfo, ...]
    proposals: tuple[IncidentProposal, ...]


@dataclass(frozen=True)
class Trace:
    """One member series, ready to plot: x in seconds (UTC), sorted."""

    series_id: int
    name: str
    entity: str | None
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class IncidentData:
    info: IncidentInfo
    members: tuple[AnomalyRow, ...]
    traces: tuple[Trace, ...]
    links: tuple[IncidentLink, ...]


def load_incidents(progress: Progress, ws: Workspace) -> IncidentsPage:
    incidents = tuple(ws.incidents())
    progress.check()
    return IncidentsPage(incidents, tuple(ws.propose_incidents()))


def accept_proposal(
    progress: Progress, ws: Workspace, proposal: IncidentProposal, actor: str
) -> IncidentInfo:
    progress.check()
    return ws.create_incident(proposal.title, proposal.anomaly_ids, actor)


def merge_incidents(
    progress: Progress, ws: Workspace, ids: Sequence[int], actor: str
) -> IncidentInfo:
    progress.check()
    return ws.merge_incidents(list(ids), actor)


def dissolve_incident(progress: Progress, ws: Workspace, incident_id: int, actor: str) -> int:
    progress.check()
    ws.dissolve_incident(incident_id, actor)
    return incident_id


def update_incident(
    progress: Progress,
    ws: Workspace,
    incident_id: int,
    actor: str,
    title: str | None = None,
    summary: str | None = None,
    status: IncidentStatus | None = None,
) -> IncidentInfo:
    progress.check()
    return ws.update_incident(incident_id, actor, title=title, summary=summary, status=status)


def add_to_incident(
    progress: Progress, ws: Workspace, incident_id: int, ids: Sequence[int], actor: str
) -> IncidentInfo:
    progress.check()
    return ws.add_to_incident(incident_id, list(ids), actor)


def remove_from_incident(
    progress: Progress, ws: Workspace, incident_id: int, ids: Sequence[int], actor: str
) -> IncidentInfo:
    progress.check()
    return ws.remove_from_incident(incident_id, list(ids), actor)


def load_incident(progress: Progress, ws: Workspace, incident_id: int) -> IncidentData:
    """The incident, its members, each member series (one trace per series, in the order
    the members first name them) and the links between members, by the proposals' rules."""
    info, members = ws.incident(incident_id)
    progress.update(0.0, "relating the members")
    links = tuple(ws.incident_links(incident_id))
    series_ids = list(dict.fromkeys(m.series_id for m in members if m.series_id is not None))
    traces = []
    for i, series_id in enumerate(series_ids):
        progress.check()
        progress.update(i / max(1, len(series_ids)), "reading the member series")
        series = ws.series_by_id(series_id)
        ts, values = ws.read_series(series_id)
        order = np.argsort(ts, kind="stable")
        x = ts[order].astype(np.float64) / NS
        y = values[order]
        if len(x) > MAX_POINTS:
            step = int(np.ceil(len(x) / MAX_POINTS))
            x, y = x[::step], y[::step]
        traces.append(Trace(series_id, series.name, series.entity, x, y))
    return IncidentData(info, tuple(members), tuple(traces), links)


# -- the relationship graph, as data --------------------------------------------------------


@dataclass(frozen=True)
class Node:
    key: str  # "incident:3", "anomaly:17", "series:5", "entity:db-01"
    kind: str  # incident / anomaly / series / entity
    label: str
    ref: int | None = None  # the id of the incident, anomaly or series
    severity: str | None = None  # anomalies: the severity value


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    kind: str  # member of / on series / same entity / correlated / found together / related
    reason: str = ""


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    layers: tuple[tuple[str, ...], ...]  # node keys by layer, top to bottom: a layered layout


def link_kind(reason: str) -> str:
    if "belong to" in reason:
        return "same entity"
    if "found unusual together" in reason:
        return "found together"
    if "move together" in reason or "opposite directions" in reason or "(r " in reason:
        return "correlated"
    return "related"


def build_graph(
    info: IncidentInfo, members: Sequence[AnomalyRow], links: Sequence[IncidentLink] = ()
) -> Graph:
    """Incident on top; its anomalies; their series; the series' entities.

    Edges: each anomaly is a *member of* the incident and lies *on* its series; a series
    belongs to its entity (*same entity* joins the series sharing one); and each proposal
    link between two members becomes a *correlated* / *same entity* / *related* edge.
    """
    top = Node(f"incident:{info.id}", "incident", f"#{info.id} {info.title}", info.id)
    anomalies: list[Node] = []
    series: dict[str, Node] = {}
    entities: dict[str, Node] = {}
    edges: list[Edge] = []
    for row in members:
        node = Node(f"anomaly:{row.id}", "anomaly", f"#{row.id}", row.id, row.severity.value)
        anomalies.append(node)
        edges.append(Edge(node.key, top.key, "member of"))
        if row.series_id is None:
            continue
        key = f"series:{row.series_id}"
        if key not in series:
            series[key] = Node(key, "series", row.series or key, row.series_id)
            entity = entity_of(row.series or "", row.entity)
            if entity:
                ekey = f"entity:{entity}"
                entities.setdefault(ekey, Node(ekey, "entity", entity))
                edges.append(Edge(key, ekey, "same entity"))
        edges.append(Edge(node.key, key, "on series"))
    ids = {row.id for row in members}
    for link in links:
        if link.a in ids and link.b in ids:
            edges.append(
                Edge(f"anomaly:{link.a}", f"anomaly:{link.b}", link_kind(link.reason), link.reason)
            )
    layers = tuple(
        tuple(n.key for n in layer)
        for layer in _layers(top, anomalies, members, list(series.values()), entities)
        if layer
    )
    nodes = (top, *anomalies, *series.values(), *entities.values())
    return Graph(nodes, tuple(edges), layers)


def _layers(
    top: Node,
    anomalies: list[Node],
    members: Sequence[AnomalyRow],
    series: list[Node],
    entities: dict[str, Node],
) -> list[list[Node]]:
    """Rows of the drawing, ordered so that edges between rows seldom cross: series grouped
    under their entity, anomalies under their series. A cross-series finding (no series of
    its own) sits in the top row beside the incident, above the anomalies it names."""
    row_of = {r.id: r for r in members}
    entity_rank = {key: i for i, key in enumerate(entities)}
    first_row: dict[int | None, AnomalyRow] = {r.series_id: r for r in reversed(members)}

    def series_rank(node: Node) -> int:
        row = first_row[node.ref]
        return entity_rank.get(f"entity:{entity_of(row.series or '', row.entity)}", len(entities))

    ordered = [n for _, n in sorted(enumerate(series), key=lambda p: (series_rank(p[1]), p[0]))]
    place = {n.ref: i for i, n in enumerate(ordered)}
    on_series = [a for a in anomalies if row_of[a.ref or 0].series_id is not None]
    on_series.sort(key=lambda a: (place[row_of[a.ref or 0].series_id], row_of[a.ref or 0].start_ns))
    joint = [a for a in anomalies if row_of[a.ref or 0].series_id is None]
    half = len(joint) // 2
    return [[*joint[:half], top, *joint[half:]], on_series, ordered, list(entities.values())]
