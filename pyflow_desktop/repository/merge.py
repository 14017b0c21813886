"""Import and export of repositories: merging another file's specs and flows, or
writing chosen flows with the specs they use.

Pure functions over model objects; the window asks the user how to treat clashing ids and
turns the result into undo commands.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from .errors import RepositoryError
from .flow import Flow
from .interface import Interface
from .nodespec import NodeSpec
from .repository import Repository
from .validate import flow_problems

ClashPolicy = Literal["replace", "rename", "skip"]


@dataclass
class ImportPlan:
    """What an import adds to (or replaces in) the target repository."""

    add_specs: list[NodeSpec] = field(default_factory=list)
    replace_specs: list[NodeSpec] = field(default_factory=list)
    add_flows: list[Flow] = field(default_factory=list)
    replace_flows: list[Flow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.add_specs or self.replace_specs or self.add_flows or self.replace_flows)


def clashes(target: Repository, source: Repository) -> list[str]:
    """Ids present in both repositories (specs whose content differs, and flows)."""
    specs = [
        spec_id
        for spec_id, spec in source.specs.items()
        if spec_id in target.specs and target.specs[spec_id] != spec
    ]
    return specs + [flow_id for flow_id in source.flows if flow_id in target.flows]


def free_id(wanted: str, taken: Collection[str]) -> str:
    """``wanted``, or ``wanted_2``, ``wanted_3``... when that is taken."""
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}_{number}" in taken:
        number += 1
    return f"{wanted}_{number}"


def plan_import(target: Repository, source: Repository, policy: ClashPolicy) -> ImportPlan:
    """Decide what importing ``source`` into ``target`` does under ``policy``."""
    plan = ImportPlan()
    spec_ids: dict[str, str] = {}
    for spec_id, spec in source.specs.items():
        spec_ids[spec_id] = spec_id
        if spec_id not in target.specs:
            plan.add_specs.append(spec.copy())
        elif target.specs[spec_id] == spec or policy == "skip":
            continue
        elif policy == "replace":
            plan.replace_specs.append(spec.copy())
        else:
            new_id = free_id(spec_id, set(target.specs) | set(source.specs))
            spec_ids[spec_id] = new_id
            plan.add_specs.append(spec.copy(id=new_id))
    flow_ids = {
        flow_id: (
            free_id(flow_id, set(target.flows) | set(source.flows))
            if flow_id in target.flows and policy == "rename"
            else flow_id
        )
        for flow_id in source.flows
    }
    for flow_id, flow in source.flows.items():
        clash = flow_id in target.flows
        if clash and policy == "skip":
            continue
        copied = copy_flow(flow, flow_ids[flow_id], spec_ids, flow_ids)
        (plan.replace_flows if clash and policy == "replace" else plan.add_flows).append(copied)
    return plan


def copy_flow(
    flow: Flow,
    flow_id: str,
    spec_ids: dict[str, str] | None = None,
    flow_ids: dict[str, str] | None = None,
) -> Flow:
    """A deep copy of ``flow`` under ``flow_id``, with spec ids renamed by ``spec_ids`` and
    the flows its subflow nodes use by ``flow_ids``."""
    name = flow.name if flow_id == flow.id else flow_id
    copied = Flow(flow_id, name, copy.deepcopy(flow.extra), flow.interface)  # an immutable value
    with copied.events.muted():
        for node in flow.nodes.values():
            node = copy.deepcopy(node)
            node.spec_id = (spec_ids or {}).get(node.spec_id, node.spec_id)
            if node.subflow is not None:
                node.subflow = (flow_ids or {}).get(node.subflow, node.subflow)
            copied.add_node(node)
        for link in flow.links:
            copied.add_link(link)
    copied.link_extra = copy.deepcopy(flow.link_extra)
    return copied


def flow_part(
    flow: Flow,
    node_ids: list[str],
    flow_id: str,
    name: str = "",
    interface: Interface | None = None,
) -> Flow:
    """A new flow ``flow_id`` holding copies of the nodes ``node_ids`` of ``flow``, in that
    order, and the links among them."""
    chosen = set(node_ids)
    part = Flow(flow_id, name or flow_id, interface=interface)
    with part.events.muted():
        for node_id in node_ids:
            part.add_node(copy.deepcopy(flow.nodes[node_id]))
        for link in flow.links:
            if link.source in chosen and link.target in chosen:
                part.add_link(link)
    return part


def export_repository(repo: Repository, flow_ids: list[str]) -> Repository:
    """A repository holding the chosen flows, the flows they use as subflows (and those use)
    and every spec their nodes use."""
    exported = Repository()
    used: set[str] = set()
    for flow_id in with_subflows(repo, flow_ids):
        flow = repo.flows[flow_id]
        exported.add_flow(copy_flow(flow, flow_id))
        used.update(node.spec_id for node in flow.nodes.values() if node.subflow is None)
    for spec_id in sorted(used):
        if spec_id in repo.specs:
            exported.add_spec(repo.specs[spec_id].copy())
    return exported


def with_subflows(repo: Repository, flow_ids: list[str]) -> list[str]:
    """``flow_ids`` followed by every flow of ``repo`` they use as subflows, nested ones too."""
    found = list(dict.fromkeys(flow_ids))
    for flow_id in found:  # grows while it is walked
        for node in repo.flows[flow_id].nodes.values():
            if node.subflow in repo.flows and node.subflow not in found:
                found.append(node.subflow)
    return found


def put_specs(repo: Repository, specs: list[NodeSpec]) -> None:
    """Add ``specs`` to ``repo``, replacing those of the same id (a later one wins).

    Raises ``RepositoryError``, ``repo`` unchanged, when a replacement would break a flow (a
    link or a value naming a port the new spec lacks).
    """
    new = {spec.id: spec for spec in specs}
    merged = {**repo.specs, **new}
    for flow in repo.flows.values():
        if any(node.spec_id in new for node in flow.nodes.values()):
            problems = flow_problems(flow, merged, flows=repo.flows)
            if problems:
                raise RepositoryError(f"the new nodespec would break a flow: {problems[0]}")
    for spec in new.values():
        if spec.id in repo.specs:
            repo.replace_spec(spec)
        else:
            repo.add_spec(spec)
