"""Flattening subflows when a run is planned, so the scheduler only ever sees plain nodes.

Each subflow node is inlined by the model's own rule (``repository.inline.inline_node``:
inner nodes become ``OUTER/INNER``, nested as deep as the flows go, ``u1/inner2/m``) and
stays in the flow as a pass-through node of the same id, linked from the inner ports that
give its interface outputs. It runs no code; its outputs are those values, so the result
lists it with them and ``run --node u1`` can aim at it. The nodes that took its outputs are
linked to those inner ports themselves, so each starts as soon as its own value is there;
yet needing one of them needs the whole subflow node (``Flattened.needs``), as for any node.

Each call builds a new ``Flattened``; nothing is kept between plans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..repository import (
    Flow,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    flow_problems,
    subflow_cycles,
)
from ..repository.inline import inline_node


@dataclass(frozen=True)
class Flattened:
    """``flow`` without subflows (same id and name), ``specs`` (node id → what that node
    runs; a pass-through node's spec has no code) and ``needs`` (node id → subflow nodes it
    needs besides the nodes its links come from)."""

    flow: Flow
    specs: dict[str, NodeSpec]
    needs: dict[str, list[str]]

    def with_needs(self, upstream: dict[str, list[str]]) -> dict[str, list[str]]:
        """``upstream`` (node id → nodes its links come from) plus ``needs``."""
        if not self.needs:
            return upstream
        return {node_id: upstream[node_id] + self.needs.get(node_id, []) for node_id in upstream}


def flatten_subflows(repo: Repository, flow: Flow) -> Flattened:
    """Check ``flow`` and every flow it uses, then flatten it; raises the first
    ``RepositoryError`` found (an unknown spec or flow, a bad interface, a cycle...)."""
    flows = _check(repo, flow)
    if not any(node.subflow is not None for node in flow.nodes.values()):
        return Flattened(flow, {n.id: repo.specs[n.spec_id] for n in flow.nodes.values()}, {})
    links: dict[Link, None] = dict.fromkeys(flow.links)  # in order, as a set
    touching: dict[str, dict[Link, None]] = defaultdict(dict)  # node id → its links
    for link in links:
        touching[link.source][link] = touching[link.target][link] = None
    order: list[NodeInstance] = []
    specs: dict[str, NodeSpec] = {}
    needs: dict[str, list[str]] = {}
    taken = set(flow.nodes)

    def place(node: NodeInstance) -> None:
        """Put ``node`` in ``order``; a subflow node after its inner nodes, placed first."""
        if node.subflow is None:
            specs[node.id] = repo.specs[node.spec_id]
            order.append(node)
            return
        inner = flows[node.subflow]
        old = list(touching.pop(node.id, ()))
        done = inline_node(node, inner, old, taken)
        new = done.links + [Link(r.node, r.port, node.id, name) for name, r in done.outputs.items()]
        for link in old:
            del links[link]
            touching[link.target if link.source == node.id else link.source].pop(link)
            if link.source == node.id:
                needs.setdefault(link.target, []).append(node.id)
        for link in new:
            links[link] = touching[link.source][link] = touching[link.target][link] = None
        for copied in done.nodes:
            needs[copied.id] = list(needs.get(node.id, ()))
            place(copied)
        specs[node.id] = _pass_through_spec(inner)
        order.append(node)

    for node in flow.nodes.values():
        place(node)
    flat = Flow(flow.id, flow.name, flow.extra, flow.interface)
    with flat.events.muted():
        for node in order:
            flat.add_node(node)
        for link in links:
            flat.add_link(link)
    return Flattened(flat, specs, {node_id: ids for node_id, ids in needs.items() if ids})


def _check(repo: Repository, flow: Flow) -> dict[str, Flow]:
    """Raise the first problem of ``flow`` and of the flows it uses; returns the flows by id
    (``flow`` among them, whether or not ``repo`` holds it)."""
    flows = {**repo.flows, flow.id: flow}
    used = {flow.id: flow}
    stack = [flow]
    while stack:
        for node in stack.pop().nodes.values():
            if node.subflow in flows and node.subflow not in used:
                used[node.subflow] = flows[node.subflow]
                stack.append(flows[node.subflow])
    for each in used.values():
        problems = flow_problems(each, repo.specs, flows=flows)
        if problems:
            raise problems[0]
    for problem in subflow_cycles(used):
        raise problem
    return flows


def _pass_through_spec(inner: Flow) -> NodeSpec:
    """What a subflow node runs once flattened: no code, each interface output in and out,
    its inputs of type ``Any`` (values pass as they are: they were converted where they
    arrived, inside)."""
    assert inner.interface is not None  # only a flow with an interface is a subflow
    ports = [(port.name, port.type) for port in inner.interface.outputs]
    return NodeSpec(
        id=inner.id,
        title=inner.name,
        inputs=[Port(name, "Any", order) for order, (name, _) in enumerate(ports)],
        outputs=[Port(name, kind, order) for order, (name, kind) in enumerate(ports)],
        func="",
    )


def is_pass_through(node: NodeInstance) -> bool:
    """Whether a planned node is a flattened subflow node, which runs no code."""
    return node.subflow is not None
