"""A node's graphics item: it lays itself out once and paints its body, title and port
names in one ``paint`` call.

NodeGraphQt's ``NodeItem`` makes a ``QGraphicsTextItem`` (a whole text document, ~0.15 ms)
for the title and for every port name, and overrides ``itemChange`` in Python. A flow of
thousands of nodes cannot afford either, so ``FlowNodeItem`` keeps only what takes input as
child items — the ports (``FlowPort``), an inline ``ValueEditor`` beside each unconnected
input, a ``PreviewLabel`` per output and a footer with the run status — and paints the rest.
The title becomes a text field only while it is being renamed (double-click it).
Previews and the footer stay inside the node, elided to its width, so they never draw over a
neighbour; the full value is in the tooltip and the Inspector.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6 import QtCore, QtGui, QtWidgets

from .fonts import label_row
from .labels import LabelItem, PreviewLabel, TitleEditor, elided
from .ngqt import PORT_FALLOFF, PORT_IN, PORT_OUT, PORT_SIZE, NodeItemBase
from .pipes import FlowPort
from .value_editor import EDITOR_WIDTH, ValueEditor

STALE_OPACITY = 0.55
MIN_WIDTH, MIN_HEIGHT = 160.0, 60.0  # NodeGraphQt's
TEXT_MARGIN = 4.0  # what a QGraphicsTextItem leaves around its text, kept for the same sizes
TEXT_COLOR = QtGui.QColor(255, 255, 255, 180)
SELECTED_FILL = QtGui.QColor(255, 255, 255, 30)
SELECTED_BORDER = QtGui.QColor(254, 207, 42, 255)
TITLE_FILL = QtGui.QColor(0, 0, 0, 80)
_PORT_HIT = PORT_SIZE + PORT_FALLOFF
_Qt = QtCore.Qt
_LEFT = _Qt.AlignmentFlag.AlignLeft | _Qt.AlignmentFlag.AlignVCenter
_RIGHT = _Qt.AlignmentFlag.AlignRight | _Qt.AlignmentFlag.AlignVCenter
_CENTRE_TOP = _Qt.AlignmentFlag.AlignHCenter | _Qt.AlignmentFlag.AlignTop
_ELIDE = _Qt.TextElideMode.ElideRight
_DEVICE_CACHE = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
_SELECTABLE = QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
_MOVABLE = QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIsMovable
Z_NODE = 1.0  # NodeGraphQt's; a selected node is raised above it


@lru_cache(maxsize=1)
def title_font() -> QtGui.QFont:
    """The font of node titles and port names (the application's)."""
    return QtGui.QFont()


def _footer_height() -> float:
    return label_row() + 1.0


@lru_cache(maxsize=1)
def _metrics() -> QtGui.QFontMetricsF:
    return QtGui.QFontMetricsF(title_font())


@lru_cache(maxsize=4096)
def _text_width(text: str) -> float:
    """The width a title or port name takes, with the margins of NodeGraphQt's text items."""
    return _metrics().horizontalAdvance(text) + 2 * TEXT_MARGIN


class FlowNodeItem(NodeItemBase):
    """The node's graphics item, for NodeGraphQt a node view with ports."""

    itemChange = QtWidgets.QGraphicsItem.itemChange  # selection: see CanvasViewer

    def __init__(self, name: str = "node", parent: QtWidgets.QGraphicsItem | None = None):
        super().__init__(name, parent)
        self.setFlags(_SELECTABLE | _MOVABLE)
        self.setCacheMode(_DEVICE_CACHE)
        self.setZValue(Z_NODE)
        self._inputs: list[FlowPort] = []
        self._outputs: list[FlowPort] = []
        self._labels: list[tuple[QtCore.QRectF, _Qt.AlignmentFlag, str]] = []
        self._title_height = _metrics().height() + 2 * TEXT_MARGIN
        self._title_editor: TitleEditor | None = None
        self.plain_name = self.name  # the name without the marks the title adds ("■ ")
        self.editors: dict[str, ValueEditor] = {}
        self.previews: dict[str, PreviewLabel] = {}
        self.connected: set[str] = set()
        self.footer = LabelItem(self, "#cfcfcf")
        self._footer_text = self._footer_tip = ""
        self.stale = False
        self.detailed = True  # False while the canvas shows its overview instead

    # -- what NodeGraphQt asks of a node view ---------------------------------------------

    @property
    def inputs(self) -> list[FlowPort]:
        return list(self._inputs)

    @property
    def outputs(self) -> list[FlowPort]:
        return list(self._outputs)

    @property
    def widgets(self) -> dict:
        return {}  # no NodeGraphQt node widgets: inline editors are ours

    def has_widget(self, name: str) -> bool:
        return False

    def add_input(self, name="input", multi_port=False, display_name=True, locked=False, *_):
        return self._add_port(FlowPort(self, name, PORT_IN, multi_port, locked), self._inputs)

    def add_output(self, name="output", multi_port=True, display_name=True, locked=False, *_):
        return self._add_port(FlowPort(self, name, PORT_OUT, multi_port, locked), self._outputs)

    def _add_port(self, port: FlowPort, ports: list) -> FlowPort:
        ports.append(port)
        if self.scene() is not None:  # a node being built is drawn once, when it is added
            self.draw_node()
        return port

    def delete_input(self, port: FlowPort) -> None:
        self._delete_port(port, self._inputs)

    def delete_output(self, port: FlowPort) -> None:
        self._delete_port(port, self._outputs)

    def _delete_port(self, port: FlowPort, ports: list) -> None:
        ports.remove(port)
        port.setParentItem(None)
        if port.scene() is not None:
            port.scene().removeItem(port)
            self.draw_node()

    def post_init(self, viewer=None, pos=None) -> None:
        self.draw_node()
        if pos:
            self.xy_pos = pos

    @NodeItemBase.xy_pos.setter
    def xy_pos(self, pos=None) -> None:
        pos = pos or [0.0, 0.0]
        self.setPos(pos[0], pos[1])
        self.redraw_pipes()

    def redraw_pipes(self) -> None:
        """Bend the pipes of this node's ports to where the ports are now."""
        for port in self._inputs:
            for pipe in port.connected_pipes:
                pipe.draw_path(port, pipe.output_port)
        for port in self._outputs:
            for pipe in port.connected_pipes:
                pipe.draw_path(pipe.input_port, port)

    # -- level of detail and staleness ----------------------------------------------------

    def set_detail(self, detailed: bool) -> None:
        """Draw the whole node, or nothing (the canvas's overview draws it instead)."""
        self.detailed = detailed
        self._show_opacity()

    def set_stale(self, stale: bool) -> None:
        self.stale = stale
        self._show_opacity()

    def _show_opacity(self) -> None:
        # A fully transparent item still takes clicks, selection and moves, and Qt skips
        # painting it and its children at once.
        self.setOpacity(0.0 if not self.detailed else STALE_OPACITY if self.stale else 1.0)

    # -- layout ---------------------------------------------------------------------------

    def _editor_visible(self, port: str) -> bool:
        return port not in self.connected

    def draw_node(self) -> None:
        """Size the node to its title, ports and editors, and place its parts."""
        in_text = max((_text_width(p.name) for p in self._inputs), default=0.0)
        out_text = max((_text_width(p.name) for p in self._outputs), default=0.0)
        width = (_PORT_HIT if self._inputs or self._outputs else 0.0) + max(
            _text_width(self.name), in_text + out_text
        )
        if any(name not in self.connected for name in self.editors):
            width = max(width, 22 + in_text + EDITOR_WIDTH + 14 + out_text)
        top = self._title_height + 4.0
        rows = max(len(self._inputs), len(self._outputs))
        body = max(self._title_height, rows * PORT_SIZE) * 1.05
        height = top + body + label_row() * len(self.previews) + _footer_height()
        width, height = max(width, MIN_WIDTH), max(height, MIN_HEIGHT)
        if (width, height) != (self.width, self.height):
            self.prepareGeometryChange()
            self.width, self.height = width, height
        self._place_ports(top, in_text, out_text)
        self._place_extras()
        self.update()
        self.redraw_pipes()

    def _place_ports(self, top: float, in_text: float, out_text: float) -> None:
        """Inputs down the left edge, outputs down the right, names beside them (where
        NodeGraphQt put its text items), an editor right of each unconnected input's name."""
        self._labels = []
        text_left = _PORT_HIT / 2 - PORT_FALLOFF + 2  # a name's left edge, after the port
        for row, port in enumerate(self._inputs):
            port.setPos(-_PORT_HIT / 2, top + row * (PORT_SIZE + 1))
            rect = QtCore.QRectF(text_left + TEXT_MARGIN, port.y(), in_text, PORT_SIZE)
            self._labels.append((rect, _LEFT, port.name))
            editor = self.editors.get(port.name)
            if editor is not None:
                editor.setVisible(self._editor_visible(port.name))
                editor.setPos(text_left + in_text + 6, port.y() + 1.5)
        for row, port in enumerate(self._outputs):
            port.setPos(self.width - _PORT_HIT / 2, top + row * (PORT_SIZE + 1))
            right = port.x() + PORT_FALLOFF - 2 - TEXT_MARGIN
            rect = QtCore.QRectF(right - out_text, port.y(), out_text, PORT_SIZE)
            self._labels.append((rect, _RIGHT, port.name))

    def _place_extras(self) -> None:
        footer, row_height = _footer_height(), label_row()
        top = self.height - footer - row_height * len(self.previews)
        for row, label in enumerate(self.previews.values()):
            label.setPos(8, top + row * row_height)
            label.set_width(self.width - 16)
            label.fit(self.width - 16)
        self.footer.setPos(8, self.height - footer)
        self.footer.set_width(self.width - 16)
        self._elide_footer()

    def set_footer(self, text: str) -> None:
        self._footer_text = text
        self._elide_footer()

    def _elide_footer(self) -> None:
        text = self._footer_text
        shown = elided(text, self.width - 16) if text else text
        self.footer.setText(shown)
        tip = text if shown != text else ""  # the whole status, when it is cut
        if tip != self._footer_tip:
            self._footer_tip = tip
            self.footer.setToolTip(tip)

    # -- painting -------------------------------------------------------------------------

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        """Body, title bar, border, title and port names (NodeGraphQt's look)."""
        selected = self.isSelected()
        rect = QtCore.QRectF(1.0, 1.0, self.width - 2.0, self.height - 2.0)
        painter.setPen(_Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor(*self.color))
        painter.drawRoundedRect(rect, 4.0, 4.0)
        if selected:
            painter.setBrush(SELECTED_FILL)
            painter.drawRoundedRect(rect, 4.0, 4.0)
        painter.setBrush(SELECTED_FILL if selected else TITLE_FILL)
        bar = QtCore.QRectF(4.0, 3.0, rect.width() - 4.0, self._title_height - 4.0)
        painter.drawRoundedRect(bar, 3.0, 3.0)
        border = SELECTED_BORDER if selected else QtGui.QColor(*self.border_color)
        painter.setPen(QtGui.QPen(border, 1.2 if selected else 0.8))
        painter.setBrush(_Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 4.0, 4.0)
        painter.setFont(title_font())
        painter.setPen(TEXT_COLOR)
        if self._title_editor is None or not self._title_editor.isVisible():
            title = QtCore.QRectF(0.0, TEXT_MARGIN, self.width, self._title_height)
            painter.drawText(title, _CENTRE_TOP, self.name)
        for label_rect, align, text in self._labels:
            painter.drawText(label_rect, align, text)

    # -- mouse ----------------------------------------------------------------------------

    def mousePressEvent(self, event: QtWidgets.QGraphicsSceneMouseEvent) -> None:
        """A press on a port starts a link (the viewer's), not a move of the node."""
        if event.button() == _Qt.MouseButton.LeftButton and any(
            port.hovered for port in (*self._inputs, *self._outputs)
        ):
            event.ignore()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QtWidgets.QGraphicsSceneMouseEvent) -> None:
        if event.modifiers() == _Qt.KeyboardModifier.AltModifier:
            event.ignore()  # Alt+drag pans the view
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QtWidgets.QGraphicsSceneMouseEvent) -> None:
        """On the title: rename the node in place; elsewhere: the viewer's
        ``node_double_clicked`` (the window edits the node's spec)."""
        if event.button() == _Qt.MouseButton.LeftButton:
            half = _text_width(self.name) / 2
            pos = event.pos()
            if pos.y() < self._title_height and abs(pos.x() - self.width / 2) <= half:
                self.rename_in_place()
                event.accept()
                return
            viewer = self.viewer()
            if viewer is not None:
                viewer.node_double_clicked.emit(self.id)
        super().mouseDoubleClickEvent(event)

    def rename_in_place(self) -> None:
        """Turn the title into a text field holding the node's name, selected."""
        if self._title_editor is None:
            self._title_editor = TitleEditor("", self)
        editor = self._title_editor
        editor.setPlainText(self.plain_name)
        editor.setPos((self.width - editor.boundingRect().width()) / 2, 0.0)
        editor.show()
        editor.set_editable(True)
        editor.setFocus(_Qt.FocusReason.MouseFocusReason)
        cursor = editor.textCursor()
        cursor.select(QtGui.QTextCursor.SelectionType.Document)
        editor.setTextCursor(cursor)
        self.update()
