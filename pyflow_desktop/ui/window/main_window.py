"""The main window: a shell that holds the open repository, builds the docks and menus, and
owns the action groups that do the work.

State: ``repo`` and ``path`` (the open repository and its file), ``undo_stack`` (one for
every edit of the repository), ``run_states`` (what the runs of each flow said, read by the
canvases, the panels and the Run menu). The action groups: ``tabs`` (the canvas tab of each open
flow), ``files`` (File menu), ``edits`` (Edit menu), ``runs`` (Run menu and the run in
progress), ``panels`` (Code, Inspector and viewer docks), ``subflows`` (grouping, opening and
editing subflows), ``library_actions`` (the application's palette: built-in, My nodes,
packages). A file the system hands the application (macOS: opened from Finder) opens here,
as File › Open opens it (``file_open``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from ...engine import RunStates
from ...engine.folder import flow_folder
from ...repository import Repository, RepositoryError
from ..run.controller import RunController
from ..run.executor_shelf import ExecutorShelf
from ..run.settings import RunSettings
from ..run.spec_tester import SpecTester
from ..shortcuts import keys
from . import sessions
from .about import show_about
from .context_menus import CanvasMenus
from .disk_watch import DiskWatch
from .dock_layout import apply_default_layout
from .edit_actions import EditActions
from .file_actions import FileActions
from .file_open import follow_file_open
from .flow_tabs import FlowTabs
from .library_actions import LibraryActions
from .library_panel import LibraryPanel
from .live_mode import LiveMode
from .log_panel import LogPanel
from .palette_watch import PaletteWatch
from .panels import Panels
from .recovery import Found, Recovery
from .run_actions import RunActions
from .shell import add_action
from .subflow_actions import SubflowActions
from .trust import Trust
from .user_settings import settings


def _later(call: Callable[[], None]) -> None:
    """Call ``call`` once the event loop has dealt with what waits (a burst of edits)."""
    QtCore.QTimer.singleShot(0, call)


class MainWindow(QtWidgets.QMainWindow):
    """One repository file, its flows in canvas tabs."""

    repository_changed = QtCore.Signal(object)  # the Repository now shown

    def __init__(self, ask_on_close: bool = True) -> None:
        super().__init__()
        self.ask_on_close = ask_on_close
        self.repo: Repository | None = None
        self.path: Path | None = None
        self.undo_stack = QtGui.QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.run_states = RunStates(Repository(), later=_later)
        self.library = LibraryPanel()
        palette = PaletteWatch(self)
        self.tabs = FlowTabs(
            self, self.library, self.run_states, palette_entries=lambda: palette.palette.used()
        )
        self.setCentralWidget(self.tabs.widget)
        self.log = LogPanel()
        area = QtCore.Qt.DockWidgetArea
        self.library_dock = self.add_dock(
            "library_dock", "Library", self.library, area.LeftDockWidgetArea
        )
        self.log_dock = self.add_dock("log_dock", "Log", self.log, area.BottomDockWidgetArea)
        self.library_actions = LibraryActions(self, self.tabs, self.library, palette)
        self.trust = Trust(self, installed=self.library_actions.installed_specs)
        runner = RunController(
            self, shelf=ExecutorShelf(), settings=RunSettings.load(settings()), folder=self._folder
        )
        tester = SpecTester(lambda: runner.settings, runner.shelf, self, folder=self._folder)
        self.panels = Panels(
            self,
            self.tabs,
            self.run_states,
            tester,
            self.library,
            allow_test=lambda specs: self.trust.allow(specs, "Test"),
        )
        self.runs = RunActions(
            self,
            self.tabs,
            self.run_states,
            runner,
            tester,
            allow=self.trust.consent,
            watched=self.panels.watched,
        )
        self.disk = DiskWatch(self)
        self.files = FileActions(
            self,
            self.tabs,
            settle=self.panels.settle_spec_edits,
            from_outside=self.trust.came_from_outside,
            allow_save=self.disk.allow_save,
            saved=self._saved,
        )
        self.disk.reload_requested.connect(self.files.open_path)
        follow_file_open(self.files.open_asking)
        self.edits = EditActions(self, self.tabs, from_outside=self.trust.came_from_outside)
        self.library.python_files_dropped.connect(self.files.import_python_files)
        self.subflows = SubflowActions(self, self.tabs)
        self.menus = CanvasMenus(
            self,
            self.tabs,
            self.edits,
            self.runs,
            self.panels,
            subflow_entries=self.subflows.node_entries,
            library_entries=self.library_actions.node_entries,
        )
        self.recovery = Recovery(self, session=lambda: sessions.capture(self.tabs, self.panels))
        self.live = LiveMode(self, self.tabs, self.runs, self.run_states)
        self._build_menus()
        self.resize(1280, 800)
        if not self._restore_layout():
            self.reset_layout()
        self.set_repository(Repository(), None)

    def _clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    # -- docks and menus --------------------------------------------------------------------

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

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.files.fill_menu(bar.addMenu("&File"))
        edit = bar.addMenu("&Edit")
        self.edits.fill_menu(edit)
        edit.addSeparator()
        self.subflows.fill_menu(edit)
        edit.addSeparator()
        add_action(edit, "&New nodespec…", self.panels.new_spec)
        add_action(edit, "Edit node&spec", self.panels.edit_spec, keys("edit_spec"))
        run = bar.addMenu("&Run")
        self.runs.fill_menu(run)
        run.addSeparator()
        run.addAction(self.live.action)
        view = bar.addMenu("&View")
        view.addActions(
            [dock.toggleViewAction() for dock in self.findChildren(QtWidgets.QDockWidget)]
        )
        view.addSeparator()
        view.addAction(self.tabs.minimap_action)
        add_action(view, "Reset &layout", self.reset_layout)
        help_menu = bar.addMenu("&Help")
        add_action(help_menu, "&About PyFlow Desktop", lambda: show_about(self))

    def _restore_layout(self) -> bool:
        """Put the window and docks where the user left them; False on a first start."""
        stored = settings()
        geometry, state = stored.value("window/geometry"), stored.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        return state is not None and self.restoreState(state)

    def reset_layout(self) -> None:
        """The first-start layout: the canvas gets most of the window."""
        apply_default_layout(
            self,
            self.library_dock,
            self.panels.inspector_dock,
            [self.panels.code_dock, self.log_dock],
            list(self.panels.viewers.viewers.values()),
        )

    # -- the repository ---------------------------------------------------------------------

    def set_repository(self, repo: Repository, path: Path | None) -> None:
        """Show ``repo`` (from ``path``, or unsaved): closes every tab, clears undo.

        A run still going belongs to the old repository: it is stopped and its remaining
        events are shown nowhere. The old file's tabs and viewers are remembered, and the new
        file's come back as they were when it was last closed."""
        self._remember_session()
        self.runs.forget_run()
        self.statusBar().clearMessage()  # it spoke of the last file
        self.tabs.close_all()
        if self.repo is not None:
            self.tabs.watch(self.repo, connect=False)
        self.run_states.reset(repo)  # what the old repository's runs said is gone
        self.repo = repo
        if path is not None:  # a file's code: running it asks first
            self.trust.came_from_outside(repo.specs.values())
        self.tabs.watch(repo, connect=True)
        self.library.set_repository(repo)
        self.repository_changed.emit(repo)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.setWindowModified(False)
        self.set_path(path)
        self.disk.follow(path)
        if path is not None:
            self.files.remember(path)
            session = sessions.recall(path)
            if session is not None:
                sessions.restore(session, repo, self.tabs, self.panels)

    def _remember_session(self) -> None:
        if self.path is not None and self.repo is not None:
            sessions.remember(self.path, sessions.capture(self.tabs, self.panels))

    def _folder(self) -> str | None:
        """Where nodes run: the folder of the file (home for one never saved)."""
        return flow_folder(self.path)

    def set_path(self, path: Path | None) -> None:
        """The file the repository is saved to (``None``: not saved yet), in the title."""
        self.path = path
        self.setWindowTitle(f"{path.name if path else 'untitled'}[*] — PyFlow Desktop")

    def _saved(self, path: Path, digest: str | None) -> None:
        """The repository was written to ``path``: watch that content on disk, and keep the
        code written in the window trusted when the file is opened again."""
        self.disk.saved(path, digest)
        self.trust.keep_own(self.repo.specs.values())

    def restore(self, found: Found) -> bool:
        """Show the unsaved work of a recovery file, unsaved (its file, if any, unchanged)."""
        try:
            repo = found.repository()
        except RepositoryError as error:
            QtWidgets.QMessageBox.warning(self, "Cannot recover", str(error))
            return False
        self.set_repository(repo, Path(found.source) if found.source else None)
        if found.session is not None:
            self.tabs.close_all()  # the recovered session, not the file's older one
            sessions.restore(found.session, repo, self.tabs, self.panels)
        if not self.tabs.canvases and repo.flows:
            self.tabs.open_flow(next(iter(repo.flows)))
        self.undo_stack.resetClean()  # not saved: the file on disk is as it was
        found.discard()
        self.show_message(f"Restored the unsaved work of {found.describe()}")
        return True

    def show_message(self, text: str) -> None:
        """Tell the user something in the status bar and keep it in the log."""
        self.statusBar().showMessage(text, 10000)
        self.log.add(text)

    # -- closing ----------------------------------------------------------------------------

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        self._remember_session()
        self.recovery.close()
        self.runs.shutdown()
        stored = settings()
        stored.setValue("window/geometry", self.saveGeometry())
        stored.setValue("window/state", self.saveState())
        event.accept()
