"""The canvas's view: NodeGraphQt's ``NodeViewer``, with what a big flow needs of it.

It keeps its centre and scale when resized, reports links dropped on empty space and
right-clicks, drops a link on Esc or when it is only clicked (NodeGraphQt kept it following
the mouse), says why a link let go on a port is refused, makes its pipes ``FlowPipe``s
(styled by the bridge), bends the pipes of nodes being dragged, and says when it crosses
``LOD_SCALE`` (the canvas then shows its overview, or the nodes again). Zoomed out, the
nodes are transparent, and Qt finds no transparent item under the mouse: a click then
selects the node the overview draws there (``sketch``), a right-click offers its menu, and a
double-click asks to zoom in there.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from ..window_first import busy, release
from .link_layer import Links
from .ngqt import PORT_IN, AbstractNodeItem, NodeViewerBase, PipeItem, PortItem
from .node_item import FlowNodeItem
from .overview import LOD_SCALE
from .pipes import FlowPipe
from .sketch import Sketch

CARRIED_ALONE = 64


class CanvasViewer(NodeViewerBase):
    """NodeGraphQt's view, keeping its centre and scale when it is resized (NodeGraphQt keeps
    the visible scene rect instead, so a resized window zoomed and a hidden tab lost its
    view)."""

    FIT_MARGIN = 4  # QGraphicsView.fitInView leaves 2 px on each side
    link_dropped = QtCore.Signal(object, QtCore.QPointF)  # the PortItem dragged from, where
    link_refused = QtCore.Signal(str)  # a link let go on a port it cannot join: why
    context_requested = QtCore.Signal(object, QtCore.QPointF, QtCore.QPoint)  # item, scene, global
    view_changed = QtCore.Signal()  # panned, zoomed or resized
    detail_changed = QtCore.Signal(bool)  # crossed LOD_SCALE: True when zoomed in past it
    nodes_dragged = QtCore.Signal()  # the selected nodes moved under the mouse
    zoom_in_requested = QtCore.Signal(QtCore.QPointF)  # double-click on the overview, there
    enter_pressed = QtCore.Signal()  # Enter, with nothing on the canvas being typed into
    detailed = True  # at or above LOD_SCALE (NodeViewer.__init__ already sets a view)
    sketch: Sketch | None = None  # the canvas's nodes as drawn zoomed out
    links: Links | None = None  # what draws the canvas's pipes
    style_pipe: Callable[[FlowPipe], None] = staticmethod(lambda pipe: None)  # set by the bridge
    gesture_point: QtCore.QPointF | None = None  # where a link being let go was let go
    _carried: set[FlowPipe] = frozenset()  # the links of nodes being dragged (``_carry``)

    def _overview_node(self, pos: QtCore.QPoint) -> FlowNodeItem | None:
        """Zoomed out: the node drawn at viewport ``pos``, if any."""
        if self.detailed or self.sketch is None:
            return None
        return self.sketch.node_at(self.mapToScene(pos))

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        """Zoomed out, a click selects the node the overview draws there."""
        self.take_modifiers(event.modifiers())
        node = self._overview_node(event.position().toPoint())
        if node is not None and event.button() == QtCore.Qt.MouseButton.LeftButton:
            if not event.modifiers() & QtCore.Qt.KeyboardModifier.ControlModifier:
                self.scene().clearSelection()
            node.setSelected(not node.isSelected())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QtGui.QMouseEvent) -> None:
        if not self.detailed:
            self.zoom_in_requested.emit(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        with busy():  # a run in this process waits meanwhile (``window_first``)
            super().paintEvent(event)
        release()  # the run's news drawn on the canvas is on screen

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        """Esc drops a link being dragged; Enter, with nothing being typed, is reported."""
        if event.key() == QtCore.Qt.Key.Key_Escape and self.live_link_start() is not None:
            self.cancel_live_connection()
            event.accept()
            return
        keys = (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter)
        if event.key() in keys and self.scene().focusItem() is None:
            self.enter_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def on_view_changed(self) -> None:
        """Say when the view crosses ``LOD_SCALE``, and that it changed."""
        detailed = self.transform().m11() >= LOD_SCALE
        if detailed != self.detailed:
            self.detailed = detailed
            self.detail_changed.emit(detailed)
        self.view_changed.emit()

    def establish_connection(self, start_port: PortItem, end_port: PortItem) -> None:
        """Draw a new pipe between two ports (one of ours, see ``FlowPipe``)."""
        pipe = FlowPipe()
        pipe.links = self.links
        self.scene().addItem(pipe)
        pipe.set_connections(start_port, end_port)
        pipe.draw_path(pipe.input_port, pipe.output_port)
        self.style_pipe(pipe)
        if start_port.node.isSelected() or end_port.node.isSelected():
            pipe.highlight()
        if not self.detailed:
            pipe.setOpacity(0.0)  # the overview draws it

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if isinstance(self.scene().mouseGrabberItem(), FlowNodeItem):
            nodes = [i for i in self.scene().selectedItems() if isinstance(i, FlowNodeItem)]
            if not self._carried:
                self._carry(nodes)
            for item in nodes:
                item.redraw_pipes()
            self.nodes_dragged.emit()

    def _carry(self, nodes: list[FlowNodeItem]) -> None:
        """The links of nodes starting to be dragged paint themselves until the drag ends
        (up to ``CARRIED_ALONE`` of them: more are quicker to paint as their layers do)."""
        pipes = {
            pipe
            for node in nodes
            for port in (*node.inputs, *node.outputs)
            for pipe in port.connected_pipes
        }
        if len(pipes) <= CARRIED_ALONE:
            self._carried = pipes
            for pipe in pipes:
                pipe.carry(True)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        carried, self._carried = self._carried, set()
        for pipe in carried:
            if pipe.scene() is not None:
                pipe.carry(False)

    def apply_live_connection(self, event) -> None:
        """A link let go on the port it came from (a click) is no link; a new one dropped
        where there is neither a port nor a node is reported (the window offers the nodes
        it could connect to there)."""
        start = self.live_link_start()
        under = self.scene().items(event.scenePos())
        end = next((item for item in under if isinstance(item, PortItem)), None)
        if start is not None and end is start:
            self.cancel_live_connection()
            return
        free = (
            start is not None
            and not self.link_was_taken()
            and not any(isinstance(item, (PortItem, AbstractNodeItem)) for item in under)
        )
        refusal = self._refusal(start, end) if start is not None and end is not None else ""
        self.gesture_point = event.scenePos()
        try:
            super().apply_live_connection(event)
            if refusal:
                self.link_refused.emit(refusal)
        finally:
            self.gesture_point = None
        if start is not None:
            start.update()  # NodeGraphQt unhovered it without a repaint
        if free:
            self.link_dropped.emit(start, event.scenePos())

    def _refusal(self, start: PortItem, end: PortItem) -> str:
        """Why NodeGraphQt will not link ``start`` to ``end`` (it says nothing), or ``""``."""
        source, target = (start, end) if start.port_type != PORT_IN else (end, start)
        between = f"cannot link {_named(source)} to {_named(target)}"
        if start.port_type == end.port_type:
            kind = "inputs" if start.port_type == PORT_IN else "outputs"
            return f"{between}: both are {kind}, and a link goes from an output to an input"
        if start.node is end.node:
            return f"{between}: a node cannot feed itself"
        if start.multi_connection and start in end.connected_ports:
            return ""  # linked already
        if self.acyclic and not self.acyclic_check(start, end):
            feeder, fed = target.node.plain_name, source.node.plain_name
            return f"{between}: {feeder} already feeds {fed}, so the link would make a loop"
        return ""

    def contextMenuEvent(self, event: QtGui.QContextMenuEvent) -> None:
        """Right-click: the node or link under the cursor (or ``None``: the canvas) and where."""
        scene_pos = self.mapToScene(event.pos())
        target = self._overview_node(event.pos())
        for item in [] if target is not None else self.scene().items(scene_pos):
            while item is not None and not isinstance(item, (AbstractNodeItem, PipeItem)):
                item = item.parentItem()
            if item is not None and not (isinstance(item, PipeItem) and not item.input_port):
                target = item
                break
        self.context_requested.emit(target, scene_pos, event.globalPos())
        event.accept()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        scale = self.transform().m11()
        centre = self.scene_center()
        QtWidgets.QGraphicsView.resizeEvent(self, event)
        self.show_at(*centre, scale)

    def show_at(self, x: float, y: float, scale: float) -> None:
        """Centre the view on scene point (x, y) at ``scale``."""
        size = self.viewport().size()
        width = max(size.width() - self.FIT_MARGIN, 1) / scale
        height = max(size.height() - self.FIT_MARGIN, 1) / scale
        self.set_scene_rect([x - width / 2, y - height / 2, width, height])


def _named(port: PortItem) -> str:
    """A port as the user knows it: "node · port"."""
    return f"{port.node.plain_name} · {port.name}"
