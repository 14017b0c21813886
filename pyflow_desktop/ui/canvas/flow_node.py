"""How one node instance looks on the canvas: a NodeGraphQt node with our extras.

``FlowNode`` is a ``BaseNode`` whose id is the model's node id. Its item, ``FlowNodeItem``,
adds an inline ``ValueEditor`` beside each unconnected input, a row per output that previews
its value, and a footer with the run status and elapsed time. Status colours the node.
Previews and the footer stay inside the node, elided to its width, so they never draw over a
neighbour; the full value is in the tooltip and the Inspector.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import NodeInstance, NodeSpec
from ..value_text import short_text
from .ngqt import BaseNode, NodeItem
from .value_editor import EDITOR_WIDTH, ValueEditor

PREVIEW_CHARS = 28
TOOLTIP_CHARS = 2000
END_MARK = "■ "
FOOTER_HEIGHT = 16.0
PREVIEW_ROW = 15.0
STALE_OPACITY = 0.55
STALE_NOTE = "stale: its inputs changed since this result"
BASE_COLOR = (52, 56, 64, 255)
STATUS_COLORS = {
    "queued": (60, 72, 96, 255),
    "running": (150, 110, 30, 255),
    "success": (40, 110, 60, 255),
    "cached": (40, 100, 110, 255),
    "fail": (150, 45, 45, 255),
    "skip": (80, 80, 80, 255),
    "cancelled": (90, 70, 90, 255),
}
PORT_COLORS = {
    "Boolean": (200, 90, 90),
    "Int": (90, 160, 220),
    "Long": (90, 130, 220),
    "Float": (100, 200, 160),
    "String": (220, 190, 90),
    "List": (190, 120, 220),
    "Json": (230, 140, 70),
    "FloatArray": (80, 210, 210),
    "Image": (220, 100, 180),
    "Any": (170, 170, 170),
}


def _text_width(item: QtWidgets.QGraphicsItem) -> float:
    return item.boundingRect().width() if item.isVisible() else 0.0


class LabelItem(QtWidgets.QGraphicsSimpleTextItem):
    """A small text label drawn on a dark rounded background."""

    def __init__(self, parent: QtWidgets.QGraphicsItem, colour: str = "#e8e8e8") -> None:
        super().__init__(parent)
        font = QtGui.QFont()
        font.setPointSizeF(7.5)
        self.setFont(font)
        self.setBrush(QtGui.QColor(colour))

    def paint(self, painter, option, widget=None) -> None:
        if self.text():
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(QtGui.QColor(20, 20, 24, 200))
            painter.drawRoundedRect(self.boundingRect().adjusted(-3, -1, 3, 1), 3, 3)
        super().paint(painter, option, widget)


class PreviewLabel(LabelItem):
    """An output's preview; double-clicking it calls ``on_activate`` (opens a viewer).

    ``value_text`` is the value's short text; the label shows it (after the port's name when
    the node has several outputs), elided to the node's width."""

    def __init__(self, parent: QtWidgets.QGraphicsItem, prefix: str = "") -> None:
        super().__init__(parent)
        self.on_activate = None
        self.prefix = prefix
        self.value_text = ""

    def set_stale(self, stale: bool) -> None:
        self.setBrush(QtGui.QColor("#9a9a9a" if stale else "#e8e8e8"))
        font = self.font()
        font.setItalic(stale)
        self.setFont(font)
        tip = self.toolTip().removeprefix(f"{STALE_NOTE}\n")
        self.setToolTip(f"{STALE_NOTE}\n{tip}" if stale and tip else tip)

    def fit(self, width: float) -> None:
        """Show ``value_text`` in at most ``width`` pixels."""
        text = f"{self.prefix}{self.value_text}" if self.value_text else ""
        metrics = QtGui.QFontMetricsF(self.font())
        self.setText(metrics.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, width))

    def mousePressEvent(self, event) -> None:
        if self.text() and self.on_activate is not None:
            event.accept()  # take the press, so the double-click comes here, not to the node
        else:
            super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.on_activate is not None:
            self.on_activate()
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)


class FlowNodeItem(NodeItem):
    """The node's graphics item; lays out editors, previews and the footer after NodeGraphQt."""

    def __init__(self, name: str = "node", parent: QtWidgets.QGraphicsItem | None = None):
        super().__init__(name, parent)
        self.editors: dict[str, ValueEditor] = {}
        self.previews: dict[str, PreviewLabel] = {}
        self.connected: set[str] = set()
        self.footer = LabelItem(self, "#cfcfcf")
        self._footer_text = ""
        self.stale = False

    def _calc_size_horizontal(self) -> tuple[float, float]:
        width, height = super()._calc_size_horizontal()
        if any(name not in self.connected for name in self.editors):
            port_texts = [_text_width(text) for text in self._input_items.values()]
            out_texts = [_text_width(text) for text in self._output_items.values()]
            needed = 22 + max(port_texts, default=0) + EDITOR_WIDTH + 14 + max(out_texts, default=0)
            width = max(width, needed)
        return width, height + PREVIEW_ROW * len(self.previews) + FOOTER_HEIGHT

    def _editor_visible(self, port: str) -> bool:
        return port not in self.connected and not self._proxy_mode

    deferring = False  # set by ``drawing_deferred``: a bulk build draws each node once, last

    def draw_node(self) -> None:
        if FlowNodeItem.deferring:
            return
        super().draw_node()
        self._place_extras()

    def _place_extras(self) -> None:
        texts = {port.name: text for port, text in self._input_items.items()}
        ports = {port.name: port for port in self._input_items}
        column = max(
            (text.x() + text.boundingRect().width() for text in texts.values()), default=8.0
        )
        for name, editor in self.editors.items():
            editor.setVisible(self._editor_visible(name))
            port = ports.get(name)
            if port is not None:
                editor.setPos(column + 6, port.y() + 1.5)
        top = self._height - FOOTER_HEIGHT - PREVIEW_ROW * len(self.previews)
        for row, label in enumerate(self.previews.values()):
            label.setPos(8, top + row * PREVIEW_ROW)
            label.fit(self._width - 16)
        self.footer.setPos(8, self._height - FOOTER_HEIGHT)
        self._elide_footer()

    def set_footer(self, text: str) -> None:
        self.footer.setToolTip(text)
        self._footer_text = text
        self._elide_footer()

    def _elide_footer(self) -> None:
        metrics = QtGui.QFontMetricsF(self.footer.font())
        self.footer.setText(
            metrics.elidedText(
                self._footer_text, QtCore.Qt.TextElideMode.ElideRight, self._width - 16
            )
        )

    def set_proxy_mode(self, mode: bool) -> None:
        if mode is self._proxy_mode:
            return
        super().set_proxy_mode(mode)
        for name, editor in self.editors.items():
            editor.setVisible(self._editor_visible(name))
        for label in [*self.previews.values(), self.footer]:
            label.setVisible(not mode)


