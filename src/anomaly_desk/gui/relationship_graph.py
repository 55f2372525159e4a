"""An incident's relationships drawn as a graph: a plain ``QGraphicsView`` over ``Graph`` data.

The layout is layered and deterministic (incident and cross-series findings, anomalies,
series, entities from top to bottom; each layer in the order ``build_graph`` gives). Nodes in a
layer are spaced by their widest label, so labels never run into each other; links between
nodes of one layer are drawn as arcs, so they do not pass through the nodes between them.
The view fits the graph but keeps a legible scale: a graph wider than that scrolls
(Ctrl+wheel zooms, dragging pans, "fit" shows it whole again). Clicking an anomaly node emits
``anomaly_clicked(id)``: the window may connect it to select the anomaly in the table.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from anomaly_desk.gui.incident_tasks import Graph, Node
from anomaly_desk.gui.severity import SEVERITY_HEX
from anomaly_desk.model import Severity

LAYER_GAP = 78.0
NODE_GAP = 56.0  # the least distance between two nodes of a layer
LABEL_PAD = 14.0  # between two neighbouring labels
RADIUS = 11.0
LABEL_LIMIT = 24  # characters; the tooltip has the whole name
MIN_SCALE = 0.75  # fitting never shrinks the labels below this: the graph scrolls instead
MAX_SCALE = 1.3  # nor blows a three-node graph up to giant circles
ZOOM_STEP = 1.15
KeyRole = 0  # QGraphicsItem.data slot holding the node key
KIND_COLOUR = {"incident": "#7e57c2", "series": "#4f8fd6", "entity": "#5f6368"}
EDGE_STYLE = {
    "member of": ("#9e9e9e", Qt.PenStyle.SolidLine),
    "on series": ("#4f8fd6", Qt.PenStyle.SolidLine),
    "same entity": ("#5f6368", Qt.PenStyle.DashLine),
    "correlated": ("#e8710a", Qt.PenStyle.DashLine),
    "found together": ("#c2185b", Qt.PenStyle.DashLine),
    "related": ("#b0b0b0", Qt.PenStyle.DotLine),
}


def node_colour(node: Node) -> str:
    if node.kind == "anomaly" and node.severity is not None:
        return SEVERITY_HEX[Severity(node.severity)]
    return KIND_COLOUR.get(node.kind, "#9e9e9e")


def short(text: str, limit: int = LABEL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layered_positions(graph: Graph, font: QFont | None = None) -> dict[str, QPointF]:
    """Each layer a centred row, its nodes as far apart as the widest label in it needs; the
    same graph always gets the same positions."""
    metrics = QFontMetricsF(font or QFont())
    labels = {n.key: short(n.label) for n in graph.nodes}
    positions: dict[str, QPointF] = {}
    for row, layer in enumerate(graph.layers):
        widest = max((metrics.horizontalAdvance(labels.get(k, k)) for k in layer), default=0.0)
        gap = max(NODE_GAP, widest + LABEL_PAD)
        width = (len(layer) - 1) * gap
        for column, key in enumerate(layer):
            positions[key] = QPointF(column * gap - width / 2, row * LAYER_GAP)
    return positions


def edge_path(a: QPointF, b: QPointF) -> QPainterPath:
    """A straight line between layers; an arc above the row within one layer."""
    path = QPainterPath(a)
    if abs(a.y() - b.y()) > 1e-6:
        path.lineTo(b)
        return path
    lift = min(LAYER_GAP * 0.45, 12.0 + abs(b.x() - a.x()) * 0.18)
    path.quadTo(QPointF((a.x() + b.x()) / 2, a.y() - 2 * lift), b)
    return path


class RelationshipGraph(QGraphicsView):
    anomaly_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relationship-graph")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setScene(QGraphicsScene(self))
        self.setMinimumHeight(160)
        self.graph: Graph | None = None
        self.node_items: dict[str, QGraphicsEllipseItem] = {}
        self.label_items: dict[str, QGraphicsSimpleTextItem] = {}
        self.edge_items: list[QGraphicsPathItem] = []

    def clear(self) -> None:
        self.scene().clear()
        self.graph = None
        self.node_items, self.label_items, self.edge_items = {}, {}, []

    def set_graph(self, graph: Graph) -> None:
        self.clear()
        scene = self.scene()
        self.graph = graph
        positions = layered_positions(graph, self.font())
        for edge in graph.edges:
            colour, style = EDGE_STYLE.get(edge.kind, EDGE_STYLE["related"])
            pen = QPen(QColor(colour), 1.4, style)
            line = scene.addPath(edge_path(positions[edge.a], positions[edge.b]), pen)
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
            label = QGraphicsSimpleTextItem(short(node.label), item)
            label.setFont(self.font())
            label.setBrush(self.palette().text())
            label.setPos(p.x() - label.boundingRect().width() / 2, p.y() + RADIUS + 2)
            self.node_items[node.key] = item
            self.label_items[node.key] = label
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-10, -8, 10, 8))
        self.fit()

    def fit(self) -> None:
        """Show the whole graph, within a legible scale (beyond it, the view scrolls)."""
        rect: QRectF = self.scene().sceneRect()
        viewport = self.viewport().rect()
        if rect.isEmpty() or viewport.isEmpty():
            return
        scale = min(viewport.width() / rect.width(), viewport.height() / rect.height())
        scale = min(MAX_SCALE, max(MIN_SCALE, scale * 0.98))
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(rect.center())

    def zoom(self) -> float:
        return float(self.transform().m11())

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

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.fit()
        super().mouseDoubleClickEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP
            self.scale(step, step)
            event.accept()
        else:
            super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()
