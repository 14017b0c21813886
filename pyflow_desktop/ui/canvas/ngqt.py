"""NodeGraphQt, imported quietly on top of PySide6: the one module that imports it and the
one place that reaches its internals.

The canvas bends NodeGraphQt to a big flow and to a model of our own, which takes more than
its public API: its private names (starting with ``_``) and classes of its internal modules
(``qgraphics``, ``widgets``, ``base``). Only this module touches them: it gives the canvas
small base classes and functions with public, documented names instead, and ``INTERNALS``
lists every private name and every NodeGraphQt method the canvas overrides, with why. So
NodeGraphQt is pinned to ``PINNED``; ``tests/ui/test_nodegraphqt_internals.py`` fails on
another version, or when a name in ``INTERNALS`` changes its shape, and names the hooks to
re-check. import-linter keeps every other module from importing NodeGraphQt.

NodeGraphQt reaches Qt through Qt.py, which picks a binding at import time and prints a
warning for every optional Qt module the wheel lacks (QtMultimedia...). We pin the binding to
PySide6 and drop those warnings so the terminal only shows our own messages.

NodeGraphQt compares Qt versions with distutils' ``LooseVersion``. On Python 3.11 the
standard library's distutils is loaded for it first: setuptools' shim, which a ``.pth`` file
installs at start-up, would import all of setuptools and ``pkg_resources`` instead (a fifth
of a second). From 3.12 on, only the shim provides distutils.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import sys
import sysconfig
import warnings
from dataclasses import dataclass

os.environ.setdefault("QT_PREFERRED_BINDING", "PySide6")
warnings.filterwarnings("ignore", "distutils Version classes", DeprecationWarning)


def _load_stdlib_distutils() -> None:
    if sys.version_info >= (3, 12) or "distutils" in sys.modules:
        return
    spec = importlib.machinery.PathFinder.find_spec("distutils", [sysconfig.get_path("stdlib")])
    if spec is None or spec.loader is None:  # a bundle without it: the usual import decides
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["distutils"] = module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "slated for removal in 3.12"
        spec.loader.exec_module(module)


_load_stdlib_distutils()

_captured = io.StringIO()
with contextlib.redirect_stderr(_captured):
    from NodeGraphQt import BaseNode, NodeGraph, Port
    from NodeGraphQt.base.commands import PortConnectedCmd
    from NodeGraphQt.base.model import NodeModel
    from NodeGraphQt.constants import NodeEnum, PipeEnum, PortEnum, PortTypeEnum
    from NodeGraphQt.qgraphics.node_abstract import AbstractNodeItem
    from NodeGraphQt.qgraphics.node_base import NodeItem
    from NodeGraphQt.qgraphics.node_text_item import NodeTextItem
    from NodeGraphQt.qgraphics.pipe import PipeItem
    from NodeGraphQt.qgraphics.port import PortItem
    from NodeGraphQt.widgets.viewer import NodeViewer
for _line in _captured.getvalue().splitlines():
    if not _line.startswith("Qt.py [warning]"):
        print(_line, file=sys.stderr)

from PySide6 import QtCore, QtWidgets  # noqa: E402  (once NodeGraphQt picked its binding)

PINNED = "0.6.44"  # the NodeGraphQt INTERNALS holds for; pyproject.toml pins it
PORT_IN = PortTypeEnum.IN.value
PORT_OUT = PortTypeEnum.OUT.value
PORT_SIZE = PortEnum.SIZE.value
PORT_FALLOFF = PortEnum.CLICK_FALLOFF.value  # the extra width a port takes clicks in
PIPE_COLOR = PipeEnum.COLOR.value
PIPE_SOLID = PipeEnum.DRAW_TYPE_DEFAULT.value
PIPE_DASHED = PipeEnum.DRAW_TYPE_DASHED.value
PIPE_HIGHLIGHT_COLOR = PipeEnum.HIGHLIGHT_COLOR.value


@dataclass(frozen=True)
class Internal:
    """One thing of NodeGraphQt's the canvas relies on beyond its public API."""

    owner: type  # the NodeGraphQt class it belongs to
    name: str  # "" for the class itself (a class of an internal module)
    shape: str  # "class", "property", an attribute's type, or a method's signature
    hook: str  # what the canvas uses instead (a hook below), or the class overriding it
    why: str


_NODE, _PORT, _PIPE, _VIEWER, _GRAPH = AbstractNodeItem, PortItem, PipeItem, NodeViewer, NodeGraph
_NODE_PROPERTIES = (
    "dict[border_color, color, disabled, id, layout_direction, name, selected, text_color, type_,"
    " visible]"
)

