"""The canvas tabs of the open flows, and the actions on flows: open, close, new, rename,
delete, add a node from the Library or the Tab search.

State: ``canvases`` (flow id → its ``CanvasGraph`` and ``FlowBridge``, one per open tab),
``trails`` (flow id → the flows a subflow's tab was opened through, outermost first) and
``breadcrumbs`` (flow id → the ``Breadcrumb`` showing its trail). The tabs follow the
repository: a removed flow closes its tab, a renamed one retitles it, and a flow's new
interface or name redraws the tabs that show or use it.
``minimap_action`` (View › Minimap, kept in the settings as ``view/minimap``) shows or hides
the minimap of every canvas. ``hints`` (flow id → its ``EmptyHint``) tell, on a canvas with no
node, how to add one.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from ...engine import RunStates
from ...library import LibrarySpec
from ...repository import Flow, ModelEvent, NodeSpec, Repository
from ..canvas.bridge import FlowBridge
from ..canvas.graph import CanvasGraph
from ..canvas.spec_search import SpecSearchBox
from ..canvas.typing_watch import TYPING
from ..commands import AddFlowCommand, RemoveFlowCommand, RenameFlowCommand
from .library_panel import LibraryPanel
from .shell import Shell
from .user_settings import settings

MINIMAP_KEY = "view/minimap"


class Breadcrumb(QtWidgets.QLabel):
    """Over a subflow's canvas, top left: the flows it was opened through, each a link back
    (``linkActivated(flow id)``), then its own name. Hidden for a flow opened directly."""

    def __init__(self, view: QtWidgets.QWidget) -> None:
        super().__init__(view)
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setStyleSheet(
            "QLabel { background: rgba(20, 20, 24, 220); color: #dddddd; padding: 4px 8px;"
            " border-radius: 4px; }"
        )
        self.move(8, 8)
        self.hide()

    def show_trail(self, repo: Repository, trail: list[str], flow_id: str) -> None:
        crumbs = [
            f'<a href="{html.escape(step)}" style="color: #8ab4ff">'
            f"{html.escape(repo.flows[step].name)}</a>"
            for step in trail
            if step in repo.flows
        ]
        own = repo.flows.get(flow_id)
        self.setText(" › ".join([*crumbs, f"<b>{html.escape(own.name if own else flow_id)}</b>"]))
        self.adjustSize()
        self.setVisible(bool(crumbs))

    def trail_text(self) -> str:
        """What it shows, as plain text ("Main › Subflow")."""
        return QtGui.QTextDocumentFragment.fromHtml(self.text()).toPlainText()


class EmptyHint(QtWidgets.QLabel):
    """In the middle of a canvas while its flow has no node: how to add one. It lets the
    mouse, and so drops from the Library, through to the canvas."""

    TEXT = "Drag a node from the Library, or press Tab and type its name"

    def __init__(self, view: QtWidgets.QAbstractScrollArea, flow: Flow) -> None:
        super().__init__(self.TEXT, view)
        self.flow = flow
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("QLabel { color: #9a9a9a; font-size: 15px; background: transparent; }")
        self.adjustSize()
        view.viewport().installEventFilter(self)
        self.follow()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.Resize:
            self._centre()
        return False

    def _centre(self) -> None:
        view = self.parentWidget()
        self.move((view.width() - self.width()) // 2, (view.height() - self.height()) // 2)

    def follow(self, **_payload) -> None:
        """Show while the flow has no node."""
        self._centre()
        self.setVisible(not self.flow.nodes)


class FlowTabs(QtCore.QObject):
    """One canvas tab per open flow, in ``widget`` (the window's central widget)."""

    selection_changed = QtCore.Signal(str, list)  # flow id, selected node ids
    flow_opened = QtCore.Signal(str, object)  # flow id, its FlowBridge
    flow_closed = QtCore.Signal(str)
    node_activated = QtCore.Signal(str, str)  # flow id, node id: a node was double-clicked
    current_changed = QtCore.Signal(str)  # the flow of the tab now in front ("" for none)
    # Right-click on the canvas in front: a node id, a Link or None, at scene / global points.
    context_requested = QtCore.Signal(object, QtCore.QPointF, QtCore.QPoint)

    def __init__(
        self,
        shell: Shell,
        library: LibraryPanel,
        run_states: RunStates,
        palette_entries: Callable[[], list[LibrarySpec]],
    ) -> None:
        """``run_states``: what the runs of each flow said, drawn on its canvas;
        ``palette_entries()``: the application's palette, offered beside the file's specs in
        the Tab search."""
        super().__init__(shell)
        self.shell = shell
        self.library = library
        self.run_states = run_states
        self.palette_entries = palette_entries
        self.canvases: dict[str, tuple[CanvasGraph, FlowBridge]] = {}
        self.trails: dict[str, list[str]] = {}
        self.breadcrumbs: dict[str, Breadcrumb] = {}
        self.hints: dict[str, EmptyHint] = {}
        self.widget = QtWidgets.QTabWidget(documentMode=True, tabsClosable=True, movable=True)
        self.widget.tabCloseRequested.connect(
            lambda index: self.close_flow(self.widget.widget(index).property("flow_id"))
        )
        self.widget.currentChanged.connect(self._current_changed)
        library.spec_activated.connect(self.add_spec_at_centre)
        library.flow_activated.connect(self.open_flow)
        library.new_flow_requested.connect(self.new_flow)
        library.rename_flow_requested.connect(self.rename_flow)
        library.delete_flow_requested.connect(self.delete_flow)
        self.minimap_action = QtGui.QAction("&Minimap", self, checkable=True)
        self.minimap_action.setToolTip("An overview of the flow in a corner of the canvas")
        self.minimap_action.setChecked(str(settings().value(MINIMAP_KEY, "false")) == "true")
        self.minimap_action.toggled.connect(self._show_minimaps)

    # -- following the repository ---------------------------------------------------------

    def watch(self, repo: Repository, connect: bool) -> None:
        """Follow (or stop following) the repository's flow list and flow names."""
        method = "connect" if connect else "disconnect"
        getattr(repo.events, method)(ModelEvent.FLOW_ADDED, self._flow_added)
        getattr(repo.events, method)(ModelEvent.FLOW_REMOVED, self._flow_removed)
        for flow in repo.flows.values():
            getattr(flow.events, method)(ModelEvent.FLOW_RENAMED, self._flow_renamed)
            getattr(flow.events, method)(ModelEvent.INTERFACE_CHANGED, self._interface_changed)

    def _flow_added(self, flow: Flow) -> None:
        flow.events.connect(ModelEvent.FLOW_RENAMED, self._flow_renamed)
        flow.events.connect(ModelEvent.INTERFACE_CHANGED, self._interface_changed)
        self._subflow_changed(flow)

    def _flow_removed(self, flow: Flow) -> None:
        flow.events.disconnect(ModelEvent.FLOW_RENAMED, self._flow_renamed)
        flow.events.disconnect(ModelEvent.INTERFACE_CHANGED, self._interface_changed)
        self.close_flow(flow.id)
        self._subflow_changed(flow)

    def _flow_renamed(self, flow: Flow) -> None:
        self.library.refresh_flows()
        if flow.id in self.canvases:
            index = self.widget.indexOf(self.canvases[flow.id][0].widget)
            self.widget.setTabText(index, flow.name)
        self._subflow_changed(flow)

    def _interface_changed(self, flow: Flow, old=None) -> None:
        self.library.refresh_flows()
        self._subflow_changed(flow)

    def _subflow_changed(self, flow: Flow) -> None:
        for flow_id, (_canvas, bridge) in self.canvases.items():
            bridge.subflow_changed(flow.id)
            if flow.id in self.trails.get(flow_id, ()):
                self.breadcrumbs[flow_id].show_trail(self.shell.repo, self.trails[flow_id], flow_id)

    def _show_minimaps(self, shown: bool) -> None:
        settings().setValue(MINIMAP_KEY, "true" if shown else "false")
        for canvas, _ in self.canvases.values():
            canvas.minimap.set_shown(shown)

    # -- tabs -----------------------------------------------------------------------------

    def open_flow(
        self, flow_id: str, view: tuple[float, float, float] | None = None
    ) -> CanvasGraph:
        """Show ``flow_id`` in a canvas tab (created on first use) and return its canvas.

        A new tab frames its nodes, or shows ``view`` (centre x, y and scale) when given."""
        if flow_id not in self.canvases:
            shell = self.shell
            flow = shell.repo.flow(flow_id)
            canvas = CanvasGraph(self)
            run_state = self.run_states.of(flow)
            bridge = FlowBridge(shell.repo, flow, canvas, shell.undo_stack, run_state, self)
            bridge.message.connect(shell.show_message)
            canvas.search_requested.connect(self.search_spec)
            canvas.link_dropped.connect(self._link_dropped)
            canvas.context_requested.connect(self.context_requested)
            canvas.node_selection_changed.connect(
                lambda *_: self.selection_changed.emit(flow_id, canvas.selected_ids())
            )
            canvas.node_double_clicked.connect(
                lambda node: self.node_activated.emit(flow_id, node.id)
            )
            canvas.widget.setProperty("flow_id", flow_id)
            canvas.minimap.set_shown(self.minimap_action.isChecked())
            self.breadcrumbs[flow_id] = Breadcrumb(canvas.viewer())
            self.breadcrumbs[flow_id].linkActivated.connect(self.open_flow)
            self.hints[flow_id] = hint = EmptyHint(canvas.viewer(), flow)
            for name in (ModelEvent.NODE_ADDED, ModelEvent.NODE_REMOVED):
                flow.events.connect(name, hint.follow)
            self.canvases[flow_id] = (canvas, bridge)
            self.widget.addTab(canvas.widget, flow.name)
            self.flow_opened.emit(flow_id, bridge)
            QtCore.QTimer.singleShot(
                0, canvas.frame_all if view is None else lambda: canvas.set_view(*view)
            )
        self.widget.setCurrentWidget(self.canvases[flow_id][0].widget)
        self.library.select_flow(flow_id)
        return self.canvases[flow_id][0]

    def close_flow(self, flow_id: str) -> None:
        if flow_id not in self.canvases:
            return
        canvas, bridge = self.canvases.pop(flow_id)
        self.trails.pop(flow_id, None)
        self.breadcrumbs.pop(flow_id, None)
        hint = self.hints.pop(flow_id)
        for name in (ModelEvent.NODE_ADDED, ModelEvent.NODE_REMOVED):
            hint.flow.events.disconnect(name, hint.follow)
        self.flow_closed.emit(flow_id)
        bridge.detach()
        self.widget.removeTab(self.widget.indexOf(canvas.widget))
        for obj in (canvas.widget, canvas, bridge):
            obj.deleteLater()

    def open_subflow(self, flow_id: str, node_id: str) -> CanvasGraph | None:
        """Open the flow that subflow node ``node_id`` of ``flow_id`` uses, its breadcrumb
        leading back through ``flow_id``."""
        node = self.shell.repo.flow(flow_id).nodes.get(node_id)
        if node is None or node.subflow not in self.shell.repo.flows:
            return None
        trail = [*self.trails.get(flow_id, []), flow_id]
        canvas = self.open_flow(node.subflow)
        if node.subflow not in trail:
            self.trails[node.subflow] = trail
            self.breadcrumbs[node.subflow].show_trail(self.shell.repo, trail, node.subflow)
        return canvas

    def close_all(self) -> None:
        for flow_id in list(self.canvases):
            self.close_flow(flow_id)

    def _current_changed(self, _index: int) -> None:
        widget = self.widget.currentWidget()
        flow_id = widget.property("flow_id") if widget is not None else ""
        if flow_id:
            self.library.select_flow(flow_id)  # the Flows list shows the tab in front too
        self.current_changed.emit(flow_id)

    def finish_typing(self) -> None:
        """Commit what is being typed into a canvas field, on any tab (it keeps the focus)."""
        TYPING.finish()

    def current(self) -> tuple[CanvasGraph, FlowBridge] | tuple[None, None]:
        """The canvas and bridge of the tab in front, or ``(None, None)``."""
        widget = self.widget.currentWidget()
        flow_id = widget.property("flow_id") if widget is not None else None
        return self.canvases.get(flow_id, (None, None))

    # -- flows ----------------------------------------------------------------------------

    def new_flow(self) -> None:
        repo = self.shell.repo
        flow = next_flow(repo)
        self.shell.undo_stack.push(AddFlowCommand(repo, flow))
        self.open_flow(flow.id)

    def rename_flow(self, flow_id: str) -> None:
        flow = self.shell.repo.flows[flow_id]
        name, ok = QtWidgets.QInputDialog.getText(
            self.shell, "Rename flow", "Name:", text=flow.name
        )
        if ok and name and name != flow.name:
            self.shell.undo_stack.push(RenameFlowCommand(flow, name))

    def delete_flow(self, flow_id: str) -> bool:
        """Delete a flow (undoable); one that others use as a subflow only when the user says
        so, told which flows use it."""
        repo = self.shell.repo
        users = repo.flows_using_subflow(flow_id)
        if users:
            names = ", ".join(user.name for user in users)
            answer = QtWidgets.QMessageBox.question(
                self.shell,
                "Delete a flow in use",
                f"{repo.flows[flow_id].name} is used as a subflow by {names}. Delete it "
                "anyway? Their nodes that use it will show it as missing.",
            )
            if answer != QtWidgets.QMessageBox.StandardButton.Yes:
                return False
        self.shell.undo_stack.push(RemoveFlowCommand(repo, flow_id))
        return True

    # -- adding nodes ---------------------------------------------------------------------

    def add_spec_at_centre(self, spec_id: str) -> None:
        canvas, bridge = self.current()
        if canvas is not None:
            centre = canvas.viewer().mapToScene(canvas.viewer().rect().center())
            bridge.create_node(spec_id, centre.x(), centre.y())

    def search_spec(self, scene_pos: QtCore.QPointF) -> SpecSearchBox | None:
        """The Tab search: the chosen spec becomes a node at ``scene_pos``."""
        canvas, bridge = self.current()
        if canvas is None:
            return None
        box = SpecSearchBox(self.shell.repo, self.shell, library=self._library())
        box.chosen.connect(
            lambda spec_id: bridge.create_node(spec_id, scene_pos.x(), scene_pos.y())
        )
        self._pop_up(box, canvas, scene_pos)
        return box

    def _link_dropped(
        self, node_id: str, port: str, is_output: bool, scene_pos: QtCore.QPointF
    ) -> SpecSearchBox | None:
        """A link dropped on empty space: search the specs that can take it; the chosen one
        becomes a node there, linked."""
        canvas, bridge = self.current()
        if canvas is None:
            return None
        candidates = bridge.link_candidates(node_id, port, is_output)
        if not candidates:
            self.shell.show_message(f"No nodespec has a port that {node_id}:{port} can link to")
            return None
        box = SpecSearchBox(
            self.shell.repo, self.shell, spec_ids=sorted(candidates), library=self._library()
        )
        box.chosen.connect(
            lambda spec_id: bridge.add_linked_node(
                spec_id, scene_pos.x(), scene_pos.y(), node_id, port, is_output
            )
        )
        self._pop_up(box, canvas, scene_pos)
        return box

    def _library(self) -> list[tuple[NodeSpec, str]]:
        """The palette's specs the file lacks, each with its section's title."""
        lacking = [e for e in self.palette_entries() if e.spec.id not in self.shell.repo.specs]
        return [(entry.spec, entry.section.title) for entry in lacking]

    @staticmethod
    def _pop_up(box: SpecSearchBox, canvas: CanvasGraph, scene_pos: QtCore.QPointF) -> None:
        viewer = canvas.viewer()
        box.popup_at(viewer.viewport().mapToGlobal(viewer.mapFromScene(scene_pos)))


def next_flow(repo: Repository) -> Flow:
    """A new, empty flow with the first free name "Flow N" (id ``flow_N``)."""
    number = len(repo.flows) + 1
    while f"flow_{number}" in repo.flows:
        number += 1
    return Flow(f"flow_{number}", f"Flow {number}")
