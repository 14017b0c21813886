"""The canvas: a NodeGraphQt graph that only *requests* edits.

NodeGraphQt normally edits its own model and undo stack when the user connects, moves or
drops things. ``CanvasGraph`` turns each such gesture into a request signal instead; the
``FlowBridge`` makes the edit on our model through an undo command, and the model's events
redraw the canvas. So the canvas never changes on its own and undo, file loads and scripted
edits look the same to it.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import Link
from .flow_node import FlowNode
from .ngqt import PORT_IN, AbstractNodeItem, NodeGraph, NodeViewer, PipeItem, PortItem
from .value_editor import ValueEditor, editor_of

SPEC_MIME = "application/x-pyflow-spec"
FRAME_MARGIN = 40.0
MIN_FRAME_SCALE = 0.8  # node text at 4/5 of the size of the rest of the window: legible
MAX_FRAME_SCALE = 1.25


def _link_between(first, second) -> Link:
    """The model link for two NodeGraphQt port items, whatever order they come in."""
    source, target = (first, second) if first.port_type != PORT_IN else (second, first)
    return Link(source.node.id, source.name, target.node.id, target.name)


class CanvasViewer(NodeViewer):
    """NodeGraphQt's view, keeping its centre and scale when it is resized (NodeGraphQt keeps
    the visible scene rect instead, so a resized window zoomed and a hidden tab lost its
    view)."""

    FIT_MARGIN = 4  # QGraphicsView.fitInView leaves 2 px on each side
    link_dropped = QtCore.Signal(object, QtCore.QPointF)  # the PortItem dragged from, where
    context_requested = QtCore.Signal(object, QtCore.QPointF, QtCore.QPoint)  # item, scene, global

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        """A click away from an inline editor that is being typed into finishes the typing
        (the value is committed, as Enter or Tab would)."""
        focused = editor_of(self.scene().focusItem())
        if focused is not None and focused not in self._editors_at(event.position().toPoint()):
            focused.commit()
        super().mousePressEvent(event)

    def _editors_at(self, point: QtCore.QPoint) -> list:
        return [editor_of(item) for item in self.items(point)]

    def apply_live_connection(self, event) -> None:
        """A new link dropped where there is neither a port nor a node: say so (the window
        offers the nodes it could connect to there)."""
        start = self._start_port if self._LIVE_PIPE.isVisible() else None
        free = (
            start is not None
            and self._detached_port is None
            and not any(
                isinstance(item, (PortItem, AbstractNodeItem))
                for item in self.scene().items(event.scenePos())
            )
        )
        super().apply_live_connection(event)
        if free:
            self.link_dropped.emit(start, event.scenePos())

    def contextMenuEvent(self, event: QtGui.QContextMenuEvent) -> None:
        """Right-click: the node or link under the cursor (or ``None``: the canvas) and where."""
        scene_pos = self.mapToScene(event.pos())
        target = None
        for item in self.scene().items(scene_pos):
            while item is not None and not isinstance(item, (AbstractNodeItem, PipeItem)):
                item = item.parentItem()
            if item is not None and not (isinstance(item, PipeItem) and not item.input_port):
                target = item
                break
        self.context_requested.emit(target, scene_pos, event.globalPos())
        event.accept()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        scale = self.transform().m11()
        centre = self._scene_range.center()
        QtWidgets.QGraphicsView.resizeEvent(self, event)
        self._last_size = self.size()
        self.show_at(centre.x(), centre.y(), scale)

    def show_at(self, x: float, y: float, scale: float) -> None:
        """Centre the view on scene point (x, y) at ``scale``."""
        size = self.viewport().size()
        width = max(size.width() - self.FIT_MARGIN, 1) / scale
        height = max(size.height() - self.FIT_MARGIN, 1) / scale
        self._scene_range = QtCore.QRectF(x - width / 2, y - height / 2, width, height)
        self._update_scene()


class CanvasGraph(NodeGraph):
    """One flow's node graph. Signals carry model ids, never NodeGraphQt objects."""

    links_change_requested = QtCore.Signal(list, list)  # removed links, added links
    move_requested = QtCore.Signal(dict)  # node id -> (x, y)
    create_requested = QtCore.Signal(str, float, float)  # spec id, scene x, scene y
    rename_requested = QtCore.Signal(str, str)  # node id, new name
    search_requested = QtCore.Signal(QtCore.QPointF)  # scene position for a new node
    # A link dragged from (node id, port, it is an output) dropped on empty space at a point:
    link_dropped = QtCore.Signal(str, str, bool, QtCore.QPointF)
    # Right-click on a node (its id), a link (the Link) or the canvas (None), scene and global:
    context_requested = QtCore.Signal(object, QtCore.QPointF, QtCore.QPoint)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        # NodeGraphQt's own undo stack: our edits never go on it. Its viewer gets none, so it
        # adds no Undo/Redo actions of its own: theirs made Ctrl+Z an ambiguous shortcut.
        undo_stack = QtGui.QUndoStack()
        super().__init__(parent, undo_stack=undo_stack, viewer=CanvasViewer(undo_stack=None))
        undo_stack.setParent(self)
        self.set_acyclic(True)
        self.set_pipe_collision(False)
        viewer = self.viewer()
        viewer.link_dropped.connect(
            lambda port, pos: self.link_dropped.emit(
                port.node.id, port.name, port.port_type != PORT_IN, pos
            )
        )
        viewer.context_requested.connect(self._context_requested)
        search = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_Tab), viewer)
        search.setContext(QtCore.Qt.ShortcutContext.WidgetShortcut)
        search.activated.connect(self._request_search)

    # -- the canvas nodes, by model id ----------------------------------------------------

    def flow_node(self, node_id: str) -> FlowNode | None:
        return self.model.nodes.get(node_id)

    def flow_nodes(self) -> list[FlowNode]:
        return list(self.model.nodes.values())

    def get_unique_name(self, name: str) -> str:
        """Node titles need not be unique (ids are); NodeGraphQt's check is O(n) per node."""
        return " ".join(name.split())

    def add_flow_node(self, node: FlowNode) -> None:
        """Put a built node on the canvas without NodeGraphQt's undo stack or selection."""
        self.add_node(node, pos=node.model.pos, selected=False, push_undo=False)

    def remove_flow_node(self, node_id: str) -> None:
        node = self.flow_node(node_id)
        if node is not None:
            self.remove_node(node, push_undo=False)

    def frame_all(self) -> None:
        """Zoom to fit every node, but never below the scale where text stays legible (a
        big flow then shows from its top-left corner: scroll for the rest) and never above
        ``MAX_FRAME_SCALE``. Bounds are computed here (NodeGraphQt's is quadratic)."""
        rect = QtCore.QRectF()
        for node in self.model.nodes.values():
            rect = rect.united(node.view.sceneBoundingRect())
        if rect.isNull():
            return
        rect = rect.adjusted(-FRAME_MARGIN, -FRAME_MARGIN, FRAME_MARGIN, FRAME_MARGIN)
        size = self.viewer().viewport().size()
        room = size.width() - CanvasViewer.FIT_MARGIN, size.height() - CanvasViewer.FIT_MARGIN
        fit = min(room[0] / rect.width(), room[1] / rect.height())
        scale = min(max(fit, MIN_FRAME_SCALE), MAX_FRAME_SCALE)
        width, height = room[0] / scale, room[1] / scale
        x = rect.center().x() if width >= rect.width() else rect.left() + width / 2
        y = rect.center().y() if height >= rect.height() else rect.top() + height / 2
        self.set_view(x, y, scale)

    def view_state(self) -> tuple[float, float, float]:
        """Where the view looks: the scene point at its centre, and its scale."""
        centre = self.viewer().mapToScene(self.viewer().viewport().rect().center())
        return centre.x(), centre.y(), self.viewer().transform().m11()

    def set_view(self, x: float, y: float, scale: float) -> None:
        """Centre the view on scene point (x, y) at ``scale`` (1.0: text at its own size)."""
        self.viewer().show_at(x, y, scale)

    def finish_typing(self) -> None:
        """Commit a value still being typed into an inline editor (before a save or a run)."""
        focused = editor_of(self.viewer().scene().focusItem())
        if focused is not None:
            focused.commit()

    def cursor_scene_pos(self) -> QtCore.QPointF | None:
        """The scene point under the mouse cursor, or ``None`` when it is not over the view."""
        viewer = self.viewer()
        local = viewer.viewport().mapFromGlobal(QtGui.QCursor.pos())
        return viewer.mapToScene(local) if viewer.viewport().rect().contains(local) else None

    def selected_ids(self) -> list[str]:
        return [node.id for node in self.selected_nodes()]

    # -- user gestures become requests --------------------------------------------------

    def _context_requested(self, item, scene_pos: QtCore.QPointF, global_pos: QtCore.QPoint):
        if isinstance(item, PipeItem):
            target = _link_between(item.output_port, item.input_port)
        else:
            target = item.id if item is not None else None
        self.context_requested.emit(target, scene_pos, global_pos)

    def _on_connection_changed(self, disconnected, connected) -> None:
        removed = [_link_between(a, b) for a, b in disconnected]
        added = [_link_between(a, b) for a, b in connected]
        if removed or added:
            self.links_change_requested.emit(removed, added)

    def _on_connection_sliced(self, ports) -> None:
        if ports:
            self.links_change_requested.emit([_link_between(a, b) for a, b in ports], [])

    def _on_nodes_moved(self, node_data) -> None:
        moves = {item.id: tuple(item.xy_pos) for item in node_data}
        if moves:
            self.move_requested.emit(moves)

    def _on_insert_node(self, pipe, node_id, prev_node_pos) -> None:
        """Dropping a node on a pipe does not rewire it (pipe collision is off)."""

    def _on_node_name_changed(self, node_id, name) -> None:
        self.rename_requested.emit(node_id, name)

    def _on_search_triggered(self, node_type, pos) -> None:
        self.create_requested.emit(node_type, float(pos[0]), float(pos[1]))

    def _on_node_data_dropped(self, mimedata, pos) -> None:
        if mimedata.hasFormat(SPEC_MIME):
            spec_id = bytes(mimedata.data(SPEC_MIME).data()).decode("utf-8")
            self.create_requested.emit(spec_id, float(pos.x()), float(pos.y()))

    @staticmethod
    def _focus_next_editor(current: ValueEditor) -> None:
        editors = [e for e in current.parentItem().editors.values() if e.isVisible()]
        following = editors[editors.index(current) + 1 :] if current in editors else []
        if following:
            following[0].setFocus(QtCore.Qt.FocusReason.TabFocusReason)
        else:
            current.clearFocus()

    def _request_search(self) -> None:
        """Tab: in an inline editor, go to the node's next editor; elsewhere, search specs."""
        focused = editor_of(self.viewer().scene().focusItem())
        if focused is not None:
            self._focus_next_editor(focused)
            return
        viewer = self.viewer()
        point = self.cursor_scene_pos()
        self.search_requested.emit(point or viewer.mapToScene(viewer.viewport().rect().center()))
