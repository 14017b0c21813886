"""Import and export of repositories: merging another file's specs and flows, or
writing chosen flows with the specs they use.

Pure functions over model objects; the window asks the user how to treat clashing ids and
turns the result into undo commands.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Literal

from .errors import RepositoryError
from .flow import Flow
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


def _free_id(wanted: str, taken) -> str:
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
            new_id = _free_id(spec_id, set(target.specs) | set(source.specs))
            spec_ids[spec_id] = new_id
            plan.add_specs.append(spec.copy(id=new_id))
    for flow_id, flow in source.flows.items():
        clash = flow_id in target.flows
        if clash and policy == "skip":
            continue
        new_id = (
            _free_id(flow_id, set(target.flows) | set(source.flows))
            if (clash and policy == "rename")
            else flow_id
        )
        copied = copy_flow(flow, new_id, spec_ids)
        (plan.replace_flows if clash and policy == "replace" else plan.add_flows).append(copied)
    return plan


def copy_flow(flow: Flow, flow_id: str, spec_ids: dict[str, str] | None = None) -> Flow:
    """A deep copy of ``flow`` under ``flow_id``, with spec ids renamed by ``spec_ids``."""
    copied = Flow(flow_id, flow.name if flow_id == flow.id else flow_id, copy.deepcopy(flow.extra))
    with copied.events.muted():
        for node in flow.nodes.values():
            node = copy.deepcopy(node)
            node.spec_id = (spec_ids or {}).get(node.spec_id, node.spec_id)
            copied.add_node(node)
        for link in flow.links:
            copied.add_link(link)
    copied.link_extra = copy.deepcopy(flow.link_extra)
    return copied


def export_repository(repo: Repository, flow_ids: list[str]) -> Repository:
    """A repository holding the chosen flows and every spec their nodes use."""
    exported = Repository()
    used: set[str] = set()
    for flow_id in flow_ids:
        flow = repo.flows[flow_id]
        exported.add_flow(copy_flow(flow, flow_id))
        used.update(node.spec_id for node in flow.nodes.values())
    for spec_id in sorted(used):
        if spec_id in repo.specs:
            exported.add_spec(repo.specs[spec_id].copy())
    return exported


def put_specs(repo: Repository, specs: list[NodeSpec]) -> None:
    """Add ``specs`` to ``repo``, replacing those of the same id (a later one wins).

    Raises ``RepositoryError``, ``repo`` unchanged, when a replacement would break a flow (a
    link or a value naming a port the new spec lacks).
    """
    new = {spec.id: spec for spec in specs}
    merged = {**repo.specs, **new}
    for flow in repo.flows.values():
        if any(node.spec_id in new for node in flow.nodes.values()):
            problems = flow_problems(flow, merged)
            if problems:
                raise RepositoryError(f"the new nodespec would break a flow: {problems[0]}")
    for spec in new.values():
        if spec.id in repo.specs:
            repo.replace_spec(spec)
        else:
            repo.add_spec(spec)
