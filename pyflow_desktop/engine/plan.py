"""Planning a run: validate the flow, flatten its subflows, pick targets, keep their
ancestors, order them.

A ``Plan`` is immutable data the scheduler reads: the ordered node ids, each node's spec,
its upstream and downstream nodes, and where each input comes from.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
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
    upstream: Sequence[str]  # each once, in link order; the plan's own (nothing else holds it)
    downstream: Sequence[str]
    inputs: tuple[Port, ...]  # in call order
    output_names: tuple[str, ...]
    values: dict[str, Any]  # manual values, copied
    links: dict[str, Link]  # input port → the link feeding it
    passing: bool  # a subflow node: it hands on what its inside gave (``node.subflow``)


@dataclass(frozen=True)
class Plan:
    flow: Flow
    order: tuple[str, ...]
    nodes: dict[str, PlannedNode]
    # Node id → how many nodes feed it: what each run copies and counts down (a copy of a
    # dict costs a run far less than a walk over its thousands of nodes, made long before).
    in_degree: dict[str, int]
    places: dict[str, int]  # node id → its place in ``order`` (read-only: runs share it)

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
    flat = None
    if any(node.subflow is not None for node in flow.nodes.values()):
        flat = flatten_subflows(repo, flow)  # raises the first problem of a flow it uses
        flow = flat.flow
        shapes = _shapes(repo, flow, flat.specs)
    else:
        shapes = _shapes(repo, flow)
    nodes = flow.nodes
    # Node id → (upstream, downstream, links into it by input port, its place in the file):
    # one dict for the four, filled in one walk over the links.
    slots: dict[str, tuple[list[str], list[str], dict[str, Link], int]] = {
        node_id: ([], [], {}, index) for index, node_id in enumerate(nodes)
    }
    forward = True  # every link goes from a node to one later in the file
    for link in flow.links:
        source, target = link.source, link.target
        source_shape, target_shape = shapes.get(source), shapes.get(target)
        if (
            source_shape is None
            or target_shape is None
            or link.source_port not in source_shape.output_names
            or link.target_port not in target_shape.input_names
        ):
            _raise_first_problem(repo, flow)
        into, out = slots[target], slots[source]
        if source not in into[0]:  # each once, in link order
            into[0].append(source)
            out[1].append(target)
        into[2][link.target_port] = link
        if forward and out[3] > into[3]:
            forward = False
    everything = targets == "all" or (targets is None and not end_nodes(flow))
    upstream = None if forward and everything else {n: slot[0] for n, slot in slots.items()}
    # File order is the plan order when every link goes forward (ties go to the node first
    # in the file, and there can be no cycle); otherwise Kahn's algorithm decides.
    order = list(nodes) if forward else _topological(repo, flow, upstream, slots)
    wanted: set[str] = set()
    if not everything:  # needing a node that took a subflow's output needs the whole node
        assert upstream is not None  # made whenever not everything runs
        wanted = _select(flow, targets, upstream if flat is None else flat.with_needs(upstream))
        everything = len(wanted) == len(nodes)
    new = tuple.__new__  # what a NamedTuple's ``_make`` calls, without its frame and check
    planned: dict[str, PlannedNode] = {}
    in_degree: dict[str, int] = {}
    # Every dict here is in file order: walking them side by side spares a look-up in each.
    rows: Iterable[tuple[tuple[str, NodeInstance], _Shape, tuple]]
    rows = zip(nodes.items(), shapes.values(), slots.values())
    if not everything:
        order = [node_id for node_id in order if node_id in wanted]
        for node_id in wanted:  # a wanted node's unwanted children are no business of the run
            after = slots[node_id][1]
            after[:] = [child for child in after if child in wanted]
        rows = (row for row in rows if row[0][0] in wanted)
    for (node_id, node), shape, (before, after, links, _) in rows:
        planned[node_id] = new(
            PlannedNode,
            (
                node,
                shape.spec,
                before,
                after,
                shape.inputs,
                shape.output_names,
                dict(node.values) if node.values else {},
                links,
                node.subflow is not None,
            ),
        )
        in_degree[node_id] = len(before)
    if not forward:  # in plan order, as callers list them
        planned = {node_id: planned[node_id] for node_id in order}
    places = dict(zip(order, range(len(order))))
    return Plan(flow=flow, order=tuple(order), nodes=planned, in_degree=in_degree, places=places)


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
    nodes = flow.nodes
    if specs is not None:
        by_object = {id(spec): spec for spec in specs.values()}
        shape_of = {key: _shape(spec) for key, spec in by_object.items()}
        return {node_id: shape_of[id(specs[node_id])] for node_id in nodes}
    by_id: dict[str, _Shape] = {}
    for spec_id in {node.spec_id for node in nodes.values()}:
        spec = repo.specs.get(spec_id)
        if spec is None:
            _raise_first_problem(repo, flow)
        by_id[spec_id] = _shape(spec)
    shapes = {node_id: by_id[node.spec_id] for node_id, node in nodes.items()}
    for node_id, node in nodes.items():
        if node.values and not shapes[node_id].input_names.issuperset(node.values):
            _raise_first_problem(repo, flow)
    return shapes


def _shape(spec: NodeSpec) -> _Shape:
    inputs = tuple(spec.ordered_inputs())
    names = tuple(port.name for port in spec.outputs)
    return _Shape(spec, inputs, frozenset(port.name for port in inputs), names)


def _raise_first_problem(repo: Repository, flow: Flow) -> NoReturn:
    """Raise what ``flow_problems`` says first (planning found that something is wrong)."""
    raise flow_problems(flow, repo.specs, flows=repo.flows)[0]


def end_nodes(flow: Flow) -> list[str]:
    """The ids of the nodes ``flow`` marks as end nodes, in file order."""
    return [node_id for node_id, node in flow.nodes.items() if node.is_end]


def _select(flow: Flow, targets: Targets, upstream: dict[str, list[str]]) -> set[str]:
    """The nodes a run of ``targets`` (not every node) needs: they and their ancestors."""
    if targets is None:
        targets = "end"
    if isinstance(targets, str) and targets not in ("all", "end"):
        raise PlanError(f"unknown targets {targets!r}: use None, 'all', 'end' or node ids")
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


def _topological(repo, flow, upstream, slots) -> list[str]:
    """Kahn's algorithm over the whole flow; ties go to the node that comes first in the file
    (``slots``: node id → (upstream, downstream, links, place in the file)).

    Kahn's order of the whole flow, kept to the wanted nodes (a node and its ancestors), is
    that of the wanted nodes alone: only a wanted node can make another one ready."""
    waiting = {node_id: len(sources) for node_id, sources in upstream.items()}
    ready = [(slots[node_id][3], node_id) for node_id, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node_id = heapq.heappop(ready)
        order.append(node_id)
        for child in slots[node_id][1]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (slots[child][3], child))
    if len(order) < len(upstream):  # what is left waits on a cycle
        _raise_first_problem(repo, flow)
    return order
