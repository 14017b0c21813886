"""Undo commands: every edit of the model, as a ``QUndoCommand`` calling model mutators.

Commands hold model objects and ids, never widgets; the views redraw from the model's
events, so a command works the same whether its flow is open on a canvas or not.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from ..repository import (
    Flow,
    FlowEdit,
    Interface,
    Link,
    NodeInstance,
    NodeSpec,
    Repository,
    apply_edit,
    revert_edit,
)

_UNSET = object()


class AddNodesCommand(QUndoCommand):
    """Add nodes and the links between them (node creation, paste)."""

    def __init__(
        self, flow: Flow, nodes: list[NodeInstance], links: list[Link] = (), text: str = ""
    ) -> None:
        super().__init__(
            text
            or (
                f"Add {nodes[0].name or nodes[0].spec_id}"
                if len(nodes) == 1
                else f"Add {len(nodes)} nodes"
            )
        )
        self.flow, self.nodes, self.links = flow, list(nodes), list(links)

    def redo(self) -> None:
        for node in self.nodes:
            self.flow.add_node(node)
        for link in self.links:
            self.flow.add_link(link)

    def undo(self) -> None:
        for node in reversed(self.nodes):
            self.flow.remove_node(node.id)


class RemoveNodesCommand(QUndoCommand):
    """Delete nodes with every link touching them."""

    def __init__(self, flow: Flow, node_ids: list[str], text: str = "") -> None:
        super().__init__(text or (f"Delete {len(node_ids)} node(s)"))
        self.flow, self.node_ids = flow, list(node_ids)
        self.removed: list[tuple[NodeInstance, list[Link]]] = []

    def redo(self) -> None:
        self.removed = [self.flow.remove_node(node_id) for node_id in self.node_ids]

    def undo(self) -> None:
        for node, _links in self.removed:
            self.flow.add_node(node)
        restored: set[Link] = set()
        for _node, links in self.removed:
            for link in links:
                if link not in restored:
                    restored.add(link)
                    self.flow.add_link(link)


class ChangeLinksCommand(QUndoCommand):
    """Remove some links and add others; an added link replaces the one into its input."""

    def __init__(self, flow: Flow, removed: list[Link], added: list[Link], text: str = "") -> None:
        super().__init__(text or ("Connect" if added else "Disconnect"))
        self.flow, self.removed, self.added = flow, list(removed), list(added)
        self.replaced: list[Link] = []

    def redo(self) -> None:
        self.replaced = []
        for link in self.removed:
            if self.flow.link_into(link.target, link.target_port) == link:
                self.flow.remove_link(link)
        for link in self.added:
            replaced = self.flow.add_link(link)
            if replaced is not None and replaced not in self.removed:
                self.replaced.append(replaced)

    def undo(self) -> None:
        for link in reversed(self.added):
            if self.flow.link_into(link.target, link.target_port) == link:
                self.flow.remove_link(link)
        for link in [*self.replaced, *self.removed]:
            self.flow.add_link(link)


class SetValueCommand(QUndoCommand):
    """Set (or with ``value=None``, clear) an input's manual value."""

    def __init__(self, flow: Flow, node_id: str, port: str, value: Any) -> None:
        super().__init__(f"Set {flow.nodes[node_id].name or node_id} · {port}")
        self.flow, self.node_id, self.port, self.value = flow, node_id, port, value
        self.old = flow.nodes[node_id].values.get(port, _UNSET)

    def redo(self) -> None:
        self._apply(_UNSET if self.value is None else self.value)

    def undo(self) -> None:
        self._apply(self.old)

    def _apply(self, value: Any) -> None:
        if value is _UNSET:
            self.flow.set_value(self.node_id, self.port)
        else:
            self.flow.set_value(self.node_id, self.port, value)


class MoveNodesCommand(QUndoCommand):
    """Move nodes to new positions (from a drag on the canvas)."""

    def __init__(self, flow: Flow, moves: dict[str, tuple[float, float]]) -> None:
        super().__init__(f"Move {len(moves)} node(s)")
        self.flow, self.moves = flow, dict(moves)
        self.old = {node_id: (flow.nodes[node_id].x, flow.nodes[node_id].y) for node_id in moves}

    def redo(self) -> None:
        for node_id, (x, y) in self.moves.items():
            self.flow.move_node(node_id, x, y)

    def undo(self) -> None:
        for node_id, (x, y) in self.old.items():
            self.flow.move_node(node_id, x, y)