INTERNALS: tuple[Internal, ...] = (
    # Classes of its internal modules.
    Internal(_NODE, "", "class", "NodeItemBase", "FlowNodeItem's base; isinstance tests"),
    Internal(_PORT, "", "class", "PortItemBase", "FlowPort's base; isinstance tests"),
    Internal(_PIPE, "", "class", "PipeItemBase", "FlowPipe's base; isinstance tests"),
    Internal(_VIEWER, "", "class", "NodeViewerBase", "CanvasViewer's base"),
    Internal(NodeTextItem, "", "class", "labels.TitleEditor", "Return or focus-out renames"),
    Internal(PortConnectedCmd, "", "class", "connect_quietly", "links port models and views"),
    # State the lean items set directly: NodeGraphQt's __init__s reach Qt's enums by their
    # old flat names, which PySide6 looks up slowly, for each of thousands of items.
    Internal(_NODE, "_properties", _NODE_PROPERTIES, "NodeItemBase",
             "the node view's properties; its name and colour setters repaint the node"),
    Internal(_NODE, "_width", "int", "NodeItemBase", "boundingRect reads it"),
    Internal(_NODE, "_height", "int", "NodeItemBase", "boundingRect reads it"),
    *(
        Internal(_PORT, name, shape, "PortItemBase", "PortItem's state, set directly")
        for name, shape in (
            ("_pipes", "list"), ("_width", "float"), ("_height", "float"),
            ("_hovered", "bool"), ("_name", "str"), ("_display_name", "bool"),
            ("_color", "tuple"), ("_border_color", "tuple"), ("_border_size", "int"),
            ("_port_type", "NoneType"), ("_multi_connection", "bool"), ("_locked", "bool"),
        )
    ),
    *(
        Internal(_PIPE, name, shape, "PipeItemBase", "PipeItem's state, set directly")
        for name, shape in (
            ("_color", "tuple"), ("_style", "int"), ("_active", "bool"),
            ("_highlight", "bool"), ("_input_port", "NoneType"), ("_output_port", "NoneType"),
        )
    ),
    Internal(_PIPE, "_draw_direction_pointer", "(self)", "PipeItemBase",
             "reset and draw_path place PipeItem's arrow item: ours have none"),
    # The viewer's view updates and the state of its link gestures.
    Internal(_VIEWER, "_update_scene", "(self)", "NodeViewerBase.on_view_changed",
             "runs after every pan, zoom and resize: the canvas follows its level of detail"),
    Internal(_VIEWER, "_items_near", "(self, pos, item_type=None, width=20, height=20)",
             "NodeViewerBase", "its box ends at pos: a press on a link would take up another"),
    Internal(_VIEWER, "_LIVE_PIPE", "LivePipeItem", "NodeViewerBase.live_link_start",
             "shown while a link is dragged"),
    Internal(_VIEWER, "_SLICER_PIPE", "SlicerPipeItem", "NodeViewerBase",
             "never among the items near a point"),
    Internal(_VIEWER, "_start_port", "NoneType", "NodeViewerBase.live_link_start",
             "the port a dragged link starts from"),
    Internal(_VIEWER, "_detached_port", "NoneType", "NodeViewerBase.link_was_taken",
             "the port a dragged link was taken off: Esc puts it back"),
    Internal(_VIEWER, "_cursor_text", "QGraphicsTextItem", "NodeViewerBase.take_modifiers",
             "its hint for Ctrl and Shift, hidden when they are not held"),
    # The graph's slots for its viewer's gesture signals, and what ties a node to a graph.
    Internal(_GRAPH, "_on_connection_changed", "(self, disconnected, connected)",
             "NodeGraphBase.on_links_changed", "a link gesture requests an edit, makes none"),
    Internal(_GRAPH, "_on_connection_sliced", "(self, ports)", "NodeGraphBase.on_links_sliced",
             "a slice requests an edit"),
    Internal(_GRAPH, "_on_nodes_moved", "(self, node_data)", "NodeGraphBase.on_nodes_moved",
             "a drag requests a move"),
    Internal(_GRAPH, "_on_node_name_changed", "(self, node_id, name)",
             "NodeGraphBase.on_node_renamed", "an edited title requests a rename"),
    Internal(_GRAPH, "_on_search_triggered", "(self, node_type, pos)",
             "NodeGraphBase.on_search_chosen", "its Tab search requests a node"),
    Internal(_GRAPH, "_on_node_data_dropped", "(self, mimedata, pos)",
             "NodeGraphBase.on_data_dropped", "a spec dropped requests a node"),
    Internal(_GRAPH, "_on_insert_node", "(self, pipe, node_id, prev_node_pos)",
             "NodeGraphBase", "a node dropped on a pipe does not rewire it"),
    Internal(BaseNode, "_graph", "NoneType", "NodeGraphBase.adopt",
             "set as add_node sets it, without its undo command and unique-name scan"),
    Internal(NodeModel, "_graph_model", "NoneType", "NodeGraphBase.adopt",
             "set as add_node sets it"),
    # Public methods NodeGraphQt calls on our subclasses, and the arguments it passes.
    Internal(_GRAPH, "get_unique_name", "(self, name)", "CanvasGraph",
             "titles need not be unique; its scan is O(n) per node"),
    Internal(_VIEWER, "establish_connection", "(self, start_port, end_port)", "CanvasViewer",
             "makes our pipes"),
    Internal(_VIEWER, "apply_live_connection", "(self, event)", "CanvasViewer",
             "says why a link is refused, reports one dropped on empty canvas"),
    Internal(_PIPE, "draw_path", "(self, start_port, end_port=None, cursor_pos=None)",
             "FlowPipe", "our curve and arrow"),
    Internal(_PIPE, "set_pipe_styling", "(self, color, width=2, style=0)", "FlowPipe",
             "pens made once per style"),
    Internal(_PIPE, "set_connections", "(self, port1, port2)", "FlowPipe",
             "no dict made per link"),
    *(
        Internal(_PIPE, name, "(self)", "FlowPipe", "the links' layers draw the change")
        for name in ("activate", "highlight", "reset", "delete")
    ),
    Internal(_NODE, "draw_node", "(self)", "FlowNodeItem", "lays the node out"),
    Internal(_NODE, "post_init", "(self, viewer, pos=None)", "FlowNodeItem", "draws it"),
    Internal(_NODE, "xy_pos", "property", "FlowNodeItem", "a move bends the node's pipes"),
    *(
        Internal(NodeItem, name, shape, "FlowNodeItem", "what BaseNode asks of its view")
        for name, shape in (
            ("inputs", "property"), ("outputs", "property"), ("widgets", "property"),
            ("has_widget", "(self, name)"),
            ("add_input", "(self, name='input', multi_port=False, display_name=True,"
             " locked=False, painter_func=None)"),
            ("add_output", "(self, name='output', multi_port=False, display_name=True,"
             " locked=False, painter_func=None)"),
            ("delete_input", "(self, port)"), ("delete_output", "(self, port)"),
        )
    ),
)


