"""Edits that make and unmake subflows, as data that the window's undo commands redo and undo.

``group_nodes`` turns a selection into a new flow used by one node, ``ungroup_node`` inlines
a subflow node back into its flow (``inline.inline_node``), ``local_copy`` forks a
subflow's definition for one node. Each only computes a ``FlowEdit``, changing nothing;
``apply_edit`` and ``revert_edit`` carry it out and take it back through the model's
mutators, so every view hears the usual events (``flow_added``, ``link_removed``,
``node_removed``, ``node_added``, ``link_added``, ``flow_removed``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from .flow import Flow, Link, NodeInstance
from .inline import inline_node, subflow_definition
from .interface import ANY_TYPE, Interface, InterfaceInput, InterfaceOutput, PortRef
from .merge import copy_flow, flow_part, free_id
from .repository import Repository


@dataclass
class FlowEdit:
    """Flows to add to the repository, then nodes and links to take out of ``flow`` and to
    put in; ``node`` is the subflow node the edit made (grouping, local copy), if any."""

    flow: Flow
    removed_nodes: list[NodeInstance] = field(default_factory=list)
    removed_links: list[Link] = field(default_factory=list)
    added_nodes: list[NodeInstance] = field(default_factory=list)
    added_links: list[Link] = field(default_factory=list)
    added_flows: list[Flow] = field(default_factory=list)
    node: NodeInstance | None = None


def apply_edit(repo: Repository, edit: FlowEdit) -> None:
    """Carry out ``edit`` (a redo)."""
    flow = edit.flow
    for added in edit.added_flows:
        repo.add_flow(added)
    for link in edit.removed_links:
        if flow.link_into(link.target, link.target_port) == link:
            flow.remove_link(link)
    for node in edit.removed_nodes:
        flow.remove_node(node.id)
    for node in edit.added_nodes:
        flow.add_node(node)
    for link in edit.added_links:
        flow.add_link(link)


def revert_edit(repo: Repository, edit: FlowEdit) -> None:
    """Take ``edit`` back (an undo): the model is as it was before ``apply_edit``."""
    flow = edit.flow
    for link in reversed(edit.added_links):
        if flow.link_into(link.target, link.target_port) == link:
            flow.remove_link(link)
    for node in reversed(edit.added_nodes):
        flow.remove_node(node.id)
    for node in edit.removed_nodes:
        flow.add_node(node)
    for link in edit.removed_links:
        flow.add_link(link)
    for added in reversed(edit.added_flows):
        repo.remove_flow(added.id)


def group_nodes(
    repo: Repository, flow: Flow, node_ids: Iterable[str], flow_id: str, name: str = ""
) -> FlowEdit:
    """Group the nodes ``node_ids`` of ``flow`` into a new flow ``flow_id``, used in their
    place by one subflow node linked as they were.

    The links that cross the selection's border become the interface: one input per outer
    output port feeding the selection (it feeds every inner port that port fed), one output
    per inner output port feeding the rest of the flow, plus the outputs of the selection's
    end nodes (the subflow node is then an end node, and runs them). Raises ``ValueError``
    for an empty selection, an unknown node or a flow id already taken.
    """
    asked = set(node_ids)
    chosen = [node_id for node_id in flow.nodes if node_id in asked]
    unknown = sorted(asked - set(chosen))
    if not chosen or unknown:
        raise ValueError(
            f"flow {flow.id!r} has no node {unknown[0]!r}" if unknown else "no nodes to group"
        )
    if flow_id in repo.flows:
        raise ValueError(f"there is already a flow {flow_id!r}")
    inside = set(chosen)
    crossing_in = [ln for ln in flow.links if ln.target in inside and ln.source not in inside]
    crossing_out = [ln for ln in flow.links if ln.source in inside and ln.target not in inside]
    inputs: dict[PortRef, InterfaceInput] = {}  # outer output port → the input it feeds
    for link in crossing_in:
        source = PortRef(link.source, link.source_port)
        target = PortRef(link.target, link.target_port)
        port = inputs.get(source)
        if port is None:
            taken = {p.name for p in inputs.values()}
            kind = _port_type(repo, flow.nodes[link.target], link.target_port, True)
            port = InterfaceInput(free_id(link.target_port, taken), kind)
        inputs[source] = replace(port, to=(*port.to, target))
    outputs: dict[PortRef, InterfaceOutput] = {}  # inner output port → the output it gives
    wanted = [PortRef(link.source, link.source_port) for link in crossing_out]
    for node_id in chosen:
        spec = repo.node_spec(flow.nodes[node_id])
        if flow.nodes[node_id].is_end and spec is not None:
            wanted.extend(PortRef(node_id, port.name) for port in spec.outputs)
    for source in wanted:
        if source not in outputs:
            taken = {p.name for p in outputs.values()}
            kind = _port_type(repo, flow.nodes[source.node], source.port, False)
            outputs[source] = InterfaceOutput(free_id(source.port, taken), source, kind)
    interface = Interface(tuple(inputs.values()), tuple(outputs.values()))
    inner = flow_part(flow, chosen, flow_id, name, interface)
    members = [flow.nodes[node_id] for node_id in chosen]
    node = NodeInstance(
        id=free_id(flow_id.rpartition(".")[2] or "subflow", set(flow.nodes) - inside),
        spec_id="",
        name=inner.name,
        is_end=any(member.is_end for member in members),
        x=sum(member.x for member in members) / len(members),
        y=sum(member.y for member in members) / len(members),
        subflow=flow_id,
    )
    added_links = [
        Link(source.node, source.port, node.id, port.name) for source, port in inputs.items()
    ]
    added_links += [
        Link(
            node.id,
            outputs[PortRef(link.source, link.source_port)].name,
            link.target,
            link.target_port,
        )
        for link in crossing_out
    ]
    return FlowEdit(
        flow,
        removed_nodes=members,
        removed_links=[ln for ln in flow.links if ln.source in inside or ln.target in inside],
        added_nodes=[node],
        added_links=added_links,
        added_flows=[inner],
        node=node,
    )


def _port_type(repo: Repository, node: NodeInstance, port: str, is_input: bool) -> str:
    """The declared type of a port, for the interface port that takes its place (``Any``
    for an untyped one, which takes any value)."""
    spec = repo.node_spec(node)
    found = None if spec is None else (spec.input(port) if is_input else spec.output(port))
    return found.type if found is not None and found.typed else ANY_TYPE


def ungroup_node(repo: Repository, flow: Flow, node_id: str) -> FlowEdit:
    """Put copies of subflow node ``node_id``'s inner nodes in its place, wired as it was
    (``inline.inline_node``: ids ``node_id/INNER``). Raises ``ValueError`` for a node that is
    no subflow node, ``RepositoryError`` for one whose flow is missing or unsound."""
    node = flow.nodes[node_id]
    if node.subflow is None:
        raise ValueError(f"node {node_id!r} is not a subflow node")
    inner = subflow_definition(repo, flow, node)
    touching = flow.links_of(node_id)
    done = inline_node(node, inner, touching, set(flow.nodes) - {node_id})
    return FlowEdit(
        flow,
        removed_nodes=[node],
        removed_links=touching,
        added_nodes=done.nodes,
        added_links=done.links,
    )


def local_copy(repo: Repository, flow: Flow, node_id: str, flow_id: str = "") -> FlowEdit:
    """Fork the definition subflow node ``node_id`` uses into a new flow (``flow_id``, else
    ``<its flow>.copy``), used by this node alone; other uses keep the shared one."""
    node = flow.nodes[node_id]
    if node.subflow is None:
        raise ValueError(f"node {node_id!r} is not a subflow node")
    source = repo.flow(node.subflow)
    new_id = flow_id or free_id(f"{source.id}.copy", set(repo.flows))
    if new_id in repo.flows:
        raise ValueError(f"there is already a flow {new_id!r}")
    forked = copy_flow(source, new_id)
    forked.name = f"{source.name} (copy)"
    user = replace(copy.deepcopy(node), subflow=new_id)
    links = flow.links_of(node_id)
    return FlowEdit(flow, [node], links, [user], links, [forked], node=user)


def rewire_users(
    repo: Repository,
    flow_id: str,
    inputs: Mapping[str, str | None],
    outputs: Mapping[str, str | None],
) -> list[FlowEdit]:
    """The edits that keep the nodes using flow ``flow_id`` wired after ports of its
    interface were renamed or removed: ``inputs`` and ``outputs`` map an old port name to
    its new one, or to ``None`` when the port is gone (its links and value go with it)."""
    edits = []
    for user in repo.flows_using_subflow(flow_id):
        for node in [n for n in user.nodes.values() if n.subflow == flow_id]:
            values = {
                new: value
                for name, value in node.values.items()
                if (new := inputs.get(name, name)) is not None
            }
            links = user.links_of(node.id)
            moved = [_rewired(link, node.id, inputs, outputs) for link in links]
            if values == node.values and moved == links:
                continue
            renamed = replace(copy.deepcopy(node), values=values)
            kept = [link for link in moved if link is not None]
            edits.append(FlowEdit(user, [node], links, [renamed], kept))
    return edits


def _rewired(
    link: Link, node_id: str, inputs: Mapping[str, str | None], outputs: Mapping[str, str | None]
) -> Link | None:
    """``link`` with the subflow node's end on its new port (``None``: that port is gone)."""
    if link.target == node_id and link.target_port in inputs:
        port = inputs[link.target_port]
        return None if port is None else replace(link, target_port=port)
    if link.source == node_id and link.source_port in outputs:
        port = outputs[link.source_port]
        return None if port is None else replace(link, source_port=port)
    return link
