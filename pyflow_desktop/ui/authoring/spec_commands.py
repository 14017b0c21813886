"""Undo commands for the spec editor: save a spec (dropping stale links and manual values),
delete a spec.

Each runs a list of the model commands of ``commands.py`` as its steps: redo in order, undo
in reverse, so one Undo puts links, nodes and the spec back together.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from ...repository import Flow, Link, NodeSpec, Repository
from ..commands import (
    AddSpecCommand,
    ChangeLinksCommand,
    RemoveNodesCommand,
    ReplaceSpecCommand,
    SetValueCommand,
)


def stale_links(repo: Repository, spec: NodeSpec) -> list[tuple[Flow, Link]]:
    """Links of nodes built from ``spec.id`` that name a port ``spec`` no longer has."""
    inputs = {port.name for port in spec.inputs}
    outputs = {port.name for port in spec.outputs}
    stale = []
    for flow in repo.flows_using(spec.id):
        for link in flow.links:
            source, target = flow.nodes.get(link.source), flow.nodes.get(link.target)
            if (
                target is not None and target.spec_id == spec.id and link.target_port not in inputs
            ) or (
                source is not None and source.spec_id == spec.id and link.source_port not in outputs
            ):
                stale.append((flow, link))
    return stale


def stale_values(repo: Repository, spec: NodeSpec) -> list[tuple[Flow, str, str]]:
    """Manual values of nodes built from ``spec.id`` on inputs ``spec`` no longer has."""
    inputs = {port.name for port in spec.inputs}
    return [
        (flow, node.id, port)
        for flow in repo.flows_using(spec.id)
        for node in flow.nodes.values()
        if node.spec_id == spec.id
        for port in node.values
        if port not in inputs
    ]


def describe_drops(command: SaveSpecCommand) -> str:
    """What saving dropped, for the user: links and typed-in values on removed ports."""
    parts = [
        f"{flow.name}: {link.source_ref} → {link.target_ref}" for flow, link in command.dropped
    ]
    parts += [f"{flow.name}: value of {node_id}.{port}" for flow, node_id, port in command.cleared]
    return ", ".join(parts)


class _StepsCommand(QUndoCommand):
    """Runs ``steps`` (commands never pushed themselves) as one undoable edit."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.steps: list[QUndoCommand] = []

    def redo(self) -> None:
        for step in self.steps:
            step.redo()

    def undo(self) -> None:
        for step in reversed(self.steps):
            step.undo()


class SaveSpecCommand(_StepsCommand):
    """Add ``spec``, or replace the spec with its id and drop the links it leaves dangling."""

    def __init__(self, repo: Repository, spec: NodeSpec) -> None:
        exists = spec.id in repo.specs
        super().__init__(f"Save nodespec {spec.id}" if exists else f"Add nodespec {spec.id}")
        self.dropped = stale_links(repo, spec) if exists else []
        self.cleared = stale_values(repo, spec) if exists else []
        by_flow: dict[str, tuple[Flow, list[Link]]] = {}
        for flow, link in self.dropped:
            by_flow.setdefault(flow.id, (flow, []))[1].append(link)
        for flow, links in by_flow.values():
            self.steps.append(ChangeLinksCommand(flow, links, []))
        for flow, node_id, port in self.cleared:
            self.steps.append(SetValueCommand(flow, node_id, port, None))
        self.steps.append(ReplaceSpecCommand(repo, spec) if exists else AddSpecCommand(repo, spec))


class RemoveSpecCommand(_StepsCommand):
    """Delete a spec together with every node built from it (and their links)."""

    def __init__(self, repo: Repository, spec_id: str) -> None:
        super().__init__(f"Delete nodespec {spec_id}")
        for flow in repo.flows_using(spec_id):
            node_ids = [node.id for node in flow.nodes.values() if node.spec_id == spec_id]
            self.steps.append(RemoveNodesCommand(flow, node_ids))
        self.steps.append(_RemoveSpec(repo, spec_id))


class _RemoveSpec(QUndoCommand):
    def __init__(self, repo: Repository, spec_id: str) -> None:
        super().__init__(f"Delete nodespec {spec_id}")
        self.repo, self.spec = repo, repo.specs[spec_id]

    def redo(self) -> None:
        self.repo.remove_spec(self.spec.id)

    def undo(self) -> None:
        self.repo.add_spec(self.spec)
