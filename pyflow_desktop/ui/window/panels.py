"""The panels of the main window beside the canvas: the spec editor (Code), the Inspector,
and the viewer docks of output values.

``Panels`` docks them into the window and keeps them in step with it:
the selected node shows in the Inspector and its spec in the Code panel (as does the spec
selected in the Library); run events feed the Inspector and every open viewer; a viewer
follows its node across re-runs and closes with its flow.

State: ``viewers`` ((flow id, node id, port) → its ViewerDock).
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from ...engine import RunEvent
from ...repository import Flow, Repository
from ..authoring.spec_editor import SpecEditorPanel
from ..commands import SetValueCommand
from ..results.inspector import InspectorPanel
from ..results.viewers import ViewerDock
from .dock_layout import dock_viewer, show_bottom_dock
from .flow_tabs import FlowTabs
from .library_panel import LibraryPanel
from .run_actions import RunActions
from .shell import Shell


class Panels(QtCore.QObject):
    """Owns the Code and Inspector docks and the viewers of one main window."""

    def __init__(
        self, window: Shell, tabs: FlowTabs, runs: RunActions, library: LibraryPanel
    ) -> None:
        super().__init__(window)
        self.window, self.runs = window, runs
        self.repo: Repository | None = None
        self.spec_editor = SpecEditorPanel(window.undo_stack)
        self.spec_editor.message.connect(window.show_message)
        self.inspector = InspectorPanel(self._edit_value)
        self.inspector.open_viewer.connect(self.open_viewer)
        self.viewers: dict[tuple[str, str, str], ViewerDock] = {}
        area = QtCore.Qt.DockWidgetArea
        self.code_dock = window.add_dock(
            "code_dock", "Code", self.spec_editor, area.BottomDockWidgetArea
        )
        self.inspector_dock = window.add_dock(
            "inspector_dock", "Inspector", self.inspector, area.RightDockWidgetArea
        )
        window.repository_changed.connect(self._repository_changed)
        tabs.selection_changed.connect(self._selection_changed)
        tabs.flow_opened.connect(self._flow_opened)
        tabs.flow_closed.connect(self._flow_closed)
        tabs.node_activated.connect(self._node_activated)
        library.spec_selected.connect(self._spec_selected)
        runs.runner.started.connect(lambda flow_id, _count: self.inspector.begin_run(flow_id))
        runs.runner.batch_ready.connect(self._follow_run)

    def _repository_changed(self, repo: Repository) -> None:
        if self.repo is not None:
            self.repo.events.disconnect("spec_changed", self._spec_changed)
        self.repo = repo
        repo.events.connect("spec_changed", self._spec_changed)
        self.spec_editor.set_repository(repo)
        self.inspector.show_node(None, None, None)
        self.inspector.begin_run(None)  # results of the old repository's runs are gone

    def settle_spec_edits(self) -> bool:
        """Ask what to do with unsaved code edits; False when the user cancels."""
        editor = self.spec_editor
        if not editor.is_modified():
            return True
        buttons = QtWidgets.QMessageBox.StandardButton
        answer = QtWidgets.QMessageBox.question(
            self.window,
            "Unsaved code",
            f"The nodespec {editor.spec_id} has edits that are not saved. Save them?",
            buttons.Save | buttons.Discard | buttons.Cancel,
        )
        if answer == buttons.Save:
            return editor.save()
        if answer == buttons.Discard:
            editor.revert()
            return True
        return False

    def edit_spec(self, spec_id: str | None = None) -> None:
        """Show ``spec_id`` (default: the one shown) in the Code panel, brought to the front."""
        if spec_id is not None and spec_id != self.spec_editor.spec_id:
            if not self.settle_spec_edits():
                return
            self.spec_editor.show_spec(spec_id)
        show_bottom_dock(self.window, self.code_dock)
        self.spec_editor.editor.setFocus()

    def new_spec(self) -> None:
        """Write a new nodespec in the Code panel."""
        show_bottom_dock(self.window, self.code_dock)
        self.spec_editor.new_spec()

    def _node_activated(self, flow_id: str, node_id: str) -> None:
        flow = self.repo.flows.get(flow_id) if self.repo else None
        node = flow.nodes.get(node_id) if flow else None
        if node is not None and node.spec_id in self.repo.specs:
            self.edit_spec(node.spec_id)

    def _spec_selected(self, spec_id: str) -> None:
        if spec_id != self.spec_editor.spec_id and self.settle_spec_edits():
            self.spec_editor.show_spec(spec_id)

    def _spec_changed(self, **_payload: Any) -> None:
        self.inspector.refresh()

    def _edit_value(self, flow: Flow, node_id: str, port: str, value: Any) -> None:
        self.window.undo_stack.push(SetValueCommand(flow, node_id, port, value))

    def _selection_changed(self, flow_id: str, node_ids: list[str]) -> None:
        flow = self.repo.flows.get(flow_id) if self.repo else None
        node = flow.nodes.get(node_ids[0]) if flow and len(node_ids) == 1 else None
        if node is None:
            return  # keep showing the last node: clicking the canvas should not blank it
        spec = self.repo.specs.get(node.spec_id)
        self.inspector.show_node(flow, node.id, spec)
        if spec is not None and not self.spec_editor.is_modified():
            self.spec_editor.show_spec(spec.id)

    def _flow_opened(self, flow_id: str, bridge) -> None:
        bridge.preview_activated.connect(
            lambda node_id, port: self.open_viewer(node_id, port, flow_id)
        )

    def _follow_run(self, events: list[RunEvent]) -> None:
        self.inspector.apply_events(events)
        run_flow = self.runs.run_flow_id
        for (flow_id, _node, _port), dock in self.viewers.items():
            if flow_id == run_flow:
                dock.apply_events(events)

    def open_viewer(self, node_id: str, port: str, flow_id: str | None = None) -> ViewerDock:
        """Show (creating it if needed) the viewer of ``node_id``'s output ``port``."""
        flow = self.repo.flows[flow_id] if flow_id else self.inspector.flow
        key = (flow.id, node_id, port)
        if key not in self.viewers:
            spec = self.repo.specs[flow.nodes[node_id].spec_id]
            dock = ViewerDock(node_id, port, self.window, multi_output=len(spec.outputs) > 1)
            dock.setObjectName(f"viewer:{flow.id}:{node_id}:{port}")
            dock_viewer(self.window, dock, list(self.viewers.values()))
            self.viewers[key] = dock
            state = self.inspector.states.get(node_id)
            if self.inspector.run_flow_id == flow.id and state and port in state.outputs:
                dock.update_value(state.outputs[port])
        dock = self.viewers[key]
        dock.show()
        dock.raise_()
        return dock

    def watched(self, flow_id: str) -> list[str]:
        """Nodes of ``flow_id`` the user is looking at: open viewers, the inspected node."""
        nodes = [node_id for (flow, node_id, _port) in self.viewers if flow == flow_id]
        if self.inspector.flow is not None and self.inspector.flow.id == flow_id:
            nodes.append(self.inspector.node_id)
        return nodes

    def _flow_closed(self, flow_id: str) -> None:
        for key in [key for key in self.viewers if key[0] == flow_id]:
            dock = self.viewers.pop(key)
            self.window.removeDockWidget(dock)
            dock.deleteLater()
        if self.inspector.flow is not None and self.inspector.flow.id == flow_id:
            self.inspector.show_node(None, None, None)
