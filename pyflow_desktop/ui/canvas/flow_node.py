"""One node instance on the canvas: a NodeGraphQt ``BaseNode`` whose id is the model's node
id, drawn by a ``FlowNodeItem``: an inline ``ValueEditor`` beside each unconnected input, a
row per output that previews its value, and a footer with the run status and elapsed time.
Status colours the node.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...repository import NodeInstance, NodeSpec
from ..value_text import short_text
from .labels import PreviewLabel
from .ngqt import BaseNode
from .node_item import FlowNodeItem
from .value_editor import ValueEditor

PREVIEW_CHARS = 28
TOOLTIP_CHARS = 2000
END_MARK = "■ "
SUBFLOW_MARK = "⊞ "
LIBRARY_MARK = " ↻"  # after the title: the node's spec differs from the library's
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


class FlowNode(BaseNode):
    """A node instance on the canvas. Build it with ``FlowNode.create(spec, node)``, then
    put it on the canvas with ``CanvasGraph.add_flow_nodes``."""

    __identifier__ = "pyflow"
    NODE_NAME = "Node"

    def __init__(self) -> None:
        super().__init__(qgraphics_item=FlowNodeItem)
        self._status_text = ""
        self.library_note = ""  # why the title carries LIBRARY_MARK ("": it does not)

    @classmethod
    def create(
        cls,
        spec: NodeSpec | None,
        node: NodeInstance,
        connected: Iterable[str] = (),
        library_note: str = "",
    ) -> FlowNode:
        """A canvas node for ``node`` (``spec`` may be missing: then it has no ports), the
        inputs in ``connected`` linked (so their editors are hidden); ``library_note`` says
        how its spec differs from the library's, if it does."""
        item = cls()
        item.library_note = library_note
        item.model.id = node.id
        item.view.id = node.id
        item.view.connected.update(connected)
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
        item.view.setPos(node.x, node.y)
        item.view.color = BASE_COLOR
        return item

    @property
    def item(self) -> FlowNodeItem:
        return self.view

    def show_title(self, spec: NodeSpec | None, node: NodeInstance) -> None:
        """Name the node after the instance (or its spec), marking end nodes."""
        title = node.name or (spec.title if spec else node.subflow or node.spec_id)
        self.view.plain_name = title  # what a rename starts from
        if spec is None:
            title += " (missing flow)" if node.subflow else " (unknown spec)"
        if node.subflow:
            title = SUBFLOW_MARK + title
        if node.is_end:
            title = END_MARK + title
        if self.library_note:
            title += LIBRARY_MARK
        self.NODE_NAME = title  # NodeGraphQt's add_node names the node from NODE_NAME
        self.model.name = title
        self.view.name = title
        uses = f"subflow {node.subflow} (double-click to open it)" if node.subflow else node.spec_id
        tip = f"{node.id} — {uses}" + ("  (end node)" if node.is_end else "")
        self.view.setToolTip(f"{tip}\n{self.library_note}" if self.library_note else tip)

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
        self.item.set_stale(stale)
        for label in self.item.previews.values():
            label.set_stale(stale)
        self._show_footer()

    def _show_footer(self) -> None:
        text = self._status_text
        self.item.set_footer(f"stale · {text}" if self.item.stale and text else text)
        if self.graph is not None:
            self.graph.nodes_changed()  # the overview and the minimap show status colours

    def set_preview(self, port: str, value: Any) -> None:
        """Show ``value`` beside output ``port``: one short line, a longer tooltip."""
        label = self.item.previews.get(port)
        if label is not None:
            label.show_value(short_text(value, TOOLTIP_CHARS), PREVIEW_CHARS, self.item.width - 16)

    def clear_run_state(self) -> None:
        self.set_stale(False)
        self.set_status("idle")
        for label in self.item.previews.values():
            label.show_value("", PREVIEW_CHARS, self.item.width - 16)

    def status_text(self) -> str:
        """The run status the footer shows ("success · 0.3 ms"), without the stale mark."""
        return self._status_text

    def preview(self, port: str) -> str:
        label = self.item.previews.get(port)
        return label.value_text if label is not None else ""
