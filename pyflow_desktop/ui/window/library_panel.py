"""The Library panel: the palette and the file's nodespecs as a tree (``library_model``),
with a filter box, and the flows of the repository.

Specs can be dragged onto a canvas (mime type ``SPEC_MIME`` carries the spec id) or
activated (double-click / Enter) to add a node at the centre of the current canvas; a spec
the file lacks is copied into it by the canvas's edit. The flows that have an interface are
listed under "In this file › Subflows": dragged or activated, they add a node using that
flow. Right-click a file's spec marked as differing to update it to the library's version,
or My nodes to open its folder. The panel only shows and emits requests; the window's flow
tabs and library actions make the edits.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from ...library import USER, LibrarySpec, Palette
from ...repository import ModelEvent, Repository
from .library_model import (
    DIFFERS,
    FILE_SECTION,
    SEARCH_ROLE,
    SECTION_ROLE,
    SPEC_ROLE,
    STATE_ROLE,
    SpecModel,
)

_SPEC_EVENTS = (ModelEvent.SPEC_ADDED, ModelEvent.SPEC_REMOVED, ModelEvent.SPEC_CHANGED)
_FLOW_EVENTS = (ModelEvent.FLOW_ADDED, ModelEvent.FLOW_REMOVED)


class LibraryPanel(QtWidgets.QWidget):
    """Filterable spec tree above a list of flows with New / Rename / Delete."""

    spec_activated = QtCore.Signal(str)
    spec_selected = QtCore.Signal(str)  # the current spec changed (shown in the code editor)
    flow_activated = QtCore.Signal(str)
    new_flow_requested = QtCore.Signal()
    rename_flow_requested = QtCore.Signal(str)
    delete_flow_requested = QtCore.Signal(str)
    python_files_dropped = QtCore.Signal(list)  # paths of .py files dropped on the panel
    update_requested = QtCore.Signal(str)  # a file's spec id: take the library's version
    open_folder_requested = QtCore.Signal()  # show My nodes in the file manager

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo: Repository | None = None
        self.palette: Palette | None = None
        # The palette's entry for a file's spec id when the file's copy differs from it:
        self.library_version: Callable[[str], LibrarySpec | None] = lambda _spec_id: None
        self.filter = QtWidgets.QLineEdit(placeholderText="Filter nodespecs…")
        self.filter.setClearButtonEnabled(True)
        self.open_folder = QtWidgets.QToolButton()
        self.open_folder.setIcon(
            self.style().standardIcon(QtWidgets.QStyle.StandardPixmap.SP_DirOpenIcon)
        )
        self.open_folder.setToolTip(
            "Open My nodes: a folder for your own nodes (.py nodemaker modules and .json "
            "repositories), in the Library whatever file is open"
        )
        self.open_folder.clicked.connect(self.open_folder_requested.emit)
        self.specs = SpecModel(self)
        self.proxy = QtCore.QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.specs)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self._filter_changed)
        self.tree = QtWidgets.QTreeView(headerHidden=True)
        self.tree.setModel(self.proxy)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QtWidgets.QAbstractItemView.DragDropMode.DragOnly)
        self.tree.activated.connect(self._spec_activated)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.tree.setContextMenuPolicy(QtCore.Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.flows = QtWidgets.QListWidget()
        self.flows.itemActivated.connect(
            lambda item: self.flow_activated.emit(item.data(SPEC_ROLE))
        )
        buttons = QtWidgets.QHBoxLayout()
        for text, slot in (
            ("New", self.new_flow_requested.emit),
            ("Rename", lambda: self._with_flow(self.rename_flow_requested)),
            ("Delete", lambda: self._with_flow(self.delete_flow_requested)),
        ):
            button = QtWidgets.QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        self.setAcceptDrops(True)
        self.tree.viewport().installEventFilter(self)  # drops on the tree come here too
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.filter)
        top.addWidget(self.open_folder)
        layout.addLayout(top)
        layout.addWidget(self.tree, 3)
        layout.addWidget(QtWidgets.QLabel("Flows"))
        layout.addWidget(self.flows, 1)
        layout.addLayout(buttons)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() in (QtCore.QEvent.Type.DragEnter, QtCore.QEvent.Type.DragMove):
            if _python_files(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif event.type() == QtCore.QEvent.Type.Drop and _python_files(event.mimeData()):
            self.dropEvent(event)
            return True
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if _python_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        paths = _python_files(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.python_files_dropped.emit(paths)

    def set_repository(self, repo: Repository) -> None:
        if self.repo is not None:
            for name in _SPEC_EVENTS:
                self.repo.events.disconnect(name, self._refresh_specs)
            for name in _FLOW_EVENTS:
                self.repo.events.disconnect(name, self.refresh_flows)
        self.repo = repo
        for name in _SPEC_EVENTS:
            repo.events.connect(name, self._refresh_specs)
        for name in _FLOW_EVENTS:
            repo.events.connect(name, self.refresh_flows)
        self._refresh_specs()
        self.refresh_flows()

    def set_palette(self, palette: Palette) -> None:
        """Show ``palette``'s sections below the file's own specs."""
        self.palette = palette
        self._refresh_specs()

    def _refresh_specs(self, **_payload) -> None:
        if self.repo is None:
            return
        opened = self._opened() if self.specs.rowCount() else None
        self.specs.fill(self.repo, self.palette, self.library_version)
        self._filter_changed(self.filter.text())
        if opened is None:  # the first time: the sections open
            self.tree.expandToDepth(0)
        else:  # as the user left them (a drop that copies a spec refills the tree)
            self._opened(opened)

    def _opened(self, reopen: set[tuple[str, ...]] | None = None) -> set[tuple[str, ...]]:
        """The expanded items, each as the texts of its path from the top; with ``reopen``,
        expand those instead."""
        found: set[tuple[str, ...]] = set()
        parents = [(QtCore.QModelIndex(), ())]
        while parents:
            parent, path = parents.pop()
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                key = (*path, index.data())
                if reopen is not None and key in reopen:
                    self.tree.setExpanded(index, True)
                if self.tree.isExpanded(index):
                    found.add(key)
                    parents.append((index, key))
        return found

    def refresh_flows(self, **_payload) -> None:
        """Redraw the flow list and the Subflows (also called by the window when a flow is
        renamed or its interface changes)."""
        self._refresh_specs()
        self.flows.clear()
        for flow in self.repo.flows.values():
            item = QtWidgets.QListWidgetItem(
                f"{flow.name}  ({flow.id})" if flow.name != flow.id else flow.id
            )
            item.setData(SPEC_ROLE, flow.id)
            self.flows.addItem(item)

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.tree.expandAll()

    def _current_changed(self, index: QtCore.QModelIndex, _previous: QtCore.QModelIndex) -> None:
        key = index.data(SPEC_ROLE)
        if key and key in self.repo.specs and index.data(SECTION_ROLE) == FILE_SECTION:
            self.spec_selected.emit(key)

    def menu_for(self, index: QtCore.QModelIndex) -> QtWidgets.QMenu | None:
        """The right-click menu of an item: update a differing spec, open My nodes."""
        menu = QtWidgets.QMenu(self)
        menu.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        spec_id = index.data(SPEC_ROLE)
        if index.data(STATE_ROLE) == DIFFERS:
            action = menu.addAction("&Update to library version")
            action.triggered.connect(lambda: self.update_requested.emit(spec_id))
        if index.data(SECTION_ROLE) == USER:
            action = menu.addAction("&Open folder")
            action.triggered.connect(self.open_folder_requested.emit)
        return menu if menu.actions() else None

    def _context_menu(self, point: QtCore.QPoint) -> None:
        menu = self.menu_for(self.tree.indexAt(point))
        if menu is not None:
            menu.popup(self.tree.viewport().mapToGlobal(point))

    def _spec_activated(self, index: QtCore.QModelIndex) -> None:
        spec_id = index.data(SPEC_ROLE)
        if spec_id:
            self.spec_activated.emit(spec_id)

    def _with_flow(self, signal) -> None:
        item = self.flows.currentItem()
        if item is not None:
            signal.emit(item.data(SPEC_ROLE))

    def select_flow(self, flow_id: str) -> None:
        for row in range(self.flows.count()):
            if self.flows.item(row).data(SPEC_ROLE) == flow_id:
                self.flows.setCurrentRow(row)


def _python_files(data: QtCore.QMimeData) -> list[str]:
    """The local ``.py`` files a drag carries (the original's nodemaker modules)."""
    urls = data.urls() if data.hasUrls() else []
    paths = [url.toLocalFile() for url in urls if url.isLocalFile()]
    return [path for path in paths if path.endswith(".py")]
