"""Checks that a flow can be run: known specs and subflows, links between existing ports,
a sound interface, no cycles (of links, or of flows using themselves as subflows).

``flow_problems`` returns every problem, not only the first, so ``pyflow-desktop check`` can
list them all; the loader and the planner raise the first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from .errors import (
    CycleError,
    LinkError,
    RepositoryError,
    SubflowError,
    UnknownFlowError,
    UnknownPortError,
    UnknownSpecError,
)
from .flow import Flow, NodeInstance
from .interface_check import interface_problems
from .nodespec import NodeSpec


def flow_path(flow_id: str) -> str:
    return f"flow[{_quote(flow_id)}]"


def spec_path(spec_id: str) -> str:
    return f"nodespec[{_quote(spec_id)}]"


def json_path(parts: Iterable[str | int], base: str = "") -> str:
    """The path of ``parts`` below ``base`` in the style of our messages, e.g.
    ``flow["examples.math"].nodes[2].spec_id``: ids below ``flow`` and ``nodespec`` and keys
    that are not identifiers are quoted; ``$`` is the whole document."""
    text = base
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text not in ("flow", "nodespec") and _IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{_quote(part)}]"
    return text or "$"


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _quote(key: str) -> str:
    """A key in double quotes on one line: quotes, backslashes, control characters and lone
    surrogates escaped, other characters as they are."""
    quoted = json.dumps(key, ensure_ascii=False)
    return quoted.encode("utf-8", "backslashreplace").decode("utf-8")


def flow_problems(
    flow: Flow,
    specs: Mapping[str, NodeSpec],
    node_index: Mapping[str, int] | None = None,
    link_index: Mapping[tuple[str, str], int] | None = None,
    flows: Mapping[str, Flow] | None = None,
) -> list[RepositoryError]:
    """Every problem of ``flow`` against ``specs`` and, for subflow nodes and the flow's own
    interface, ``flows``; indexes map ids to positions in the file."""
    base = flow_path(flow.id)
    node_pos = node_index or {node_id: i for i, node_id in enumerate(flow.nodes)}
    problems: list[RepositoryError] = []
    faces: dict[str, NodeSpec | None] = {}
    for node in flow.nodes.values():
        where = f"{base}.nodes[{node_pos.get(node.id, '?')}]"
        spec = faces[node.id] = _node_face(node, specs, flows or {}, where, problems)
        if spec is None:
            continue
        for port in node.values:
            if spec.input(port) is None:
                problems.append(
                    UnknownPortError(
                        f"node {node.id!r} sets a value for {port!r}, which "
                        f"{_what(node)} has no input named",
                        path=f"{where}.ports",
                        ident=port,
                    )
                )
    for position, link in enumerate(flow.links):
        if link_index is not None:
            position = link_index.get((link.target, link.target_port), position)
        problems.extend(_link_problems(flow, faces, link, f"{base}.links[{position}]"))
    if flow.interface is not None:
        problems.extend(interface_problems(flow, faces, f"{base}.interface"))
    cycle = find_cycle(flow)  # links to missing nodes are skipped, so this is always safe
    if cycle:
        problems.append(
            CycleError(
                "the links form a cycle: " + " -> ".join(cycle + cycle[:1]),
                nodes=cycle,
                path=f"{base}.links",
                ident=cycle[0],
            )
        )
    return problems


def _what(node: NodeInstance) -> str:
    return f"nodespec {node.spec_id!r}" if node.subflow is None else f"subflow {node.subflow!r}"


def _node_face(node, specs, flows, where, problems) -> NodeSpec | None:
    """The spec ``node`` is built from, or its subflow's face; ``None`` (with the problem
    recorded) when it names a missing spec, or a flow that is missing or has no interface."""
    if node.subflow is None:
        spec = specs.get(node.spec_id)
        if spec is None:
            problems.append(
                UnknownSpecError(
                    f"node {node.id!r} uses unknown nodespec {node.spec_id!r}",
                    path=f"{where}.spec_id",
                    ident=node.spec_id,
                )
            )
        return spec
    used = flows.get(node.subflow)
    if used is None:
        known = ", ".join(sorted(flows)) or "none"
        problems.append(
            UnknownFlowError(
                f"node {node.id!r} uses unknown flow {node.subflow!r} as a subflow "
                f"(flows: {known})",
                path=f"{where}.subflow",
                ident=node.subflow,
            )
        )
        return None
    if used.interface is None:
        problems.append(
            SubflowError(
                f"node {node.id!r} uses flow {used.id!r} as a subflow, but that flow declares "
                "no interface",
                path=f"{where}.subflow",
                ident=used.id,
            )
        )
        return None
    return used.interface.node_spec(used.id, used.name)


def _link_problems(flow, faces, link, where) -> list[RepositoryError]:
    problems: list[RepositoryError] = []
    for end, node_id, port, ref in (
        ("source", link.source, link.source_port, link.source_ref),
        ("target", link.target, link.target_port, link.target_ref),
    ):
        node = flow.nodes.get(node_id)
        if node is None:
            problems.append(
                LinkError(
                    f"link {end} {ref!r} names a missing node {node_id!r}",
                    path=f"{where}.{end}",
                    ident=node_id,
                )
            )
            continue
        spec = faces.get(node_id)
        if spec is None:
            continue  # already reported on the node
        found = spec.output(port) if end == "source" else spec.input(port)
        if found is None:
            kind = "output" if end == "source" else "input"
            problems.append(
                LinkError(
                    f"link {end} {ref!r}: {_what(node)} has no {kind} port {port!r}",
                    path=f"{where}.{end}",
                    ident=port,
                )
            )
    return problems


def subflow_cycles(
    flows: Mapping[str, Flow], node_index: Mapping[str, Mapping[str, int]] | None = None
) -> list[SubflowError]:
    """One problem per way flows use themselves as subflows, directly or through others,
    naming the chain (``sub.ping → sub.pong → sub.ping``) at the node that starts it."""
    uses: dict[str, dict[str, str]] = {}  # flow id → used flow id → the first node using it
    for flow in flows.values():
        uses[flow.id] = {}
        for node in flow.nodes.values():
            if node.subflow is not None and node.subflow in flows:
                uses[flow.id].setdefault(node.subflow, node.id)
    successors = {flow_id: list(used) for flow_id, used in uses.items()}
    problems = []
    while cycle := _cycle_in(successors):
        flow_id, next_id = cycle[0], (cycle + cycle[:1])[1]
        node_id = uses[flow_id][next_id]
        positions = (node_index or {}).get(flow_id) or {
            n: i for i, n in enumerate(flows[flow_id].nodes)
        }
        problems.append(
            SubflowError(
                f"flow {flow_id!r} uses itself as a subflow: " + " → ".join(cycle + cycle[:1]),
                path=f"{flow_path(flow_id)}.nodes[{positions.get(node_id, '?')}].subflow",
                ident=flow_id,
            )
        )
        successors[flow_id].remove(next_id)  # so the next round finds another cycle, if any
    return problems


def find_cycle(flow: Flow) -> list[str]:
    """The node ids of one cycle in link order, or ``[]`` when the flow is a DAG."""
    successors: dict[str, list[str]] = {node_id: [] for node_id in flow.nodes}
    for link in flow.links:
        if link.source in successors and link.target in successors:
            successors[link.source].append(link.target)
    return _cycle_in(successors)


def _cycle_in(successors: Mapping[str, list[str]]) -> list[str]:
    """The keys on one cycle of the graph ``successors``, in order, or ``[]``."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in successors:
        if root in state:
            continue
        path: list[str] = [root]
        state[root] = 1
        stack = [iter(successors[root])]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(child) == 1:
                return path[path.index(child) :]
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(successors[child]))
    return []
