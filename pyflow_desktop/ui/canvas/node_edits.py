"""What a flow's canvas asks for that adds or removes nodes: a new node from a spec or a
flow (a subflow node), a node linked to a dragged port, paste, delete, end marks.

``NodeEdits`` is a part of ``FlowBridge`` (its ``repo``, ``flow``, ``undo_stack`` and
``message``), kept apart so that the bridge's module keeps to one job: keeping the canvas and
the model in step. Each request becomes undo commands; nothing here draws.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

from PySide6.QtGui import QUndoCommand, QUndoStack

from ...repository import Flow, Link, NodeInstance, NodeSpec, Repository
from ...repository.linking import link_partners
from ...repository.merge import with_subflows
from ..commands import (
    AddFlowCommand,
    AddNodesCommand,
    AddSpecCommand,
    ChangeLinksCommand,
    RemoveNodesCommand,
    SetEndCommand,
    copied_nodes,
)

PASTE_OFFSET = 40.0
SUBFLOW_KEY = "subflow:"  # a Library or search entry "subflow:FLOW_ID" adds a subflow node


class NodeEdits:
    """Node requests of a canvas, as undo commands on ``undo_stack``."""

    repo: Repository
    flow: Flow
    undo_stack: QUndoStack
    _syncing: bool
    retired_ids: set[str]  # of nodes deleted since the canvas opened
    # The application's palette (spec id → spec), offered beside the file's own specs: a
    # node built from one the file lacks copies it into the file, in the same step.
    palette_specs: Callable[[], Mapping[str, NodeSpec]] = staticmethod(dict)

    def new_node_id(self, spec_id: str) -> str:
        """A fresh id: never one of a deleted node, whose result an undo brings back (so a
        new node never shows it, in the Inspector or a viewer)."""
        stem = spec_id.rsplit(".", 1)[-1] or "node"
        for number in itertools.count(1):
            candidate = f"{stem}_{number}"
            if candidate not in self.flow.nodes and candidate not in self.retired_ids:
                return candidate
        raise AssertionError("unreachable")

    def create_node(self, spec_id: str, x: float = 0.0, y: float = 0.0) -> str | None:
        """Add a node built from ``spec_id`` (or using flow ID, for ``subflow:ID``) at scene
        position (x, y); returns its id."""
        if self._syncing:
            return None
        subflow = spec_id.startswith(SUBFLOW_KEY) and spec_id not in self.repo.specs
        if subflow:
            node = self._subflow_node(spec_id.removeprefix(SUBFLOW_KEY), x, y)
            if node is None:
                return None
        elif spec_id in self.repo.specs or spec_id in self.palette_specs():
            node = NodeInstance(id=self.new_node_id(spec_id), spec_id=spec_id, x=x, y=y)
        else:
            return None
        self._push_with_spec(spec_id, AddNodesCommand(self.flow, [node]))
        return node.id

    def _push_with_spec(self, spec_id: str, command: QUndoCommand) -> None:
        """Push ``command``; when the file lacks ``spec_id``, copy it from the palette first,
        so that one undo takes both away."""
        spec = None if spec_id in self.repo.specs else self.palette_specs().get(spec_id)
        if spec is None:
            self.undo_stack.push(command)
            return
        self.undo_stack.beginMacro(command.text())
        self.undo_stack.push(AddSpecCommand(self.repo, spec.copy()))
        self.undo_stack.push(command)
        self.undo_stack.endMacro()

    def _subflow_node(self, flow_id: str, x: float, y: float) -> NodeInstance | None:
        """A node using flow ``flow_id``, unless that would make the flow use itself."""
        used = self.repo.flows.get(flow_id)
        if used is None or used.interface is None:
            self.message.emit(f"Flow {flow_id!r} has no interface: it cannot be used as a node")
            return None
        if self.flow.id in with_subflows(self.repo, [flow_id]):
            self.message.emit(
                f"Not added: {used.name} uses {self.flow.name}, which cannot use itself"
            )
            return None
        return NodeInstance(id=self.new_node_id(flow_id), spec_id="", x=x, y=y, subflow=flow_id)

    def link_candidates(self, node_id: str, port: str, is_output: bool) -> dict[str, str]:
        """The specs a link dragged from ``node_id``'s ``port`` could go to, each with the
        port of a new node it would join."""
        node = self.flow.nodes.get(node_id)
        spec = self.repo.node_spec(node) if node is not None else None
        own = (spec.output(port) if is_output else spec.input(port)) if spec else None
        offered = {**self.palette_specs(), **self.repo.specs}.values()
        return {} if own is None else link_partners(offered, own, is_output)

    def add_linked_node(
        self, spec_id: str, x: float, y: float, node_id: str, port: str, is_output: bool
    ) -> str | None:
        """Add a node of ``spec_id`` at (x, y) linked to ``node_id``'s ``port``, in one step."""
        other_port = self.link_candidates(node_id, port, is_output).get(spec_id)
        if other_port is None:
            return None
        node = NodeInstance(id=self.new_node_id(spec_id), spec_id=spec_id, x=x, y=y)
        link = (
            Link(node_id, port, node.id, other_port)
            if is_output
            else Link(node.id, other_port, node_id, port)
        )
        command = AddNodesCommand(self.flow, [node], [link], text="Add linked node")
        self._push_with_spec(spec_id, command)
        return node.id

    def delete_link(self, link: Link) -> None:
        if link in self.flow.links:
            self.undo_stack.push(ChangeLinksCommand(self.flow, [link], []))

    def rename_node(self, node_id: str, name: str) -> None:
        self._rename_requested(node_id, name)

    def delete_nodes(self, node_ids: list[str]) -> None:
        node_ids = [node_id for node_id in node_ids if node_id in self.flow.nodes]
        if node_ids:
            self.undo_stack.push(RemoveNodesCommand(self.flow, node_ids))

    def set_end(self, node_ids: list[str], is_end: bool = True) -> None:
        if node_ids:
            self.undo_stack.push(SetEndCommand(self.flow, node_ids, is_end))

    def copy_nodes(self, node_ids: list[str]) -> tuple[list[NodeInstance], list[Link]]:
        return copied_nodes(self.flow, node_ids)

    def paste_nodes(
        self,
        nodes: list[NodeInstance],
        links: list[Link],
        specs: list[NodeSpec] = (),
        at: tuple[float, float] | None = None,
        text: str = "Paste",
        flows: list[Flow] = (),
    ) -> list[str]:
        """Add copies of ``nodes`` (fresh ids) with the links among them, their top-left
        corner at scene point ``at`` (default: shifted a little from where they were).

        ``specs`` and ``flows`` (copied along, e.g. from another file, the latter the flows
        subflow nodes use) are added when the repository lacks them; a node whose spec or
        flow is known nowhere is left out, with a message.
        """
        missing = [spec for spec in specs if spec.id not in self.repo.specs]
        flows = [flow for flow in flows if flow.id not in self.repo.flows]
        known = {spec.id for spec in specs} | set(self.repo.specs)
        known_flows = {flow.id for flow in flows} | set(self.repo.flows)

        def pastes(node: NodeInstance) -> bool:
            return node.subflow in known_flows if node.subflow else node.spec_id in known

        unknown = sorted({node.subflow or node.spec_id for node in nodes if not pastes(node)})
        nodes = [node for node in nodes if pastes(node)]
        if unknown:
            self.message.emit(f"Not pasted: no nodespec or flow {', '.join(unknown)} here")
        if not nodes:
            return []
        if at is None:
            dx = dy = PASTE_OFFSET
        else:
            dx, dy = at[0] - min(n.x for n in nodes), at[1] - min(n.y for n in nodes)
        renamed: dict[str, str] = {}
        fresh: list[NodeInstance] = []
        for node in nodes:
            new_id = self.new_node_id(node.subflow or node.spec_id)
            while new_id in renamed.values():
                new_id += "_"
            renamed[node.id] = new_id
            fresh.append(
                NodeInstance(
                    id=new_id,
                    spec_id=node.spec_id,
                    name=node.name,
                    values=dict(node.values),
                    x=node.x + dx,
                    y=node.y + dy,
                    subflow=node.subflow,
                )
            )
        new_links = [
            Link(renamed[link.source], link.source_port, renamed[link.target], link.target_port)
            for link in links
            if link.source in renamed and link.target in renamed
        ]
        self.undo_stack.beginMacro(text)
        for spec in missing:
            self.undo_stack.push(AddSpecCommand(self.repo, spec.copy()))
        for flow in flows:
            self.undo_stack.push(AddFlowCommand(self.repo, flow, f"Add flow {flow.id}"))
        self.undo_stack.push(AddNodesCommand(self.flow, fresh, new_links, text=text))
        self.undo_stack.endMacro()
        if missing:
            self.message.emit(f"Pasted with nodespecs {', '.join(s.id for s in missing)}")
        return list(renamed.values())
