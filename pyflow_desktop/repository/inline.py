"""Inlining a subflow node: copies of its flow's nodes in its place, wired as it was.

``inline_node`` is the one rule, shared by ungrouping (``subflow_edits.ungroup_node``), by
the original format (``inline_subflows``, which has no subflows) and by the engine, which
flattens subflows when it plans a run, so all three compute the same:

- each inner node is copied in as ``OUTER/INNER`` (``u1/m``; ``u1/m_2`` if that id is taken),
  its end mark cleared (inside a subflow the interface outputs are what is needed); when the
  subflow node was an end node, the inner nodes giving its outputs become end nodes;
- an interface input's feed reaches every inner port in its ``to``: the link into the
  subflow node becomes a link into each of them; else the subflow node's manual value, else
  the interface's default, becomes their manual value; else they keep their own;
- a link from an interface output comes from the inner output port it names.

Values pass the interface as they are: they are converted where they arrive, by the inner
input port's type (or, leaving the subflow, by the type of the port they go to), as a link
straight into that port would convert them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .errors import SubflowError
from .flow import Flow, Link, NodeInstance
from .interface import PortRef
from .merge import free_id
from .repository import Repository
from .validate import flow_path, flow_problems, subflow_cycles


@dataclass
class Inlined:
    """What replaces a subflow node: ``nodes`` (copies of the inner nodes), ``links`` (inner
    links, feeds from outside, links on to where the outputs went) and ``outputs`` (each
    interface output → the copied inner port giving its value)."""

    nodes: list[NodeInstance]
    links: list[Link]
    outputs: dict[str, PortRef]


def inline_node(node: NodeInstance, inner: Flow, links: Iterable[Link], taken: set[str]) -> Inlined:
    """Inline subflow ``node`` (using flow ``inner``), given the ``links`` of its flow that
    touch it; ``taken`` holds the ids in use in its flow, and gets the new ones."""
    interface = inner.interface
    assert interface is not None, "only a flow with an interface is used as a node"
    ids: dict[str, str] = {}
    for inner_id in inner.nodes:
        ids[inner_id] = free_id(f"{node.id}/{inner_id}", taken)
        taken.add(ids[inner_id])
    centre_x, centre_y = _centre(list(inner.nodes.values()))
    copies: dict[str, NodeInstance] = {}
    for inner_id, inner_node in inner.nodes.items():
        copies[inner_id] = replace(
            inner_node,
            id=ids[inner_id],
            x=inner_node.x + node.x - centre_x,
            y=inner_node.y + node.y - centre_y,
            end_mark=None,
            # each mutable part anew: deepcopy of the whole costs five times more, and a plan
            # copies every inner node of every use
            values=_anew(inner_node.values),
            extra=_anew(inner_node.extra),
            ui_extra=_anew(inner_node.ui_extra),
            value_extra=_anew(inner_node.value_extra),
        )
    new_links = [
        Link(ids[link.source], link.source_port, ids[link.target], link.target_port)
        for link in inner.links
    ]
    feeds = {link.target_port: link for link in links if link.target == node.id}
    for port in interface.inputs:
        feed = feeds.get(port.name)
        for target in port.to:
            if feed is not None:
                new_links.append(Link(feed.source, feed.source_port, ids[target.node], target.port))
            elif port.name in node.values:
                copies[target.node].values[target.port] = copy.deepcopy(node.values[port.name])
            elif port.default is not None:
                copies[target.node].values[target.port] = copy.deepcopy(port.default)
    outputs = {
        port.name: PortRef(ids[port.source.node], port.source.port) for port in interface.outputs
    }
    for inner_id, copied in copies.items():
        copied.is_end = node.is_end and any(p.source.node == inner_id for p in interface.outputs)
    for link in links:
        if link.source == node.id and link.target != node.id:
            source = outputs[link.source_port]
            new_links.append(Link(source.node, source.port, link.target, link.target_port))
    return Inlined(list(copies.values()), new_links, outputs)


def _anew(mapping: dict) -> dict:
    return copy.deepcopy(mapping) if mapping else {}


def _centre(nodes: list[NodeInstance]) -> tuple[float, float]:
    xs, ys = zip(*((node.x, node.y) for node in nodes)) if nodes else ((0.0,), (0.0,))
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def inline_subflows(repo: Repository) -> Repository:
    """A copy of ``repo`` in which every subflow node, nested ones too, is inlined and no
    flow declares an interface: what the original format can hold. Flows that were used as
    subflows stay, as flows of their own. Raises ``RepositoryError`` for a subflow node that
    names a missing flow (or one without an interface) and for flows that use themselves."""
    for problem in subflow_cycles(repo.flows):
        raise problem
    inlined = Repository()
    inlined.extra = copy.deepcopy(repo.extra)
    with inlined.events.muted():
        for spec in repo.specs.values():
            inlined.add_spec(spec.copy())
        for flow in repo.flows.values():
            inlined.add_flow(_inlined_flow(repo, flow))
    return inlined


def subflow_definition(repo: Repository, flow: Flow, node: NodeInstance) -> Flow:
    """The flow that subflow node ``node`` of ``flow`` uses, sound enough to inline; else
    raises its first ``RepositoryError`` (a missing flow, no interface, a bad interface...)."""
    used = repo.flows.get(node.subflow) if node.subflow is not None else None
    if used is None or used.interface is None:
        what = "a missing flow" if used is None else "a flow without an interface"
        raise SubflowError(
            f"node {node.id!r} uses {what}, {node.subflow!r}, as a subflow",
            path=flow_path(flow.id),
            ident=node.subflow or "",
        )
    for problem in flow_problems(used, repo.specs, flows=repo.flows):
        raise problem
    return used


def _inlined_flow(repo: Repository, flow: Flow) -> Flow:
    nodes = [copy.deepcopy(node) for node in flow.nodes.values()]
    links = list(flow.links)
    while any(node.subflow is not None for node in nodes):
        position = next(i for i, node in enumerate(nodes) if node.subflow is not None)
        node = nodes[position]
        taken = {other.id for other in nodes if other is not node}
        touching = [link for link in links if node.id in (link.source, link.target)]
        done = inline_node(node, subflow_definition(repo, flow, node), touching, taken)
        nodes[position : position + 1] = done.nodes
        gone = set(touching)
        links = [link for link in links if link not in gone] + done.links
    result = Flow(flow.id, flow.name, copy.deepcopy(flow.extra))
    with result.events.muted():
        for node in nodes:
            result.add_node(node)
        for link in links:
            result.add_link(link)
    result.link_extra = {
        key: dict(extra)
        for key, extra in flow.link_extra.items()
        if result.link_into(*key) is not None
    }
    return result
