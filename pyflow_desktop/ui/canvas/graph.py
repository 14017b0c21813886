"""The canvas: a NodeGraphQt graph that only *requests* edits.

NodeGraphQt normally edits its own model and undo stack when the user connects, moves or
drops things. ``CanvasGraph`` turns each such gesture into a request signal instead; the
``FlowBridge`` makes the edit on our model through an undo command, and the model's events
redraw the canvas. So the canvas never changes on its own and undo, file loads and scripted
edits look the same to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import Link
from .flow_node import FlowNode
from .link_layer import Links
from .minimap import Minimap
from .ngqt import PORT_IN, NodeGraphBase, PipeItem, Port, connect_quietly
from .node_item import Z_NODE, FlowNodeItem
from .overview import Overview
from .pipes import FlowPipe
from .sketch import Sketch
from .value_editor import ValueEditor, editor_of
from .viewer import CanvasViewer

SPEC_MIME = "application/x-pyflow-spec"
FRAME_MARGIN = 40.0
MIN_FRAME_SCALE = 0.8  # node text at 4/5 of the size of the rest of the window: legible
MAX_FRAME_SCALE = 1.25
Z_NODE_SELECTED = Z_NODE + 1  # a selected node draws over the others, as in NodeGraphQt
NODE_CACHE_KB = 48  # what Qt caches of a node's items in device pixels, about, when zoomed in
MAX_CACHE_KB = 256 * 1024
BSP_DEPTH = 10


def _fit_pixmap_cache(nodes: int) -> None:
    """Let Qt's pixmap cache hold every node's device caches: past its default 10 MiB (a few
    hundred nodes), a frame repaints the nodes that fell out of it, in Python."""
    wanted = min(nodes * NODE_CACHE_KB, MAX_CACHE_KB)
    if wanted > QtGui.QPixmapCache.cacheLimit():
        QtGui.QPixmapCache.setCacheLimit(wanted)


def _link_between(first, second) -> Link:
    """The model link for two NodeGraphQt port items, whatever order they come in."""
    source, target = (first, second) if first.port_type != PORT_IN else (second, first)
    return Link(source.node.id, source.name, target.node.id, target.name)


class CanvasGraph(NodeGraphBase):
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
    link_refused = QtCore.Signal(str)  # a link let go on a port it cannot join: why

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
        viewer.link_refused.connect(self.link_refused)
        search = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_Tab), viewer)
        search.setContext(QtCore.Qt.ShortcutContext.WidgetShortcut)
        search.activated.connect(self._request_search)
        back = QtGui.QShortcut(QtGui.QKeySequence("Shift+Tab"), viewer)
        back.setContext(QtCore.Qt.ShortcutContext.WidgetShortcut)
        back.activated.connect(self._focus_previous_editor)
        # Qt deepens its index with the number of items (16 levels for 5,000 nodes); a
        # frame at fit zoom then walks more leaves than items: 10 levels draw it in half.
        viewer.scene().setBspTreeDepth(BSP_DEPTH)
        self.sketch = viewer.sketch = Sketch(self._node_items)
        self.links = viewer.links = Links(viewer.scene())
        viewer.enter_pressed.connect(self._enter_pressed)
        viewer.zoom_in_requested.connect(lambda at: self.set_view(at.x(), at.y(), 1.0))
        self.overview = Overview(self.sketch)
        viewer.scene().addItem(self.overview)
        self.minimap = Minimap(viewer, self.sketch)
        viewer.detail_changed.connect(self._show_detail)
        viewer.view_changed.connect(self.minimap.update)
        viewer.nodes_dragged.connect(lambda: self.nodes_changed(geometry=True))
        self._selected: set[QtWidgets.QGraphicsItem] = set()  # as last restyled
        self._restyle = QtCore.QTimer(self, singleShot=True, interval=0)
        self._restyle.timeout.connect(self._restyle_selection)
        viewer.scene().selectionChanged.connect(self._restyle.start)

    # -- the canvas nodes, by model id ----------------------------------------------------

    def flow_node(self, node_id: str) -> FlowNode | None:
        return self.model.nodes.get(node_id)

    def flow_nodes(self) -> list[FlowNode]:
        return list(self.model.nodes.values())

    def get_unique_name(self, name: str) -> str:
        """Node titles need not be unique (ids are); NodeGraphQt's check is O(n) per node."""
        return " ".join(name.split())

    def _node_items(self) -> Iterator[FlowNodeItem]:
        return (node.view for node in self.model.nodes.values())

    def add_flow_nodes(self, nodes: Iterable[FlowNode]) -> None:
        """Put built nodes on the canvas and draw each once.

        What NodeGraphQt's ``add_node`` does that a node needs (its graph, its place in the
        graph's model and scene), without its undo command, unique-name scan and round trip
        of every property from the node's model to its item."""
        scene, detailed = self.scene(), self.viewer().detailed
        for node in nodes:
            self.adopt(node)
            self.model.nodes[node.id] = node
            scene.addItem(node.view)
            node.view.draw_node()
            if not detailed:
                node.view.set_detail(False)
        _fit_pixmap_cache(len(self.model.nodes))
        self.nodes_changed(geometry=True)

    def clear_flow_nodes(self) -> None:
        """Take every node and pipe off the canvas at once."""
        scene = self.scene()
        for node in self.model.nodes.values():
            for port in node.view.inputs:
                for pipe in list(port.connected_pipes):
                    scene.removeItem(pipe)
            scene.removeItem(node.view)
        self.links.clear()
        self.model.nodes.clear()
        self._selected.clear()
        self.nodes_changed(geometry=True)

    @staticmethod
    def add_link(out_port: Port, in_port: Port) -> None:
        """Draw the model's link between two ports: NodeGraphQt's connection without the
        checks, the undo command and the replaced link of ``Port.connect_to`` (the model made
        the link, and removed any link it replaced first)."""
        out_view, in_view = out_port.view, in_port.view
        if any(pipe.output_port is out_view for pipe in in_view.connected_pipes):
            return
        known = in_port.model.connected_ports.get(out_port.node().id, ())
        if out_port.name() in known:  # a gesture took the pipe away, NodeGraphQt kept the link
            out_view.connect_to(in_view)
        else:
            connect_quietly(out_port, in_port)

    def remove_flow_node(self, node_id: str) -> None:
        node = self.flow_node(node_id)
        if node is not None:
            self.remove_node(node, push_undo=False)

    def frame_all(self) -> None:
        """Zoom to fit every node, but never below the scale where text stays legible (a
        big flow then shows from its top-left corner: scroll for the rest) and never above
        ``MAX_FRAME_SCALE``; with no nodes, show the scene's origin at 100 %. Bounds are
        computed here (NodeGraphQt's is quadratic)."""
        rect = QtCore.QRectF()
        for node in self.model.nodes.values():
            rect = rect.united(node.view.sceneBoundingRect())
        if rect.isNull():
            self.set_view(0.0, 0.0, 1.0)
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

    def cursor_scene_pos(self) -> QtCore.QPointF | None:
        """The scene point under the mouse cursor, or ``None`` when it is not over the view."""
        viewer = self.viewer()
        local = viewer.viewport().mapFromGlobal(QtGui.QCursor.pos())
        return viewer.mapToScene(local) if viewer.viewport().rect().contains(local) else None

    def show_note(self, text: str) -> None:
        """Say ``text`` where the link being let go was let go (why it was refused), else at
        the mouse cursor when it is over the canvas. It shows once the release that let the
        link go is handled (a tooltip hides on any mouse release)."""
        viewer = self.viewer()
        point = viewer.gesture_point or self.cursor_scene_pos()
        if point is not None:
            spot = viewer.viewport().mapToGlobal(viewer.mapFromScene(point))
            QtCore.QTimer.singleShot(
                0, viewer, lambda: QtWidgets.QToolTip.showText(spot, text, viewer.viewport())
            )

    def selected_ids(self) -> list[str]:
        return [node.id for node in self.selected_nodes()]

    def select_only(self, node_ids: Iterable[str]) -> None:
        """Select these nodes and no others; the selection's listeners hear of it as of a
        click."""
        before = self.selected_nodes()
        self.scene().clearSelection()
        chosen = [node for node in map(self.flow_node, node_ids) if node is not None]
        for node in chosen:
            node.view.setSelected(True)
        self.node_selection_changed.emit(chosen, [node for node in before if node not in chosen])

    # -- how the nodes are drawn ------------------------------------------------------------

    def nodes_changed(self, geometry: bool = False) -> None:
        """The nodes' look (or, with ``geometry``, their places, sizes or number) changed:
        redraw the overview, when it shows, and the minimap soon."""
        self.sketch.invalidate(geometry)
        self.overview.redraw(geometry)
        self.minimap.schedule()

    def _show_detail(self, detailed: bool) -> None:
        """Zoomed past ``LOD_SCALE``: show the nodes and pipes, or the overview instead."""
        for node in self.model.nodes.values():
            node.view.set_detail(detailed)
            for port in node.view.inputs:
                for pipe in port.connected_pipes:
                    pipe.setOpacity(1.0 if detailed else 0.0)
        self.links.set_visible(detailed)
        self.overview.setVisible(not detailed)
        self.nodes_changed(geometry=True)

    def _restyle_selection(self) -> None:
        """Highlight the pipes of the selected nodes and the selected pipes, and raise the
        selected nodes, once per change of the selection (NodeGraphQt did it per item in
        Python ``itemChange``, for every change of every item)."""
        selected = set(self.scene().selectedItems())
        changed, self._selected = selected ^ self._selected, selected
        pipes: set[FlowPipe] = set()
        for item in changed:
            if isinstance(item, FlowNodeItem):
                item.setZValue(Z_NODE_SELECTED if item in selected else Z_NODE)
                for port in (*item.inputs, *item.outputs):
                    pipes.update(port.connected_pipes)
            elif isinstance(item, FlowPipe):
                pipes.add(item)
        for pipe in pipes:
            pipe.restyle()
        if changed:
            self.nodes_changed()

    # -- user gestures become requests --------------------------------------------------

    def _context_requested(self, item, scene_pos: QtCore.QPointF, global_pos: QtCore.QPoint):
        if isinstance(item, PipeItem):
            target = _link_between(item.output_port, item.input_port)
        else:
            target = item.id if item is not None else None
        self.context_requested.emit(target, scene_pos, global_pos)

    def on_links_changed(self, disconnected, connected) -> None:
        removed = [_link_between(a, b) for a, b in disconnected]
        added = [_link_between(a, b) for a, b in connected]
        if removed or added:
            self.links_change_requested.emit(removed, added)

    def on_links_sliced(self, ports) -> None:
        if ports:
            self.links_change_requested.emit([_link_between(a, b) for a, b in ports], [])

    def on_nodes_moved(self, node_data) -> None:
        moves = {item.id: tuple(item.xy_pos) for item in node_data}
        if moves:
            self.move_requested.emit(moves)

    def on_node_renamed(self, node_id, name) -> None:
        self.rename_requested.emit(node_id, name)

    def on_search_chosen(self, node_type, pos) -> None:
        self.create_requested.emit(node_type, float(pos[0]), float(pos[1]))

    def on_data_dropped(self, mimedata, pos) -> None:
        if mimedata.hasFormat(SPEC_MIME):
            spec_id = bytes(mimedata.data(SPEC_MIME).data()).decode("utf-8")
            self.create_requested.emit(spec_id, float(pos.x()), float(pos.y()))

    @staticmethod
    def _focus_next_editor(current: ValueEditor, step: int = 1) -> None:
        """Focus the node's next inline editor (``step`` -1: the previous one); past its last
        (or first), leave the editors."""
        editors = [e for e in current.parentItem().editors.values() if e.isVisible()]
        index = editors.index(current) + step if current in editors else -1
        if 0 <= index < len(editors):
            reason = QtCore.Qt.FocusReason
            editors[index].setFocus(
                reason.TabFocusReason if step > 0 else reason.BacktabFocusReason
            )
        else:
            current.clearFocus()

    def _focus_previous_editor(self) -> None:
        """Shift+Tab in an inline editor: the node's previous editor."""
        focused = editor_of(self.viewer().scene().focusItem())
        if focused is not None:
            self._focus_next_editor(focused, -1)

    def _enter_pressed(self) -> None:
        """Enter on one selected node does what a double-click on it does."""
        selected = self.selected_nodes()
        if len(selected) == 1:
            self.node_double_clicked.emit(selected[0])

    def _request_search(self) -> None:
        """Tab: in an inline editor, go to the node's next editor; elsewhere, search specs."""
        focused = editor_of(self.viewer().scene().focusItem())
        if focused is not None:
            self._focus_next_editor(focused)
            return
        viewer = self.viewer()
        point = self.cursor_scene_pos()
        self.search_requested.emit(point or viewer.mapToScene(viewer.viewport().rect().center()))
