"""Checks that a flow can be run: known specs, links between existing ports, no cycles.

``flow_problems`` returns every problem, not only the first, so ``pyflow-desktop check`` can
list them all; the loader and the planner raise the first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from .errors import CycleError, LinkError, RepositoryError, UnknownPortError, UnknownSpecError
from .flow import Flow
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
) -> list[RepositoryError]:
    """Every problem of ``flow`` against ``specs``; indexes map ids to positions in the file."""
    base = flow_path(flow.id)
    node_pos = node_index or {node_id: i for i, node_id in enumerate(flow.nodes)}
    problems: list[RepositoryError] = []
    for node in flow.nodes.values():
        where = f"{base}.nodes[{node_pos.get(node.id, '?')}]"
        spec = specs.get(node.spec_id)
        if spec is None:
            problems.append(
                UnknownSpecError(
                    f"node {node.id!r} uses unknown nodespec {node.spec_id!r}",
                    path=f"{where}.spec_id",
                    ident=node.spec_id,
                )
            )
            continue
        for port in node.values:
            if spec.input(port) is None:
                problems.append(
                    UnknownPortError(
                        f"node {node.id!r} sets a value for {port!r}, which nodespec "
                        f"{spec.id!r} has no input named",
                        path=f"{where}.ports",
                        ident=port,
                    )
                )
    for position, link in enumerate(flow.links):
        if link_index is not None:
            position = link_index.get((link.target, link.target_port), position)
        problems.extend(_link_problems(flow, specs, link, f"{base}.links[{position}]"))
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


def _link_problems(flow, specs, link, where) -> list[RepositoryError]:
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
        spec = specs.get(node.spec_id)
        if spec is None:
            continue  # already reported on the node
        found = spec.output(port) if end == "source" else spec.input(port)
        if found is None:
            kind = "output" if end == "source" else "input"
            problems.append(
                LinkError(
                    f"link {end} {ref!r}: nodespec {spec.id!r} has no {kind} port {port!r}",
                    path=f"{where}.{end}",
                    ident=port,
                )
            )
    return problems


def find_cycle(flow: Flow) -> list[str]:
    """The node ids of one cycle in link order, or ``[]`` when the flow is a DAG."""
    successors: dict[str, list[str]] = {node_id: [] for node_id in flow.nodes}
    for link in flow.links:
        if link.source in successors and link.target in successors:
            successors[link.source].append(link.target)
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
