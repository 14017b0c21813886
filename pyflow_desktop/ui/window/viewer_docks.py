"""The viewer docks of the window: one per (flow, node, output) the user opened.

A viewer belongs to its flow's tab: it is hidden while another tab is in front and comes back
with its tab; it follows its node across runs (asking the run that made a value for more
of it once that run has ended), says when its value is stale, is titled by the
node's name, and closes with its flow. Closing one (its × button) forgets it.

State: ``viewers`` ((flow id, node id, port) → its ``ViewerDock``), ``current_flow`` (the
flow of the tab in front, whose viewers are shown).
"""

from __future__ import annotations

from functools import partial

from PySide6 import QtCore

from ...engine import RunChange, RunEvent, RunStates
from ...repository import Repository
from ..results.fetching import ValueSource
from ..results.inspector import InspectorPanel
from ..results.viewers import ViewerDock
from ..value_text import node_title
from .dock_layout import dock_viewer
from .shell import Shell

ViewerKey = tuple[str, str, str]


class ViewerDocks(QtCore.QObject):
    """Opens, shows, hides and closes the viewers of one window."""

    def __init__(self, window: Shell, inspector: InspectorPanel, run_states: RunStates) -> None:
        """``inspector``: whose flow a viewer opened without one shows; ``run_states``: the
        value a new viewer starts with."""
        super().__init__(window)
        self.window, self.inspector, self.run_states = window, inspector, run_states
        self.viewers: dict[ViewerKey, ViewerDock] = {}
        self.current_flow: str | None = None
        self.repo: Repository | None = None
        run_states.events.connect(RunChange.VALUES_READY, self._values_ready)

    def open_viewer(self, node_id: str, port: str, flow_id: str | None = None) -> ViewerDock:
        """Show (creating it if needed) the viewer of ``node_id``'s output ``port``."""
        flow = self.repo.flows[flow_id] if flow_id else self.inspector.flow
        key = (flow.id, node_id, port)
        if key not in self.viewers:
            spec = self.repo.specs[flow.nodes[node_id].spec_id]
            dock = ViewerDock(
                node_id,
                port,
                self.window,
                multi_output=len(spec.outputs) > 1,
                title=node_title(self.repo, flow, node_id),
                source_for=partial(ValueSource, self.run_states, flow.id, node_id, port),
            )
            dock.setObjectName(f"viewer:{flow.id}:{node_id}:{port}")
            dock.closed.connect(lambda key=key: self.close_viewer(key))
            dock_viewer(self.window, dock, list(self.viewers.values()))
            self.viewers[key] = dock
            state = self.run_states.node(flow.id, node_id)
            if port in state.outputs:
                dock.update_value(state.outputs[port])
        dock = self.viewers[key]
        dock.show()
        dock.raise_()
        return dock

    def close_viewer(self, key: ViewerKey) -> None:
        dock = self.viewers.pop(key, None)
        if dock is not None:
            self.window.removeDockWidget(dock)
            dock.deleteLater()

    def close_flow(self, flow_id: str) -> None:
        for key in [key for key in self.viewers if key[0] == flow_id]:
            self.close_viewer(key)

    def show_flow(self, flow_id: str | None) -> None:
        """The tab of ``flow_id`` came to the front: show its viewers, hide the others'."""
        self.current_flow = flow_id
        flow = self.repo.flows.get(flow_id) if self.repo and flow_id else None
        for (owner, node_id, _port), dock in self.viewers.items():
            if owner == flow_id:
                dock.set_title(node_title(self.repo, flow, node_id))
            dock.setVisible(owner == flow_id)

    def follow_run(self, flow_id: str | None, events: list[RunEvent]) -> None:
        for (owner, _node, _port), dock in self.viewers.items():
            if owner == flow_id:
                dock.apply_events(events)

    def _values_ready(self, flow_id: str, nodes: list[str]) -> None:
        """A run of ``flow_id`` ended: its viewers can ask for more of its nodes' values."""
        ready = set(nodes)
        for (owner, node_id, _port), dock in self.viewers.items():
            if owner == flow_id and node_id in ready:
                dock.values_ready()

    def mark_stale(self, flow_id: str, stale: set[str]) -> None:
        for (owner, node_id, _port), dock in self.viewers.items():
            if owner == flow_id:
                dock.set_stale(node_id in stale)

    def watched(self, flow_id: str) -> list[str]:
        """Nodes of ``flow_id`` the user watches in a viewer."""
        return [node_id for (owner, node_id, _port) in self.viewers if owner == flow_id]

    def open_keys(self) -> list[ViewerKey]:
        """The viewers open now, of every flow (hidden with their tab or not)."""
        return list(self.viewers)
