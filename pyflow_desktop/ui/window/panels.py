"""The panels of the main window beside the canvas: the spec editor (Code) and the
Inspector, with the viewers (``ViewerDocks``) in step with them.

``Panels`` docks them into the window and keeps them on the flow tab in front: its selected
node shows in the Inspector and its spec in the Code panel (as does the spec selected in the
Library); switching tabs shows that tab's selection, or nothing, and only its viewers. The
runs' states (``run_states``) feed the viewers, which say when their value is stale, and
mark the line of the spec shown where a node of it failed; the Inspector reads them itself.

State: ``current_flow`` (the flow of the tab in front).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from PySide6 import QtCore, QtWidgets

from ...engine import NodeFailed, RunChange, RunEvent, RunStates, plan_run
from ...repository import Flow, ModelEvent, NodeInstance, NodeSpec, Repository, RepositoryError
from ..authoring.spec_editor import SpecEditorPanel
from ..commands import SetValueCommand
from ..results.inspector import InspectorPanel
from ..run.spec_tester import SpecTester
from .dock_layout import show_bottom_dock
from .flow_tabs import FlowTabs
from .library_panel import LibraryPanel
from .shell import Shell
from .viewer_docks import ViewerDocks


class Panels(QtCore.QObject):
    """Owns the Code and Inspector docks and the viewers of one main window."""

    def __init__(
        self,
        window: Shell,
        tabs: FlowTabs,
        run_states: RunStates,
        tester: SpecTester,
        library: LibraryPanel,
        allow_test: Callable[[Iterable[NodeSpec]], bool],
    ) -> None:
        """``run_states``: what the runs of each flow said; ``tester`` runs the Code panel's
        Tests; ``allow_test(specs)``: whether a Test may run these specs' code."""
        super().__init__(window)
        self.window, self.tabs, self.run_states = window, tabs, run_states
        self.repo: Repository | None = None
        self.current_flow: str | None = None
        self.spec_editor = SpecEditorPanel(window.undo_stack, tester, allow_test)
        self.spec_editor.message.connect(window.show_message)
        self.inspector = InspectorPanel(run_states, self._edit_value)
        self.viewers = ViewerDocks(window, self.inspector, run_states)
        self.inspector.open_viewer.connect(self.viewers.open_viewer)
        self.inspector.load_full.connect(
            lambda node_id, port: self.viewers.open_viewer(node_id, port).load_full()
        )
        area = QtCore.Qt.DockWidgetArea
        self.code_dock = window.add_dock(
            "code_dock", "Code", self.spec_editor, area.BottomDockWidgetArea
        )
        self.inspector_dock = window.add_dock(
            "inspector_dock", "Inspector", self.inspector, area.RightDockWidgetArea
        )
        window.repository_changed.connect(self._repository_changed)
        tabs.selection_changed.connect(self._selection_changed)
        tabs.current_changed.connect(self._tab_changed)
        tabs.flow_opened.connect(self._flow_opened)
        tabs.flow_closed.connect(self._flow_closed)
        tabs.node_activated.connect(self._node_activated)
        library.spec_selected.connect(self._spec_selected)
        run_states.events.connect(RunChange.RUN_BEGUN, self._run_begun)
        run_states.events.connect(RunChange.EVENTS_APPLIED, self._follow_run)
        run_states.events.connect(RunChange.STALE_CHANGED, self._stale_changed)

    def _repository_changed(self, repo: Repository) -> None:
        if self.repo is not None:
            self.repo.events.disconnect(ModelEvent.SPEC_CHANGED, self._spec_changed)
        self.repo = self.viewers.repo = repo
        repo.events.connect(ModelEvent.SPEC_CHANGED, self._spec_changed)
        self.spec_editor.set_repository(repo)
        self.inspector.show_node(None, None, None)

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

    # -- following the tab in front ---------------------------------------------------------

    def _selection_changed(self, flow_id: str, node_ids: list[str]) -> None:
        flow = self.repo.flows.get(flow_id) if self.repo else None
        if flow_id != self.current_flow or flow is None or len(node_ids) > 1:
            return  # several nodes: the Inspector keeps the one it shows
        self._show_node(flow, node_ids[0] if node_ids else None)

    def _show_node(self, flow: Flow, node_id: str | None) -> None:
        """Inspect ``node_id`` of ``flow`` (``None``, or a subflow's Inputs or Outputs:
        nothing) and show its spec in the Code panel, with the line where it failed."""
        node = flow.nodes.get(node_id) if node_id else None
        spec = self.repo.node_spec(node) if node is not None else None
        inner = inner_ids(self.repo, flow, node) if node is not None else []
        self.inspector.show_node(flow if node else None, node_id, spec, inner)
        if node is not None and node.subflow is not None:
            spec = None  # the face of a subflow node has no code to show
        if spec is not None and not self.spec_editor.is_modified():
            self.spec_editor.show_spec(spec.id)
            self._mark_failure(flow.id, node.id, spec.id)

    def _mark_failure(self, flow_id: str, node_id: str, spec_id: str) -> None:
        """Mark the line of ``spec_id``'s code where ``node_id`` failed in its last run, if
        it did, and with this code and these inputs (its result is not stale)."""
        state = self.run_states.node(flow_id, node_id)
        if state.status != "fail" or node_id in self.run_states.stale(flow_id):
            return
        if state.error_line is not None:
            self.spec_editor.editor.mark_error_line(state.error_line)

    def _tab_changed(self, flow_id: str) -> None:
        """Another tab came to the front: show its selection (or nothing) and its viewers;
        the Code panel shows the selected node's spec, or nothing (unless it holds edits)."""
        self.current_flow = flow_id or None
        self.viewers.show_flow(self.current_flow)
        canvas, bridge = self.tabs.current()
        selected = canvas.selected_ids() if canvas is not None else []
        if bridge is not None and len(selected) == 1:
            self._show_node(bridge.flow, selected[0])
        else:
            self.inspector.show_node(None, None, None)
            if not self.spec_editor.is_modified():
                self.spec_editor.show_spec(None)

    def _flow_opened(self, flow_id: str, bridge) -> None:
        bridge.preview_activated.connect(
            lambda node_id, port: self.viewers.open_viewer(node_id, port, flow_id)
        )

    def _stale_changed(self, flow_id: str, stale: set[str]) -> None:
        self.viewers.mark_stale(flow_id, stale)

    def _run_begun(self, flow_id: str, nodes: Collection[str]) -> None:
        """A run starts: the line marked where a node of the spec shown failed goes."""
        flow = self.repo.flows.get(flow_id) if self.repo else None
        shown = self.spec_editor.spec_id
        if flow is None or shown is None:
            return
        if any(node_id in flow.nodes and flow.nodes[node_id].spec_id == shown for node_id in nodes):
            self.spec_editor.editor.mark_error_line(None)

    def _follow_run(self, flow_id: str, events: list[RunEvent], **_payload: Any) -> None:
        """A batch of a run: the viewers follow it, and a node of the spec shown that failed
        marks its line."""
        self.viewers.follow_run(flow_id, events)
        shown = self.spec_editor.spec_id
        flow = self.repo.flows.get(flow_id) if self.repo else None
        if shown is None or flow is None or self.spec_editor.is_modified():
            return
        for event in events:
            node = flow.nodes.get(event.node) if isinstance(event, NodeFailed) else None
            if node is not None and node.spec_id == shown:
                line = self.run_states.node(flow_id, node.id).error_line
                if line is not None:
                    self.spec_editor.editor.mark_error_line(line)

    def watched(self, flow_id: str) -> list[str]:
        """Nodes of ``flow_id`` the user is looking at: open viewers, the inspected node."""
        nodes = self.viewers.watched(flow_id)
        if self.inspector.flow is not None and self.inspector.flow.id == flow_id:
            nodes.append(self.inspector.node_id)
        return nodes

    def _flow_closed(self, flow_id: str) -> None:
        self.viewers.close_flow(flow_id)
        if self.inspector.flow is not None and self.inspector.flow.id == flow_id:
            self.inspector.show_node(None, None, None)


def inner_ids(repo: Repository, flow: Flow, node: NodeInstance) -> list[str]:
    """The ids a run gives the inner nodes of subflow node ``node`` (``u1/m``, ``u1/w/p``),
    in run order, as the engine plans them; none for another node or a flow that cannot run."""
    if node.subflow is None:
        return []
    try:
        order = plan_run(repo, flow, [node.id]).order
    except RepositoryError:
        return []
    return [node_id for node_id in order if node_id.startswith(f"{node.id}/")]