class SetEndCommand(QUndoCommand):
    def __init__(self, flow: Flow, node_ids: list[str], is_end: bool) -> None:
        super().__init__("Mark as end node" if is_end else "Unmark end node")
        self.flow, self.is_end = flow, is_end
        self.old = {node_id: flow.nodes[node_id].is_end for node_id in node_ids}

    def redo(self) -> None:
        for node_id in self.old:
            self.flow.set_end(node_id, self.is_end)

    def undo(self) -> None:
        for node_id, was_end in self.old.items():
            self.flow.set_end(node_id, was_end)


class RenameNodeCommand(QUndoCommand):
    def __init__(self, flow: Flow, node_id: str, name: str) -> None:
        super().__init__(f"Rename {flow.nodes[node_id].name or node_id} to {name}")
        self.flow, self.node_id, self.name = flow, node_id, name
        self.old = flow.nodes[node_id].name

    def redo(self) -> None:
        self.flow.rename_node(self.node_id, self.name)

    def undo(self) -> None:
        self.flow.rename_node(self.node_id, self.old)


class AddFlowCommand(QUndoCommand):
    def __init__(self, repo: Repository, flow: Flow, text: str = "") -> None:
        super().__init__(text or f"New flow {flow.id}")
        self.repo, self.flow = repo, flow

    def redo(self) -> None:
        self.repo.add_flow(self.flow)

    def undo(self) -> None:
        self.repo.remove_flow(self.flow.id)


class RemoveFlowCommand(QUndoCommand):
    def __init__(self, repo: Repository, flow_id: str) -> None:
        super().__init__(f"Delete flow {flow_id}")
        self.repo, self.flow = repo, repo.flows[flow_id]

    def redo(self) -> None:
        self.repo.remove_flow(self.flow.id)

    def undo(self) -> None:
        self.repo.add_flow(self.flow)


class RenameFlowCommand(QUndoCommand):
    def __init__(self, flow: Flow, name: str) -> None:
        super().__init__(f"Rename flow {flow.id}")
        self.flow, self.name, self.old = flow, name, flow.name

    def redo(self) -> None:
        self.flow.rename(self.name)

    def undo(self) -> None:
        self.flow.rename(self.old)


def copied_nodes(flow: Flow, node_ids: list[str]) -> tuple[list[NodeInstance], list[Link]]:
    """Deep copies of nodes and the links among them (for the clipboard)."""
    chosen = set(node_ids)
    nodes = [copy.deepcopy(flow.nodes[node_id]) for node_id in node_ids]
    links = [link for link in flow.links if link.source in chosen and link.target in chosen]
    return nodes, links


class AddSpecCommand(QUndoCommand):
    def __init__(self, repo: Repository, spec: NodeSpec) -> None:
        super().__init__(f"Add nodespec {spec.id}")
        self.repo, self.spec = repo, spec

    def redo(self) -> None:
        self.repo.add_spec(self.spec)

    def undo(self) -> None:
        self.repo.remove_spec(self.spec.id)


class ReplaceSpecCommand(QUndoCommand):
    def __init__(self, repo: Repository, spec: NodeSpec) -> None:
        super().__init__(f"Replace nodespec {spec.id}")
        self.repo, self.spec, self.old = repo, spec, repo.specs[spec.id]

    def redo(self) -> None:
        self.repo.replace_spec(self.spec)

    def undo(self) -> None:
        self.repo.replace_spec(self.old)


class FlowEditCommand(QUndoCommand):
    """A subflow edit (group, ungroup, local copy: ``repository.subflow_edits``)."""

    def __init__(self, repo: Repository, edit: FlowEdit, text: str) -> None:
        super().__init__(text)
        self.repo, self.edit = repo, edit

    def redo(self) -> None:
        apply_edit(self.repo, self.edit)

    def undo(self) -> None:
        revert_edit(self.repo, self.edit)


class InterfaceCommand(QUndoCommand):
    """Give ``flow`` a new interface (``None``: no longer usable as a node), together with the
    edits that keep its users wired (``subflow_edits.rewire_users``) and the flow's own links
    that the interface now takes the place of."""

    def __init__(
        self,
        repo: Repository,
        flow: Flow,
        interface: Interface | None,
        users: list[FlowEdit] = (),
        removed_links: list[Link] = (),
        text: str = "",
    ) -> None:
        super().__init__(text or f"Edit the interface of {flow.name}")
        self.repo, self.flow, self.interface, self.old = repo, flow, interface, flow.interface
        self.users, self.removed_links = list(users), list(removed_links)

    def redo(self) -> None:
        for link in self.removed_links:
            self.flow.remove_link(link)
        self.flow.set_interface(self.interface)
        for edit in self.users:
            apply_edit(self.repo, edit)

    def undo(self) -> None:
        self.flow.set_interface(self.old)
        for edit in reversed(self.users):
            revert_edit(self.repo, edit)
        for link in self.removed_links:
            self.flow.add_link(link)
