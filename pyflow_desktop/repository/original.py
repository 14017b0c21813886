"""What the original PyFlow can hold and use: no subflows, and node ids its web UI can select.

The original's web UI finds a node's element with a jQuery ``#id`` selector, which only
letters, digits, ``_`` and ``-`` pass unharmed: an inlined subflow's ``u1/m``, or a dotted id,
breaks its lookups. ``original_repository`` gives each such node an id made of those
characters (``u1/m`` → ``u1-m``, numbered when taken), with its links, values and end mark
kept, so the original's ``/runflow`` runs the flow as we do.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .flow import Flow, Link
from .inline import inline_subflows
from .merge import free_id
from .repository import Repository

_UNSELECTABLE = re.compile(r"[^A-Za-z0-9_-]+")


def selectable(node_id: str) -> bool:
    """Whether the original's web UI can select a node by ``node_id``."""
    return bool(node_id) and _UNSELECTABLE.search(node_id) is None


def original_repository(repo: Repository) -> Repository:
    """``repo`` as the original format holds it: subflows inlined, node ids selectable.
    ``repo`` itself is returned when it needs neither."""
    if repo.uses_subflows():
        repo = inline_subflows(repo)
    if all(selectable(node_id) for flow in repo.flows.values() for node_id in flow.nodes):
        return repo
    renamed = Repository()
    renamed.extra = repo.extra
    with renamed.events.muted():
        for spec in repo.specs.values():
            renamed.add_spec(spec)
        for flow in repo.flows.values():
            renamed.add_flow(_selectable_flow(flow))
    return renamed


def _selectable_flow(flow: Flow) -> Flow:
    taken = {node_id for node_id in flow.nodes if selectable(node_id)}
    ids = {}
    for node_id in flow.nodes:
        if selectable(node_id):
            ids[node_id] = node_id
        else:
            ids[node_id] = free_id(_UNSELECTABLE.sub("-", node_id).strip("-") or "node", taken)
            taken.add(ids[node_id])
    result = Flow(flow.id, flow.name, flow.extra, flow.interface)
    with result.events.muted():
        for node in flow.nodes.values():
            result.add_node(replace(node, id=ids[node.id]))
        for link in flow.links:
            result.add_link(
                Link(ids[link.source], link.source_port, ids[link.target], link.target_port)
            )
    result.link_extra = {
        (ids[target], port): extra for (target, port), extra in flow.link_extra.items()
    }
    return result
