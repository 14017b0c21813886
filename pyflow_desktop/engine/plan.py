"""Planning a run: validate the flow, flatten its subflows, pick targets, keep their
ancestors, order them.

A ``Plan`` is immutable data the scheduler reads: the ordered node ids, each node's spec,
its upstream and downstream nodes, and where each input comes from.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..repository import (
    Flow,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    RepositoryError,
)
from .flatten import flatten_subflows

# None: the original's rule (end nodes and their ancestors when the flow marks any, else
# every node); "all": every node; "end": the end nodes only (an error when none is marked);
# node ids: those nodes and their ancestors ("run up to here").
Targets = Literal["all", "end"] | Iterable[str] | None


class PlanError(RepositoryError):
    """The run request itself is invalid (an unknown target node, no end node...)."""


@dataclass(frozen=True)
class PlannedNode:
    """One node as it was when the run was planned: later edits do not reach the run."""

    node: NodeInstance
    spec: NodeSpec
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]
    inputs: tuple[Port, ...]  # in call order
    output_names: tuple[str, ...]
    values: dict[str, Any]  # manual values, copied
    links: dict[str, Link]  # input port → the link feeding it


@dataclass(frozen=True)
class Plan:
    flow: Flow
    order: tuple[str, ...]
    nodes: dict[str, PlannedNode]

    def __len__(self) -> int:
        return len(self.order)


def plan_run(repo: Repository, flow: Flow | str, targets: Targets = None) -> Plan:
    """Validate ``flow`` and plan a run of ``targets`` and their ancestors.

    ``targets`` is ``None`` (the default, the original's rule: the nodes marked ``is_end``
    when the flow has any, else every node), ``"all"`` (every node), ``"end"`` (the end
    nodes, an error when none is marked) or node ids ("run up to this node").
    Subflows are flattened first (``flatten``): their inner nodes are planned as
    ``OUTER/INNER``, so targets may name them too.
    """
    if isinstance(flow, str):
        flow = repo.flow(flow)
    flat = flatten_subflows(repo, flow)  # raises the first problem of the flow or a subflow
    flow = flat.flow
    upstream: dict[str, list[str]] = {node_id: [] for node_id in flow.nodes}
    downstream: dict[str, list[str]] = {node_id: [] for node_id in flow.nodes}
    into: dict[str, dict[str, Link]] = {node_id: {} for node_id in flow.nodes}
    for link in flow.links:
        upstream[link.target].append(link.source)
        downstream[link.source].append(link.target)
        into[link.target][link.target_port] = link
    wanted = _select(flow, targets, flat.with_needs(upstream))
    position = {node_id: index for index, node_id in enumerate(flow.nodes)}
    order = _topological(wanted, upstream, downstream, position)
    nodes = {
        node_id: PlannedNode(
            node=flow.nodes[node_id],
            spec=flat.specs[node_id],
            upstream=tuple(dict.fromkeys(upstream[node_id])),
            downstream=tuple(dict.fromkeys(n for n in downstream[node_id] if n in wanted)),
            inputs=tuple(flat.specs[node_id].ordered_inputs()),
            output_names=tuple(p.name for p in flat.specs[node_id].outputs),
            values=dict(flow.nodes[node_id].values),
            links=into[node_id],
        )
        for node_id in order
    }
    return Plan(flow=flow, order=tuple(order), nodes=nodes)


def end_nodes(flow: Flow) -> list[str]:
    """The ids of the nodes ``flow`` marks as end nodes, in file order."""
    return [node_id for node_id, node in flow.nodes.items() if node.is_end]


def _select(flow: Flow, targets: Targets, upstream: dict[str, list[str]]) -> set[str]:
    if targets is None:
        targets = "end" if end_nodes(flow) else "all"
    if isinstance(targets, str) and targets not in ("all", "end"):
        raise PlanError(f"unknown targets {targets!r}: use None, 'all', 'end' or node ids")
    if targets == "all":
        return set(flow.nodes)
    if targets == "end":
        roots = end_nodes(flow)
        if not roots:
            raise PlanError(f"flow {flow.id!r} has no node marked as end node", ident=flow.id)
    else:
        roots = list(targets)
        for node_id in roots:
            if node_id not in flow.nodes:
                known = ", ".join(flow.nodes) or "none"
                raise PlanError(
                    f"flow {flow.id!r} has no node {node_id!r} (nodes: {known})", ident=node_id
                )
    wanted: set[str] = set()
    stack = list(roots)
    while stack:
        node_id = stack.pop()
        if node_id not in wanted:
            wanted.add(node_id)
            stack.extend(upstream[node_id])
    return wanted


def _topological(wanted, upstream, downstream, position) -> list[str]:
    """Kahn's algorithm; ties go to the node that comes first in the file."""
    waiting = {node_id: len(set(upstream[node_id])) for node_id in wanted}
    ready = [(position[node_id], node_id) for node_id, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node_id = heapq.heappop(ready)
        order.append(node_id)
        for child in dict.fromkeys(downstream[node_id]):
            if child in waiting:
                waiting[child] -= 1
                if waiting[child] == 0:
                    heapq.heappush(ready, (position[child], child))
    return order
