"""Planning a run: validate the flow, flatten its subflows, pick targets, keep their
ancestors, order them.

A ``Plan`` is immutable data the scheduler reads: the ordered node ids, each node's spec,
its upstream and downstream nodes, and where each input comes from.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, NoReturn

from ..repository import (
    Flow,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    RepositoryError,
    flow_problems,
)
from .flatten import flatten_subflows

# None: the original's rule (end nodes and their ancestors when the flow marks any, else
# every node); "all": every node; "end": the end nodes only (an error when none is marked);
# node ids: those nodes and their ancestors ("run up to here").
Targets = Literal["all", "end"] | Iterable[str] | None


class PlanError(RepositoryError):
    """The run request itself is invalid (an unknown target node, no end node...)."""


class PlannedNode(NamedTuple):
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
    needs: dict[str, list[str]] = {}
    if any(node.subflow is not None for node in flow.nodes.values()):
        flat = flatten_subflows(repo, flow)  # raises the first problem of a flow it uses
        flow, needs = flat.flow, flat.needs
        shapes = _shapes(repo, flow, flat.specs)
    else:
        shapes = _shapes(repo, flow)
    nodes = flow.nodes
    upstream: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    downstream: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    into: dict[str, dict[str, Link]] = {node_id: {} for node_id in nodes}
    position = {node_id: index for index, node_id in enumerate(nodes)}
    forward = True  # every link goes from a node to one later in the file
    for link in flow.links:
        source, target = nodes.get(link.source), nodes.get(link.target)
        if (
            source is None
            or target is None
            or link.source_port not in shapes[link.source].output_names
            or link.target_port not in shapes[link.target].input_names
        ):
            _raise_first_problem(repo, flow)
        upstream[link.target].append(link.source)
        downstream[link.source].append(link.target)
        into[link.target][link.target_port] = link
        forward = forward and position[link.source] < position[link.target]
    # File order is the plan order when every link goes forward (ties go to the node first
    # in the file, and there can be no cycle); otherwise Kahn's algorithm decides.
    order = list(nodes) if forward else _topological(repo, flow, upstream, downstream, position)
    if needs:  # needing a node that took a subflow's output needs the whole subflow node
        wanted = _select(flow, targets, {n: ids + needs.get(n, []) for n, ids in upstream.items()})
    else:
        wanted = _select(flow, targets, upstream)
    everything = len(wanted) == len(nodes)
    if not everything:
        order = [node_id for node_id in order if node_id in wanted]
    planned: dict[str, PlannedNode] = {}
    for node_id in order:
        node = nodes[node_id]
        shape = shapes[node_id]
        after = downstream[node_id]
        planned[node_id] = PlannedNode(
            node,
            shape.spec,
            tuple(upstream[node_id]) if len(upstream[node_id]) < 2 else _unique(upstream[node_id]),
            tuple(after) if everything and len(after) < 2 else _unique(after, wanted),
            shape.inputs,
            shape.output_names,
            dict(node.values) if node.values else {},
            into[node_id],
        )
    return Plan(flow=flow, order=tuple(order), nodes=planned)


class _Shape(NamedTuple):
    """What planning reads of a spec, worked out once per spec rather than once per node."""

    spec: NodeSpec
    inputs: tuple[Port, ...]  # in call order
    input_names: frozenset[str]
    output_names: tuple[str, ...]


def _shapes(
    repo: Repository, flow: Flow, specs: dict[str, NodeSpec] | None = None
) -> dict[str, _Shape]:
    """Node id → the ``_Shape`` of its spec, worked out once per spec; ``specs`` (node id →
    spec) is a flattened flow's, checked already; else each node's spec is the repository's,
    and the flow's first problem is raised when a spec is missing or a node sets a value for
    an input its spec lacks."""
    by_spec: dict[int, _Shape] = {}
    shapes: dict[str, _Shape] = {}
    for node_id, node in flow.nodes.items():
        spec = repo.specs.get(node.spec_id) if specs is None else specs[node_id]
        if spec is None:
            _raise_first_problem(repo, flow)
        shape = by_spec.get(id(spec))
        if shape is None:
            inputs = tuple(spec.ordered_inputs())
            names = tuple(port.name for port in spec.outputs)
            shape = _Shape(spec, inputs, frozenset(p.name for p in inputs), names)
            by_spec[id(spec)] = shape
        if specs is None and node.values and not shape.input_names.issuperset(node.values):
            _raise_first_problem(repo, flow)
        shapes[node_id] = shape
    return shapes


def _raise_first_problem(repo: Repository, flow: Flow) -> NoReturn:
    """Raise what ``flow_problems`` says first (planning found that something is wrong)."""
    raise flow_problems(flow, repo.specs, flows=repo.flows)[0]


def _unique(node_ids: list[str], among: set[str] | None = None) -> tuple[str, ...]:
    return tuple(n for n in dict.fromkeys(node_ids) if among is None or n in among)


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


def _topological(repo, flow, upstream, downstream, position) -> list[str]:
    """Kahn's algorithm over the whole flow; ties go to the node that comes first in the file.

    Kahn's order of the whole flow, kept to the wanted nodes (a node and its ancestors), is
    that of the wanted nodes alone: only a wanted node can make another one ready."""
    waiting = {node_id: len(set(sources)) for node_id, sources in upstream.items()}
    ready = [(position[node_id], node_id) for node_id, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node_id = heapq.heappop(ready)
        order.append(node_id)
        for child in dict.fromkeys(downstream[node_id]):
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (position[child], child))
    if len(order) < len(upstream):  # what is left waits on a cycle
        _raise_first_problem(repo, flow)
    return order
