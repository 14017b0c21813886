"""The main window: canvases in tabs, Library and Log docks, menus, runs and files.

State: ``repo`` and ``path`` (the open repository and its file), ``undo_stack`` (one for
every edit of the repository), ``tabs`` (a ``CanvasGraph`` + ``FlowBridge`` per open flow,
keyed by flow id), ``runner`` (the ``RunController``) and ``run_flow_id`` (the flow being run).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from ..engine import NodeFailed, RunEvent, RunResult
from ..repository import Flow, Repository, RepositoryError, load_repository, save_repository
from .authoring import AuthoringPanels
from .bridge import FlowBridge
from .canvas import CanvasGraph
from .commands import (
    AddFlowCommand,
    AddSpecCommand,
    RemoveFlowCommand,
    RenameFlowCommand,
)
from .file_dialogs import ask_export_flows, ask_import_policy
from .library_panel import LibraryPanel
from .repository_merge import clashes, export_repository, plan_import
from .run_controller import RunController
from .run_settings import RunSettings, RunSettingsDialog
from .spec_commands import SaveSpecCommand
from .spec_search import SpecSearchBox

ORGANIZATION = APPLICATION = "PyFlow Desktop"
MAX_RECENT = 8
FILTERS = {"PyFlow Desktop files (*.json)": "native", "Original PyFlow files (*.json)": "original"}
Key = QtGui.QKeySequence.StandardKey


def settings() -> QtCore.QSettings:
    """The user's settings (in the default format and place, so tests can redirect them)."""
    return QtCore.QSettings(
        QtCore.QSettings.defaultFormat(),
        QtCore.QSettings.Scope.UserScope,
        ORGANIZATION,
        APPLICATION,
    )


