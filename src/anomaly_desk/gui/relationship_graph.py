"""An incident's relationships drawn as a graph: a plain ``QGraphicsView`` over ``Graph`` data.

The layout is layered and deterministic (incident, anomalies, series, entities from top to
bottom; each layer in the order ``build_graph`` gives). Clicking an anomaly node emits
``anomaly_clicked(id)``: the window may connect it to select the anomaly in the table.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from anomaly_desk.gui.incident_tasks import Graph, Node
from anomaly_desk.gui.severity import SEVERITY_HEX
from anomaly_desk.model import Severity

LAYER_GAP = 90.0
NODE_GAP = 70.0
RADIUS = 11.0
KeyRole = 0  # QGraphicsItem.data slot holding the node key
KIND_COLOUR = {"incident": "#7e57c2", "series": "#4f8fd6", "entity": "#5f6368"}
EDGE_STYLE = {
    "member of": ("#9e9e9e", Qt.PenStyle.SolidLine),
    "on series": ("#4f8fd6", Qt.PenStyle.SolidLine),
    "same entity": ("#5f6368", Qt.PenStyle.DashLine),
    "correlated": ("#e8710a", Qt.PenStyle.DashLine),
    "related": ("#b0b0b0", Qt.PenStyle.DotLine),
}


def node_colour(node: Node) -> str:
    if node.kind == "anomaly" and node.severity is not None:
        return SEVERITY_HEX[Severity(node.severity)]
    return KIND_COLOUR.get(node.kind, "#9e9e9e")


def layered_positions(graph: Graph) -> dict[str, QPointF]:
    """Each layer a centred row; the same graph always gets the same positions."""
    positions: dict[str, QPointF] = {}
    for row, layer in enumerate(graph.layers):
        width = (len(layer) - 1) * NODE_GAP
        for column, key in enumerate(layer):
            positions[key] = QPointF(column * NODE_GAP - width / 2, row * LAYER_GAP)
    return positions


class RelationshipGraph(QGraphicsView):
    anomaly_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relationship-graph")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setScene(QGraphicsScene(self))
        self.graph: Graph | None = None
        self.node_items: dict[str, QGraphicsEllipseItem] = {}
        self.edge_items: list[QGraphicsLineItem] = []

    def set_graph(self, graph: Graph) -> None:
        scene = self.scene()
        scene.clear()
        self.graph = graph
        self.node_items, self.edge_items = {}, []
        positions = layered_positions(graph)
        for edge in graph.edges:
            a, b = positions[edge.a], positions[edge.b]
            colour, style = EDGE_STYLE.get(edge.kind, EDGE_STYLE["related"])
            line = scene.addLine(a.x(), a.y(), b.x(), b.y(), QPen(QColor(colour), 1.4, style))
            line.setZValue(-1)
            line.setToolTip(f"{edge.kind}: {edge.reason}" if edge.reason else edge.kind)
            self.edge_items.append(line)
        for node in graph.nodes:
            p = positions[node.key]
            item = scene.addEllipse(
                p.x() - RADIUS, p.y() - RADIUS, 2 * RADIUS, 2 * RADIUS,
                QPen(QColor("#202124"), 0.8), QBrush(QColor(node_colour(node))),
            )  # fmt: skip
            item.setData(KeyRole, node.key)
            item.setToolTip(f"{node.kind}: {node.label}")
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, node.kind == "anomaly")
            label = QGraphicsSimpleTextItem(_short(node.label), item)
            label.setPos(p.x() - label.boundingRect().width() / 2, p.y() + RADIUS + 2)
            self.node_items[node.key] = item
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.fitInView(scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def node_at(self, key: str) -> QGraphicsEllipseItem | None:
        return self.node_items.get(key)

    def click_node(self, key: str) -> None:
        """What a click on the node does (tests and keyboard users call it directly)."""
        if key.startswith("anomaly:"):
            self.anomaly_clicked.emit(int(key.partition(":")[2]))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        for item in self.items(event.position().toPoint()):
            key = item.data(KeyRole)
            if isinstance(key, str):
                self.click_node(key)
                break
        super().mousePressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