def connect_quietly(out_port: Port, in_port: Port) -> None:
    """Link two ports' models and views as ``Port.connect_to`` does, without its checks, its
    undo command, its signals or replacing a link (the model made the link)."""
    PortConnectedCmd(out_port, in_port, emit_signal=False).redo()


class NodeItemBase(AbstractNodeItem):
    """``AbstractNodeItem`` with its state set directly, whose name and colour setters repaint
    the node and leave its tooltip alone (the node's own says more)."""

    def __init__(self, name: str = "node", parent: QtWidgets.QGraphicsItem | None = None):
        QtWidgets.QGraphicsItem.__init__(self, parent)
        self._properties = {
            "id": None,
            "name": name.strip(),
            "color": (13, 18, 23, 255),
            "border_color": (46, 57, 66, 255),
            "text_color": (255, 255, 255, 180),
            "type_": "AbstractBaseNode",
            "selected": False,
            "disabled": False,
            "visible": False,
            "layout_direction": 0,  # horizontal
        }
        self._width, self._height = NodeEnum.WIDTH.value, NodeEnum.HEIGHT.value

    @AbstractNodeItem.name.setter
    def name(self, name: str = "") -> None:
        self._properties["name"] = name
        self.update()

    @AbstractNodeItem.color.setter
    def color(self, color=(100, 100, 100, 255)) -> None:
        self._properties["color"] = color
        self.update()


class PortItemBase(PortItem):
    """``PortItem`` with its state set directly."""

    def __init__(
        self, parent: QtWidgets.QGraphicsItem, name: str, port_type: str, multi: bool, locked: bool
    ) -> None:
        QtWidgets.QGraphicsItem.__init__(self, parent)
        self._pipes: list[PipeItem] = []
        self._width = self._height = PORT_SIZE
        self._hovered = False
        self._name = name
        self._display_name = True
        self._color = PortEnum.COLOR.value
        self._border_color = PortEnum.BORDER_COLOR.value
        self._border_size = 1
        self._port_type = port_type
        self._multi_connection = multi
        self._locked = locked


class PipeItemBase(PipeItem):
    """``PipeItem`` with its state set directly, without the arrow item PipeItem makes (the
    canvas draws arrows with the links)."""

    def __init__(self, input_port: PortItem | None = None, output_port: PortItem | None = None):
        QtWidgets.QGraphicsPathItem.__init__(self)
        self._color = PIPE_COLOR
        self._style = PIPE_SOLID
        self._active = False
        self._highlight = False
        self._input_port = input_port
        self._output_port = output_port

    def _draw_direction_pointer(self) -> None:
        """Where ``reset`` and ``draw_path`` place PipeItem's arrow item: there is none."""


