"""The one bridge between a ``CanvasGraph`` and a ``Flow`` of the model.

Canvas requests (connect, disconnect, move, drop a spec, rename, type a value) become undo
commands on the shared ``QUndoStack``; the commands call model mutators; the model's events
come back here and redraw the canvas. ``_syncing`` is the re-entrancy guard: while the
bridge itself changes the canvas, requests the canvas might echo are ignored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6 import QtCore
from PySide6.QtGui import QUndoStack

from ...engine import RunState
from ...repository import Flow, Link, ModelEvent, NodeInstance, PortRef, Repository
from ...repository.link_types import CONVERT, link_conversion
from ..commands import (
    ChangeLinksCommand,
    InterfaceCommand,
    MoveNodesCommand,
    RemoveNodesCommand,
    RenameNodeCommand,
    SetValueCommand,
)
from ..value_text import node_title
from .boundary import (
    boundary_canvas_nodes,
    boundary_links,
    gesture_commands,
    is_boundary,
    without_feeds,
)
from .flow_node import END_MARK, LIBRARY_MARK, SUBFLOW_MARK, FlowNode
from .graph import CanvasGraph
from .ngqt import PIPE_DASHED
from .node_edits import NodeEdits
from .run_view import RunView

_FLOW_EVENTS = (
    ModelEvent.NODE_ADDED,
    ModelEvent.NODE_REMOVED,
    ModelEvent.NODE_MOVED,
    ModelEvent.NODE_CHANGED,
    ModelEvent.VALUE_CHANGED,
    ModelEvent.LINK_ADDED,
    ModelEvent.LINK_REMOVED,
)
_SPEC_EVENTS = (ModelEvent.SPEC_CHANGED, ModelEvent.SPEC_ADDED, ModelEvent.SPEC_REMOVED)


class FlowBridge(NodeEdits, QtCore.QObject):
    """Keeps ``canvas`` showing ``flow``; pushes the canvas's edits onto ``undo_stack``."""

    message = QtCore.Signal(str)  # an edit was refused, and why
    preview_activated = QtCore.Signal(str, str)  # node id, output port: open a viewer
    # How a node's spec differs from the library's spec of its id ("": it does not).
    library_note: Callable[[NodeInstance], str] = staticmethod(lambda _node: "")

    def __init__(
        self,
        repo: Repository,
        flow: Flow,
        canvas: CanvasGraph,
        undo_stack: QUndoStack,
        run_state: RunState,
        parent: QtCore.QObject | None = None,
    ) -> None:
        """``run_state``: what runs of ``flow`` said, drawn on the canvas (``results``)."""
        super().__init__(parent)
        self.repo, self.flow, self.canvas, self.undo_stack = repo, flow, canvas, undo_stack
        self._syncing = False
        self.retired_ids: set[str] = set()
        self._handlers = {name: getattr(self, f"_on_{name}") for name in _FLOW_EVENTS}
        for name, handler in self._handlers.items():
            flow.events.connect(name, handler)
        for name in _SPEC_EVENTS:
            repo.events.connect(name, self._on_spec_event)
        canvas.links_change_requested.connect(self._links_requested)
        canvas.move_requested.connect(self._move_requested)
        canvas.create_requested.connect(self.create_node)
        canvas.rename_requested.connect(self._rename_requested)
        canvas.link_refused.connect(self._refuse)
        # Scripted edits through NodeGraphQt's own API (port.connect_to, delete_nodes...)
        canvas.port_connected.connect(self._api_connected)
        canvas.port_disconnected.connect(self._api_disconnected)
        canvas.nodes_deleted.connect(self._api_deleted)
        canvas.viewer().style_pipe = self._style_pipe
        self.results = RunView(run_state, canvas, self)
        self.rebuild()

    def detach(self) -> None:
        """Stop listening to the model (the canvas is going away)."""
        for name, handler in self._handlers.items():
            self.flow.events.disconnect(name, handler)
        for name in _SPEC_EVENTS:
            self.repo.events.disconnect(name, self._on_spec_event)
        self.results.detach()

    @contextmanager
    def _sync(self) -> Iterator[None]:
        previous, self._syncing = self._syncing, True
        try:
            yield
        finally:
            self._syncing = previous

    # -- model → canvas -------------------------------------------------------------------

    def rebuild(self) -> None:
        """Draw the whole flow from scratch: each node built knowing its linked inputs and
        drawn once, then the links; no undo commands, no checks the model has made."""
        linked: dict[str, set[str]] = defaultdict(set)
        for link in self.flow.links:
            linked[link.target].add(link.target_port)
        for port in self.flow.interface.inputs if self.flow.interface is not None else ():
            for target in port.to:  # fed from outside: no inline editor either
                linked[target.node].add(target.port)
        with self._sync():
            self.canvas.clear_flow_nodes()
            nodes = self.flow.nodes.values()
            self.canvas.add_flow_nodes([self._canvas_node(n, linked[n.id]) for n in nodes])
            for link in self.flow.links:
                self._draw_link(link)
            if self.flow.interface is not None:
                self._draw_boundary()
        self.results.redraw()

    def _draw_boundary(self) -> None:
        """The "Inputs" and "Outputs" nodes, left and right of the flow's own, wired."""
        bounds = QtCore.QRectF()
        for canvas_node in self.canvas.flow_nodes():
            bounds = bounds.united(canvas_node.view.sceneBoundingRect())
        self.canvas.add_flow_nodes(boundary_canvas_nodes(self.flow.interface, bounds))
        for link in boundary_links(self.flow.interface):
            self._draw_link(link)
        self.canvas.nodes_changed(geometry=True)

    def subflow_changed(self, flow_id: str) -> None:
        """Flow ``flow_id`` changed its interface or name, or came or went: redraw when this
        flow is it (its boundary nodes) or uses it (its subflow nodes' faces)."""
        if flow_id == self.flow.id or any(
            node.subflow == flow_id for node in self.flow.nodes.values()
        ):
            self.rebuild()

    def show_library_notes(self) -> None:
        """Mark again the nodes whose spec differs from the library's (the library changed)."""
        changed = False
        for node in self.flow.nodes.values():
            canvas_node, note = self.canvas.flow_node(node.id), self.library_note(node)
            if canvas_node is not None and note != canvas_node.library_note:
                canvas_node.library_note = note
                canvas_node.show_title(self.repo.node_spec(node), node)
                canvas_node.item.draw_node()
                changed = True
        if changed:
            self.canvas.nodes_changed(geometry=True)

    def _canvas_node(self, node: NodeInstance, linked: Iterable[str] = ()) -> FlowNode:
        spec = self.repo.node_spec(node)
        canvas_node = FlowNode.create(spec, node, linked, self.library_note(node))
        for editor in canvas_node.item.editors.values():
            editor.on_edit = lambda port, value, node_id=node.id: self.set_value(
                node_id, port, value
            )
        for port, label in canvas_node.item.previews.items():
            label.on_activate = lambda node_id=node.id, port=port: self.preview_activated.emit(
                node_id, port
            )
        return canvas_node

    def _ports(self, link: Link):
        source, target = self.canvas.flow_node(link.source), self.canvas.flow_node(link.target)
        if source is None or target is None:
            return None, None, target
        return source.outputs().get(link.source_port), target.inputs().get(link.target_port), target

    def _connect(self, link: Link) -> None:
        _, _, target = self._ports(link)
        if target is not None:
            target.set_connected(link.target_port, True)
        self._draw_link(link)

    def _draw_link(self, link: Link) -> None:
        out_port, in_port, _ = self._ports(link)
        if out_port is not None and in_port is not None:
            self.canvas.add_link(out_port, in_port)

    def _style_pipe(self, pipe) -> None:
        """Draw a link whose value is converted on the way dashed, saying so in its tooltip
        (every pipe the canvas draws, for the model or put back after a gesture)."""
        out_port, in_port = pipe.output_port, pipe.input_port
        link = Link(out_port.node.id, out_port.name, in_port.node.id, in_port.name)
        types = self._port_types(link)
        if types is None or link_conversion(*types) != CONVERT:
            return
        pipe.style = PIPE_DASHED
        pipe.reset()
        pipe.setToolTip(f"{types[0]} → {types[1]}: converted on the way")

    def _on_node_added(self, node: NodeInstance) -> None:
        with self._sync():
            self.canvas.add_flow_nodes([self._canvas_node(node)])

    def _on_node_removed(self, node: NodeInstance) -> None:
        self.retired_ids.add(node.id)
        with self._sync():
            self.canvas.remove_flow_node(node.id)
        self.canvas.nodes_changed(geometry=True)

    def _on_node_moved(self, node: NodeInstance) -> None:
        canvas_node = self.canvas.flow_node(node.id)
        if canvas_node is not None:
            canvas_node.model.pos = [node.x, node.y]
            canvas_node.view.xy_pos = [node.x, node.y]
            self.canvas.nodes_changed(geometry=True)

    def _on_node_changed(self, node: NodeInstance) -> None:
        canvas_node = self.canvas.flow_node(node.id)
        if canvas_node is not None:
            canvas_node.show_title(self.repo.node_spec(node), node)
            canvas_node.item.draw_node()
            self.canvas.nodes_changed(geometry=True)

    def _on_value_changed(self, node: NodeInstance, port: str, value: Any) -> None:
        canvas_node = self.canvas.flow_node(node.id)
        editor = canvas_node.item.editors.get(port) if canvas_node is not None else None
        if editor is not None:
            editor.show_value(value)

    def _on_link_added(self, link: Link) -> None:
        with self._sync():
            self._connect(link)
        self.canvas.nodes_changed()

    def _on_link_removed(self, link: Link) -> None:
        with self._sync():
            out_port, in_port, target = self._ports(link)
            if out_port is not None and in_port is not None:
                out_port.disconnect_from(in_port, push_undo=False, emit_signal=False)
            if target is not None:
                target.set_connected(link.target_port, False)
        self.canvas.nodes_changed()

    def _on_spec_event(self, spec, old=None) -> None:
        """A spec was changed, added or removed: redraw the nodes built from it."""
        if any(node.spec_id == spec.id for node in self.flow.nodes.values()):
            self.rebuild()

    # -- canvas → commands ------------------------------------------------------------------

    def _links_requested(self, removed: list[Link], added: list[Link]) -> None:
        if self._syncing:
            return
        if any(is_boundary(link.source) or is_boundary(link.target) for link in removed + added):
            self._interface_gesture(removed, added)
            return
        refused = [link for link in added if self._type_problem(link)]
        if refused:
            added = [link for link in added if link not in refused]
            inputs = {(link.target, link.target_port) for link in refused}
            kept = [link for link in removed if (link.target, link.target_port) in inputs]
            removed = [link for link in removed if link not in kept]
            with self._sync():  # the canvas already drew the gesture: put it back
                for link in refused:
                    self._on_link_removed(link)
                for link in kept:
                    self._connect(link)
            self._refuse("; ".join(self._type_problem(link) for link in refused))
        if not (removed or added):
            return
        interface = self.flow.interface
        fed = [PortRef(link.target, link.target_port) for link in added]
        if interface is not None and any(t in port.to for port in interface.inputs for t in fed):
            self.undo_stack.beginMacro("Connect")  # a link takes the place of an input's feed
            self.undo_stack.push(
                InterfaceCommand(self.repo, self.flow, without_feeds(interface, fed))
            )
            self.undo_stack.push(ChangeLinksCommand(self.flow, removed, added))
            self.undo_stack.endMacro()
        else:
            self.undo_stack.push(ChangeLinksCommand(self.flow, removed, added))

    def _interface_gesture(self, removed: list[Link], added: list[Link]) -> None:
        """Wiring to or from "Inputs" or "Outputs": the interface changes (``boundary``)."""
        refused, commands = gesture_commands(self.repo, self.flow, removed, added)
        if not commands:
            if refused:
                self._refuse(f"Not connected: {refused}")
            self.rebuild()  # the canvas drew the gesture: put it back
            return
        self.undo_stack.beginMacro(f"Edit the interface of {self.flow.name}")
        for command in commands:
            self.undo_stack.push(command)
        self.undo_stack.endMacro()

    def _refuse(self, why: str) -> None:
        """A gesture's edit was refused: say why where it was made, and in the status bar."""
        self.canvas.show_note(why)
        self.message.emit(why)

    def _port_types(self, link: Link) -> tuple[str, str] | None:
        """The types of the output and the input ``link`` joins (an untyped port is a String);
        ``None`` where a side has no spec (the Inputs and Outputs of a subflow take any)."""
        nodes = self.flow.nodes
        source = self.repo.node_spec(nodes[link.source]) if link.source in nodes else None
        target = self.repo.node_spec(nodes[link.target]) if link.target in nodes else None
        out_port = source.output(link.source_port) if source else None
        in_port = target.input(link.target_port) if target else None
        if out_port is None or in_port is None:
            return None
        return out_port.type, in_port.type

    def _type_problem(self, link: Link) -> str:
        """Why ``link`` joins types with no conversion between them, or ``""``."""
        types = self._port_types(link)
        if types is None or link_conversion(*types) is not None:
            return ""
        source = f"{node_title(self.repo, self.flow, link.source)} · {link.source_port}"
        target = f"{node_title(self.repo, self.flow, link.target)} · {link.target_port}"
        return (
            f"cannot link {source} ({types[0]}) to {target} ({types[1]}): "
            f"no conversion from {types[0]} to {types[1]}"
        )

    def _api_connected(self, in_port, out_port) -> None:
        if not self._syncing:
            link = Link(out_port.node().id, out_port.name(), in_port.node().id, in_port.name())
            self._links_requested([], [link])

    def _api_disconnected(self, in_port, out_port) -> None:
        link = Link(out_port.node().id, out_port.name(), in_port.node().id, in_port.name())
        if not self._syncing and (is_boundary(link.source) or is_boundary(link.target)):
            self._interface_gesture([link], [])
        elif not self._syncing and self.flow.link_into(link.target, link.target_port) == link:
            self.undo_stack.push(ChangeLinksCommand(self.flow, [link], []))

    def _api_deleted(self, node_ids: list) -> None:
        known = [node_id for node_id in node_ids if node_id in self.flow.nodes]
        if not self._syncing and known:
            self.undo_stack.push(RemoveNodesCommand(self.flow, known))

    def connect_ports(self, source: str, source_port: str, target: str, target_port: str) -> None:
        """Connect an output to an input as the user does (replacing the input's link)."""
        self._links_requested([], [Link(source, source_port, target, target_port)])

    def _move_requested(self, moves: dict) -> None:
        moves = {node_id: xy for node_id, xy in moves.items() if node_id in self.flow.nodes}
        if not self._syncing and moves:
            self.undo_stack.push(MoveNodesCommand(self.flow, moves))

    def _rename_requested(self, node_id: str, name: str) -> None:
        """Rename a node, unless ``name`` is what it is already called (by its spec's title,
        when it has no name of its own)."""
        name = name.removeprefix(END_MARK).removeprefix(SUBFLOW_MARK).removesuffix(LIBRARY_MARK)
        name = name.strip()
        node = self.flow.nodes.get(node_id)
        if self._syncing or node is None or name == node_title(self.repo, self.flow, node_id):
            return
        if name != node.name:
            self.undo_stack.push(RenameNodeCommand(self.flow, node_id, name))

    def set_value(self, node_id: str, port: str, value: Any) -> None:
        """Set an input's manual value (``None`` clears it) unless it is already that."""
        if self._syncing or node_id not in self.flow.nodes:
            return
        current = self.flow.nodes[node_id].values.get(port)
        if value != current:
            self.undo_stack.push(SetValueCommand(self.flow, node_id, port, value))