class MainWindow(QtWidgets.QMainWindow):
    """One repository file, its flows in canvas tabs; ``run_done(ok)`` ends every run."""

    run_done = QtCore.Signal(bool)
    selection_changed = QtCore.Signal(str, list)  # flow id, selected node ids
    repository_changed = QtCore.Signal(object)  # the Repository now shown
    flow_opened = QtCore.Signal(str, object)  # flow id, its FlowBridge
    flow_closed = QtCore.Signal(str)

    def __init__(self, ask_on_close: bool = True) -> None:
        super().__init__()
        self.ask_on_close = ask_on_close
        self.repo: Repository | None = None
        self.path: Path | None = None
        self.undo_stack = QtGui.QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.tabs: dict[str, tuple[CanvasGraph, FlowBridge]] = {}
        self.clipboard: tuple[list, list, list] = ([], [], [])  # nodes, links, their specs
        self.runner = RunController(self)
        self.runner.settings = RunSettings.load(settings())
        self.run_flow_id: str | None = None
        self._build_widgets()
        self.authoring = AuthoringPanels(self)
        self._build_menus()
        self.runner.batch_ready.connect(self._show_events)
        self.runner.progress.connect(self._show_progress)
        self.runner.finished.connect(self._run_finished)
        self.resize(1280, 800)
        self._restore_layout()
        self.set_repository(Repository(), None)

    def _clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    # -- widgets and menus ------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.tab_widget = QtWidgets.QTabWidget(documentMode=True, tabsClosable=True, movable=True)
        self.tab_widget.tabCloseRequested.connect(
            lambda index: self.close_flow(self.tab_widget.widget(index).property("flow_id"))
        )
        self.setCentralWidget(self.tab_widget)
        self.library = LibraryPanel()
        self.library.spec_activated.connect(self._add_spec_at_centre)
        self.library.flow_activated.connect(self.open_flow)
        self.library.new_flow_requested.connect(self.new_flow)
        self.library.rename_flow_requested.connect(self.rename_flow)
        self.library.delete_flow_requested.connect(self.delete_flow)
        self.log = QtWidgets.QPlainTextEdit(readOnly=True)
        self.log.setMaximumBlockCount(5000)
        self.log.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        area = QtCore.Qt.DockWidgetArea
        self.library_dock = self.add_dock(
            "library_dock", "Library", self.library, area.LeftDockWidgetArea
        )
        self.log_dock = self.add_dock("log_dock", "Log", self.log, area.BottomDockWidgetArea)
        self.progress = QtWidgets.QProgressBar(maximumWidth=240, textVisible=True)
        self.progress.setFormat("%v / %m nodes")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.statusBar().addPermanentWidget(self.progress)

    def add_dock(
        self, name: str, title: str, widget: QtWidgets.QWidget, area: QtCore.Qt.DockWidgetArea
    ) -> QtWidgets.QDockWidget:
        """Add a dockable panel; ``name`` is its key in the saved window layout."""
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.restoreDockWidget(dock)  # docks added after restoreState() get their place back
        return dock

    def _action(self, menu: QtWidgets.QMenu, text: str, slot, shortcut=None) -> QtGui.QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&New", self.new_repository, Key.New)
        self._action(file, "&Open…", self.open_dialog, Key.Open)
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._action(file, "&Save", self.save, Key.Save)
        self._action(file, "Save &As…", self.save_as_dialog, Key.SaveAs)
        file.addSeparator()
        self._action(file, "&Import…", self.import_dialog)
        self._action(file, "&Export…", self.export_dialog)
        file.addSeparator()
        self._action(file, "&Quit", self.close, Key.Quit)
        edit = bar.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(Key.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(Key.Redo)
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        self._action(edit, "Cu&t", self.cut, Key.Cut)
        self._action(edit, "&Copy", self.copy, Key.Copy)
        self._action(edit, "&Paste", self.paste, Key.Paste)
        self._action(edit, "&Delete", self.delete_selected, Key.Delete)
        edit.addSeparator()
        self._action(edit, "&Frame all", self.frame_all, "F")
        self._action(edit, "&Mark as end node", self.toggle_end, "Ctrl+E")
        run = bar.addMenu("&Run")
        self.run_action = self._action(run, "&Run", self.run_current, "F5")
        self._action(run, "Run to &selected node", self.run_to_selected, "Shift+F5")
        self.stop_action = self._action(run, "&Stop", self.stop, "Shift+Esc")
        self.stop_action.setEnabled(False)
        run.addSeparator()
        self._action(run, "Run se&ttings…", self.edit_run_settings)
        self._action(run, "&Forget cached results", self.runner.cache.clear)
        view = bar.addMenu("&View")
        view.addActions(
            [dock.toggleViewAction() for dock in self.findChildren(QtWidgets.QDockWidget)]
        )

    def has_saved_layout(self) -> bool:
        return settings().contains("window/state")

    def _restore_layout(self) -> None:
        stored = settings()
        geometry, state = stored.value("window/geometry"), stored.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # -- the repository ---------------------------------------------------------------------

    def set_repository(self, repo: Repository, path: Path | None) -> None:
        """Show ``repo`` (from ``path``, or unsaved): closes every tab, clears undo.

        A run still going belongs to the old repository: it is stopped and its remaining
        events are shown nowhere."""
        self.runner.stop()
        self.run_flow_id = None
        for flow_id in list(self.tabs):
            self.close_flow(flow_id)
        if self.repo is not None:
            self._watch(self.repo, connect=False)
        self.repo, self.path = repo, path
        self._watch(repo, connect=True)
        self.library.set_repository(repo)
        self.repository_changed.emit(repo)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.setWindowModified(False)
        name = path.name if path else "untitled"
        self.setWindowTitle(f"{name}[*] — PyFlow Desktop")
        if path is not None:
            self._remember(path)

    def _watch(self, repo: Repository, connect: bool) -> None:
        """Follow (or stop following) the repository's flow list and flow names."""
        method = "connect" if connect else "disconnect"
        getattr(repo.events, method)("flow_added", self._flow_added)
        getattr(repo.events, method)("flow_removed", self._flow_removed)
        for flow in repo.flows.values():
            getattr(flow.events, method)("flow_renamed", self._flow_renamed)

    def _flow_added(self, flow: Flow) -> None:
        flow.events.connect("flow_renamed", self._flow_renamed)

    def _flow_removed(self, flow: Flow) -> None:
        flow.events.disconnect("flow_renamed", self._flow_renamed)
        self.close_flow(flow.id)

    def _flow_renamed(self, flow: Flow) -> None:
        self.library.refresh_flows()
        if flow.id in self.tabs:
            index = self.tab_widget.indexOf(self.tabs[flow.id][0].widget)
            self.tab_widget.setTabText(index, flow.name)

    def load(self, path: str | Path) -> None:
        """Open a repository file; raises ``RepositoryError`` when it is invalid."""
        path = Path(path)
        self.set_repository(load_repository(path), path.resolve())

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False when the user cancels."""
        if not self.ask_on_close:
            return True
        if not self.authoring.settle_spec_edits():
            return False
        if self.undo_stack.isClean():
            return True
        answer = QtWidgets.QMessageBox.question(
            self,
            "Unsaved changes",
            "Save the changes to this repository first?",
            QtWidgets.QMessageBox.StandardButton.Save
            | QtWidgets.QMessageBox.StandardButton.Discard
            | QtWidgets.QMessageBox.StandardButton.Cancel,
        )
        if answer == QtWidgets.QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QtWidgets.QMessageBox.StandardButton.Discard

    def new_repository(self) -> None:
        if self.maybe_save():
            self.set_repository(Repository(), None)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open repository", "", "Repositories (*.json);;All files (*)"
        )
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        try:
            self.load(path)
        except RepositoryError as error:
            QtWidgets.QMessageBox.warning(self, "Cannot open", str(error))
            return False
        if self.repo.flows:
            self.open_flow(next(iter(self.repo.flows)))
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as_dialog()
        return self.save_to(self.path, "native")

    def save_as_dialog(self) -> bool:
        path, chosen = QtWidgets.QFileDialog.getSaveFileName(
            self, "Save repository as", str(self.path or "untitled.json"), ";;".join(FILTERS)
        )
        return bool(path) and self.save_to(Path(path), FILTERS.get(chosen, "native"))

    def save_to(self, path: str | Path, fmt: str = "native") -> bool:
        path = Path(path)
        try:
            save_repository(self.repo, path, fmt)
        except OSError as error:
            QtWidgets.QMessageBox.warning(self, "Cannot save", f"{path}: {error.strerror}")
            return False
        self.path = path.resolve()
        self.undo_stack.setClean()
        self.setWindowTitle(f"{path.name}[*] — PyFlow Desktop")
        self._remember(self.path)
        self.statusBar().showMessage(f"Saved {path} ({fmt} format)", 5000)
        return True

    def show_message(self, text: str) -> None:
        """Tell the user something in the status bar and keep it in the log."""
        self.statusBar().showMessage(text, 10000)
        self.log.appendPlainText(text)

    def _remember(self, path: Path) -> None:
        stored = settings()
        recent = [p for p in (stored.value("recent") or []) if p != str(path)]
        stored.setValue("recent", [str(path), *recent][:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in settings().value("recent") or []:
            self._action(
                self.recent_menu, path, lambda path=path: self.maybe_save() and self.open_path(path)
            )

    def import_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Import repository", "", "Repositories (*.json)"
        )
        if not path:
            return
        try:
            source = load_repository(path)
        except RepositoryError as error:
            QtWidgets.QMessageBox.warning(self, "Cannot import", str(error))
            return
        policy = "skip"
        clashing = clashes(self.repo, source)
        if clashing:
            policy = ask_import_policy(self, clashing)
            if policy is None:
                return
        self.import_repository(source, policy)

    def import_repository(self, source: Repository, policy: str = "skip") -> None:
        """Merge ``source`` into the open repository as one undoable step."""
        plan = plan_import(self.repo, source, policy)
        if not plan:
            return
        self.undo_stack.beginMacro("Import")
        for spec in plan.add_specs:
            self.undo_stack.push(AddSpecCommand(self.repo, spec))
        for spec in plan.replace_specs:  # as a save: what used removed ports is dropped
            self.undo_stack.push(SaveSpecCommand(self.repo, spec))
        for flow in plan.replace_flows:
            self.undo_stack.push(RemoveFlowCommand(self.repo, flow.id))
        for flow in [*plan.replace_flows, *plan.add_flows]:
            self.undo_stack.push(AddFlowCommand(self.repo, flow))
        self.undo_stack.endMacro()

    def export_dialog(self) -> None:
        chosen = ask_export_flows(self, self.repo, set(self.tabs))
        if not chosen:
            return
        path, picked = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export to", "", ";;".join(FILTERS)
        )
        if path:
            self.export_to(path, chosen, FILTERS.get(picked, "native"))

    def export_to(self, path: str | Path, flow_ids: list[str], fmt: str = "native") -> bool:
        """Write ``flow_ids`` with the specs they use to ``path``."""
        try:
            save_repository(export_repository(self.repo, flow_ids), path, fmt)
        except OSError as error:
            QtWidgets.QMessageBox.warning(self, "Cannot export", f"{path}: {error.strerror}")
            return False
        return True

    # -- flows and canvases -------------------------------------------------------------------

    def open_flow(self, flow_id: str) -> CanvasGraph:
        """Show ``flow_id`` in a canvas tab (created on first use) and return its canvas."""
        if flow_id not in self.tabs:
            flow = self.repo.flow(flow_id)
            canvas = CanvasGraph(self)
            bridge = FlowBridge(self.repo, flow, canvas, self.undo_stack, self)
            bridge.message.connect(self.show_message)
            canvas.search_requested.connect(self._search_spec)
            canvas.node_selection_changed.connect(
                lambda *_: self.selection_changed.emit(flow_id, canvas.selected_ids())
            )
            canvas.widget.setProperty("flow_id", flow_id)
            self.tabs[flow_id] = (canvas, bridge)
            self.tab_widget.addTab(canvas.widget, flow.name)
            self.flow_opened.emit(flow_id, bridge)
            QtCore.QTimer.singleShot(0, canvas.frame_all)
        self.tab_widget.setCurrentWidget(self.tabs[flow_id][0].widget)
        self.library.select_flow(flow_id)
        return self.tabs[flow_id][0]

    def close_flow(self, flow_id: str) -> None:
        if flow_id not in self.tabs:
            return
        canvas, bridge = self.tabs.pop(flow_id)
        self.flow_closed.emit(flow_id)
        bridge.detach()
        self.tab_widget.removeTab(self.tab_widget.indexOf(canvas.widget))
        for obj in (canvas.widget, canvas, bridge):
            obj.deleteLater()

    def current(self) -> tuple[CanvasGraph, FlowBridge] | tuple[None, None]:
        widget = self.tab_widget.currentWidget()
        flow_id = widget.property("flow_id") if widget is not None else None
        return self.tabs.get(flow_id, (None, None))

    def new_flow(self) -> None:
        number = len(self.repo.flows) + 1
        while f"flow_{number}" in self.repo.flows:
            number += 1
        flow = Flow(f"flow_{number}", f"Flow {number}")
        self.undo_stack.push(AddFlowCommand(self.repo, flow))
        self.open_flow(flow.id)

    def rename_flow(self, flow_id: str) -> None:
        flow = self.repo.flows[flow_id]
        name, ok = QtWidgets.QInputDialog.getText(self, "Rename flow", "Name:", text=flow.name)
        if ok and name and name != flow.name:
            self.undo_stack.push(RenameFlowCommand(flow, name))

    def delete_flow(self, flow_id: str) -> None:
        self.undo_stack.push(RemoveFlowCommand(self.repo, flow_id))

    def _add_spec_at_centre(self, spec_id: str) -> None:
        canvas, bridge = self.current()
        if canvas is not None:
            centre = canvas.viewer().mapToScene(canvas.viewer().rect().center())
            bridge.create_node(spec_id, centre.x(), centre.y())

    def _search_spec(self, scene_pos: QtCore.QPointF) -> None:
        canvas, bridge = self.current()
        if canvas is None:
            return
        box = SpecSearchBox(self.repo, self)
        box.chosen.connect(
            lambda spec_id: bridge.create_node(spec_id, scene_pos.x(), scene_pos.y())
        )
        viewer = canvas.viewer()
        box.popup_at(viewer.mapToGlobal(viewer.mapFromScene(scene_pos)))

    # -- edit -------------------------------------------------------------------------------

    def copy(self) -> None:
        canvas, bridge = self.current()
        if canvas is not None and canvas.selected_ids():
            nodes, links = bridge.copy_nodes(canvas.selected_ids())
            specs = {
                n.spec_id: self.repo.specs[n.spec_id].copy()
                for n in nodes
                if n.spec_id in self.repo.specs
            }
            self.clipboard = (nodes, links, list(specs.values()))

    def cut(self) -> None:
        self.copy()
        self.delete_selected()

    def paste(self) -> None:
        canvas, bridge = self.current()
        if canvas is not None:
            bridge.paste_nodes(*self.clipboard)

    def delete_selected(self) -> None:
        canvas, bridge = self.current()
        if canvas is not None:
            bridge.delete_nodes(canvas.selected_ids())

    def frame_all(self) -> None:
        canvas, _bridge = self.current()
        if canvas is not None:
            canvas.frame_all()

    def toggle_end(self) -> None:
        canvas, bridge = self.current()
        if canvas is not None and canvas.selected_ids():
            ids = canvas.selected_ids()
            bridge.set_end(ids, not all(bridge.flow.nodes[i].is_end for i in ids))

    # -- runs -------------------------------------------------------------------------------

    def run_current(self, targets="all") -> bool:
        """Run the flow of the current tab (F5); False (and a message) if it cannot start."""
        canvas, bridge = self.current()
        if canvas is None or self.runner.running:
            return False
        try:
            self.runner.start(
                self.repo, bridge.flow, targets, first=self.authoring.watched(bridge.flow.id)
            )
        except RepositoryError as error:
            self.log.appendPlainText(f"cannot run {bridge.flow.id}: {error}")
            self.statusBar().showMessage(f"Cannot run: {error}", 10000)
            return False
        self.run_flow_id = bridge.flow.id
        bridge.clear_run_state()
        self.log.appendPlainText(f"— run {bridge.flow.id}: {self.runner.planned} node(s)")
        self.run_action.setEnabled(False)
        self.stop_action.setEnabled(True)
        return True

    def run_to_selected(self) -> bool:
        canvas, _bridge = self.current()
        if canvas is None or not canvas.selected_ids():
            self.statusBar().showMessage("Select the node to run up to", 5000)
            return False
        return self.run_current(canvas.selected_ids())

    def stop(self) -> None:
        self.runner.stop()

    def _show_events(self, events: list[RunEvent]) -> None:
        _canvas, bridge = self.tabs.get(self.run_flow_id, (None, None))
        lines = []
        for event in events:
            if bridge is not None:
                bridge.apply_run_event(event)
            lines.append(_log_line(event))
        text = "\n".join(line for line in lines if line)
        if text:
            self.log.appendPlainText(text)

    def _show_progress(self, done: int, planned: int) -> None:
        self.progress.setRange(0, max(planned, 1))
        self.progress.setValue(done)

    def edit_run_settings(self) -> None:
        dialog = RunSettingsDialog(self.runner.settings, self)
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
            self.runner.settings = dialog.settings()
            self.runner.settings.save(settings())

    def _run_finished(self, result: object) -> None:
        self.run_action.setEnabled(True)
        self.stop_action.setEnabled(False)
        ok = isinstance(result, RunResult) and result.ok
        if isinstance(result, RunResult):
            counts = ", ".join(f"{n} {status}" for status, n in result.counts().items())
            message = f"{result.flow_id}: {counts} in {result.elapsed * 1000:.0f} ms"
        else:
            message = f"run failed: {result!r}"
        self.log.appendPlainText(f"— {message}")
        self.statusBar().showMessage(message)
        self.run_done.emit(ok)

    # -- closing ----------------------------------------------------------------------------

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.runner.stop()
        self.runner.wait(5000)
        self.runner.shutdown()
        stored = settings()
        stored.setValue("window/geometry", self.saveGeometry())
        stored.setValue("window/state", self.saveState())
        event.accept()


def _log_line(event: RunEvent) -> str:
    if isinstance(event, NodeFailed):
        return f"{event.node}: failed — {event.error}"
    if event.type in ("queued", "partial"):
        return ""
    elapsed = getattr(event, "elapsed", None)
    took = f" ({elapsed * 1000:.1f} ms)" if elapsed else ""
    return f"{event.node or 'run'}: {event.type}{took}"