class NodeViewerBase(NodeViewer):
    """``NodeViewer`` with its view updates and the state of its link gestures under public
    names."""

    def on_view_changed(self) -> None:
        """Called after every pan, zoom and resize (and while ``NodeViewer`` is built)."""

    def _update_scene(self) -> None:
        super()._update_scene()
        self.on_view_changed()

    def live_link_start(self) -> PortItem | None:
        """The port the link being dragged starts from, or ``None`` when none is dragged."""
        return self._start_port if self._LIVE_PIPE.isVisible() else None

    def link_was_taken(self) -> bool:
        """Whether the link being dragged was taken off a port, rather than started anew."""
        return self._detached_port is not None

    def cancel_live_connection(self) -> None:
        """Drop the link being dragged; a link it was taken from goes back as it was."""
        if self._detached_port is not None:
            self.establish_connection(self._start_port, self._detached_port)
            self._detached_port = None
        self._start_port.hovered = False
        self._start_port.update()  # NodeGraphQt's hovered ring goes too
        self.end_live_connection()

    def take_modifiers(self, modifiers: QtCore.Qt.KeyboardModifier) -> None:
        """Hold the modifier keys held now as NodeGraphQt's states (it sets them from key
        events only: a Ctrl released in a dialog that Ctrl+F5 opened would stay held for it,
        and every click would deselect)."""
        keys = QtCore.Qt.KeyboardModifier
        self.ALT_state = modifiers == keys.AltModifier
        self.CTRL_state = modifiers == keys.ControlModifier
        self.SHIFT_state = modifiers == keys.ShiftModifier
        if modifiers == keys.AltModifier | keys.ShiftModifier:
            self.ALT_state = self.SHIFT_state = True
        if not (self.CTRL_state or self.SHIFT_state):
            self._cursor_text.setVisible(False)

    def _items_near(self, pos: QtCore.QPointF, item_type=None, width=20, height=20) -> list:
        """The items under scene ``pos`` (topmost first), then the others within a ``width``
        by ``height`` box centred on it. NodeGraphQt's box ends at ``pos`` and its callers
        take the topmost item: a press on a link would take up another link near it."""
        scene, live = self.scene(), (self._LIVE_PIPE, self._SLICER_PIPE)
        under = scene.items(pos)
        box = QtCore.QRectF(pos.x() - width / 2, pos.y() - height / 2, width, height)
        nearby = [item for item in scene.items(box) if item not in set(under)]
        return [
            item
            for item in (*under, *nearby)
            if item not in live and (item_type is None or isinstance(item, item_type))
        ]


class NodeGraphBase(NodeGraph):
    """``NodeGraph`` whose gestures edit nothing: the slots NodeGraphQt wires to its viewer's
    gesture signals call the ``on_*`` methods, which do nothing here."""

    def adopt(self, node: BaseNode) -> None:
        """Make ``node`` this graph's as ``add_node`` does (its graph, its model's graph
        model), without add_node's undo command, unique-name scan and round trip of every
        property."""
        node._graph = self
        node.model._graph_model = self.model

    def on_links_changed(self, disconnected: list, connected: list) -> None:
        """A gesture unlinked and linked these pairs of port items."""

    def on_links_sliced(self, ports: list) -> None:
        """A slice cut the links between these pairs of port items."""

    def on_nodes_moved(self, node_data: dict) -> None:
        """A drag moved these node items (the values: where each was)."""

    def on_node_renamed(self, node_id: str, name: str) -> None:
        """The node's title was edited to ``name``."""

    def on_search_chosen(self, node_type: str, pos: tuple[float, float]) -> None:
        """``node_type`` was chosen in NodeGraphQt's Tab search, for scene point ``pos``."""

    def on_data_dropped(self, mimedata: QtCore.QMimeData, pos: QtCore.QPointF) -> None:
        """``mimedata`` was dropped on the view at scene point ``pos``."""

    def _on_connection_changed(self, disconnected, connected) -> None:
        self.on_links_changed(disconnected, connected)

    def _on_connection_sliced(self, ports) -> None:
        self.on_links_sliced(ports)

    def _on_nodes_moved(self, node_data) -> None:
        self.on_nodes_moved(node_data)

    def _on_node_name_changed(self, node_id, name) -> None:
        self.on_node_renamed(node_id, name)

    def _on_search_triggered(self, node_type, pos) -> None:
        self.on_search_chosen(node_type, pos)

    def _on_node_data_dropped(self, mimedata, pos) -> None:
        self.on_data_dropped(mimedata, pos)

    def _on_insert_node(self, pipe, node_id, prev_node_pos) -> None:
        """A node dropped on a pipe does not rewire it (pipe collision is off too)."""

