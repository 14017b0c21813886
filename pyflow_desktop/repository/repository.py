"""Repository: every nodespec and flow of one file.

Events on ``repository.events``: ``spec_added(spec)``, ``spec_changed(spec, old)``,
``spec_removed(spec)``, ``flow_added(flow)``, ``flow_removed(flow)``.
"""

from __future__ import annotations

from typing import Any

from .errors import UnknownFlowError
from .events import ModelEvent, Observable
from .flow import Flow, NodeInstance
from .nodespec import NodeSpec


class Repository:
    """Nodespecs and flows keyed by id, plus file-level keys we do not know."""

    def __init__(self) -> None:
        self.specs: dict[str, NodeSpec] = {}
        self.flows: dict[str, Flow] = {}
        self.extra: dict[str, Any] = {}
        self.events = Observable()

    def __repr__(self) -> str:
        return f"Repository(specs={len(self.specs)}, flows={len(self.flows)})"

    def flow(self, flow_id: str) -> Flow:
        """The flow ``flow_id``, or ``UnknownFlowError`` listing the ids there are."""
        try:
            return self.flows[flow_id]
        except KeyError:
            known = ", ".join(sorted(self.flows)) or "none"
            raise UnknownFlowError(f"no flow {flow_id!r} (flows: {known})", ident=flow_id) from None

    def flows_using(self, spec_id: str) -> list[Flow]:
        """Flows with at least one node built from ``spec_id``."""
        return [
            flow
            for flow in self.flows.values()
            if any(node.spec_id == spec_id for node in flow.nodes.values())
        ]

    def flows_using_subflow(self, flow_id: str) -> list[Flow]:
        """Flows with at least one node that uses flow ``flow_id`` as a subflow."""
        return [
            flow
            for flow in self.flows.values()
            if any(node.subflow == flow_id for node in flow.nodes.values())
        ]

    def node_spec(self, node: NodeInstance) -> NodeSpec | None:
        """The ports and title ``node`` has: its nodespec, or for a subflow node the face of
        its flow's interface; ``None`` when that spec or flow (or interface) is missing."""
        if node.subflow is None:
            return self.specs.get(node.spec_id)
        flow = self.flows.get(node.subflow)
        if flow is None or flow.interface is None:
            return None
        return flow.interface.node_spec(flow.id, flow.name)

    def uses_subflows(self) -> bool:
        """Whether a flow declares an interface or a node uses a flow: format version 2."""
        return any(flow.has_subflow_parts() for flow in self.flows.values())

    # -- mutators -----------------------------------------------------------------------

    def add_spec(self, spec: NodeSpec) -> None:
        if spec.id in self.specs:
            raise ValueError(f"repository already has a nodespec {spec.id!r}")
        self.specs[spec.id] = spec
        self.events.emit(ModelEvent.SPEC_ADDED, spec=spec)

    def replace_spec(self, spec: NodeSpec) -> NodeSpec:
        """Swap in a new version of an existing spec; returns the old one (for undo)."""
        old = self.specs[spec.id]
        self.specs[spec.id] = spec
        self.events.emit(ModelEvent.SPEC_CHANGED, spec=spec, old=old)
        return old

    def remove_spec(self, spec_id: str) -> NodeSpec:
        spec = self.specs.pop(spec_id)
        self.events.emit(ModelEvent.SPEC_REMOVED, spec=spec)
        return spec

    def add_flow(self, flow: Flow) -> None:
        if flow.id in self.flows:
            raise ValueError(f"repository already has a flow {flow.id!r}")
        self.flows[flow.id] = flow
        self.events.emit(ModelEvent.FLOW_ADDED, flow=flow)

    def remove_flow(self, flow_id: str) -> Flow:
        flow = self.flows.pop(flow_id)
        self.events.emit(ModelEvent.FLOW_REMOVED, flow=flow)
        return flow