@contextmanager
def drawing_deferred() -> Iterator[None]:
    """While building many nodes, skip the redraws NodeGraphQt makes at every step (a node
    was drawn four times); draw each node once afterwards."""
    FlowNodeItem.deferring = True
    try:
        yield
    finally:
        FlowNodeItem.deferring = False


class FlowNode(BaseNode):
    """A node instance on the canvas. Build it with ``FlowNode.create(spec, node)``."""

    __identifier__ = "pyflow"
    NODE_NAME = "Node"

    def __init__(self) -> None:
        super().__init__(qgraphics_item=FlowNodeItem)
        self._status_text = ""

    @classmethod
    def create(cls, spec: NodeSpec | None, node: NodeInstance) -> FlowNode:
        """A canvas node for ``node`` (``spec`` may be missing: then it has no ports)."""
        item = cls()
        item.model.id = node.id
        item.view.id = node.id
        if spec is not None:
            for port in spec.ordered_inputs():
                item.add_input(port.name, color=PORT_COLORS.get(port.type))
                editor = ValueEditor(port, node.values.get(port.name), item.view)
                item.view.editors[port.name] = editor
            prefix = "{}: " if len(spec.outputs) > 1 else ""
            for port in spec.outputs:
                item.add_output(port.name, color=PORT_COLORS.get(port.type))
                item.view.previews[port.name] = PreviewLabel(item.view, prefix.format(port.name))
        item.show_title(spec, node)
        item.model.pos = [float(node.x), float(node.y)]
        item.view.color = BASE_COLOR
        return item

    @property
    def item(self) -> FlowNodeItem:
        return self.view

    def show_title(self, spec: NodeSpec | None, node: NodeInstance) -> None:
        """Name the node after the instance (or its spec), marking end nodes."""
        title = node.name or (spec.title if spec else node.spec_id)
        if spec is None:
            title += " (unknown spec)"
        if node.is_end:
            title = END_MARK + title
        self.NODE_NAME = title  # NodeGraphQt's add_node names the node from NODE_NAME
        self.model.name = title
        self.view.name = title
        tip = f"{node.id} — {node.spec_id}" + ("  (end node)" if node.is_end else "")
        self.view.setToolTip(tip)

    def set_connected(self, port: str, connected: bool) -> None:
        """Hide the inline editor of a connected input (shown again when disconnected)."""
        if connected == (port in self.item.connected):
            return
        if connected:
            self.item.connected.add(port)
        else:
            self.item.connected.discard(port)
        self.item.draw_node()

    def set_status(self, status: str, elapsed: float | None = None, detail: str = "") -> None:
        """Colour the node by run status and write it in the footer."""
        self.item.color = STATUS_COLORS.get(status, BASE_COLOR)
        text = status if status != "idle" else ""
        if elapsed is not None:
            text += f" · {elapsed * 1000:.1f} ms" if elapsed < 10 else f" · {elapsed:.1f} s"
        if detail:
            text += f" · {detail}"
        self._status_text = text
        self._show_footer()

    def set_stale(self, stale: bool) -> None:
        """Dim a node whose result no longer matches its inputs, and say so on it."""
        if stale == self.item.stale:
            return
        self.item.stale = stale
        self.item.setOpacity(STALE_OPACITY if stale else 1.0)
        for label in self.item.previews.values():
            label.set_stale(stale)
        self._show_footer()

    def _show_footer(self) -> None:
        text = self._status_text
        self.item.set_footer(f"stale · {text}" if self.item.stale and text else text)
        self.item.update()

    def set_preview(self, port: str, value: Any) -> None:
        """Show ``value`` beside output ``port``: one short line, a longer tooltip."""
        label = self.item.previews.get(port)
        if label is not None:
            tip = short_text(value, TOOLTIP_CHARS)
            label.value_text = tip if len(tip) <= PREVIEW_CHARS else tip[: PREVIEW_CHARS - 1] + "…"
            label.fit(self.item.width - 16)
            label.setToolTip(f"{STALE_NOTE}\n{tip}" if self.item.stale else tip)

    def clear_run_state(self) -> None:
        self.set_stale(False)
        self.set_status("idle")
        for label in self.item.previews.values():
            label.value_text = ""
            label.fit(self.item.width - 16)
            label.setToolTip("")

    def status_text(self) -> str:
        """The run status the footer shows ("success · 0.3 ms"), without the stale mark."""
        return self._status_text

    def preview(self, port: str) -> str:
        label = self.item.previews.get(port)
        return label.value_text if label is not None else ""
