"""The Library panel: nodespecs as a tree by dotted id, and the flows of the repository.

Specs can be dragged onto a canvas (mime type ``SPEC_MIME`` carries the spec id) or
activated (double-click / Enter) to add a node at the centre of the current canvas. The
flows that have an interface are listed too, under "Subflows": dragged or activated, they
add a node using that flow (its key is ``subflow:FLOW_ID``). The
panel only shows the repository and emits requests; the window's flow tabs make the edits.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import Repository
from ..canvas.graph import SPEC_MIME
from ..canvas.node_edits import SUBFLOW_KEY

SPEC_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2
_SPEC_EVENTS = ("spec_added", "spec_removed", "spec_changed")
_FLOW_EVENTS = ("flow_added", "flow_removed")


class SpecModel(QtGui.QStandardItemModel):
    """Specs grouped by the dotted parts of their ids; leaves carry the spec id."""

    def mimeTypes(self) -> list[str]:
        return [SPEC_MIME, "text/plain"]

    def mimeData(self, indexes) -> QtCore.QMimeData:
        data = QtCore.QMimeData()
        spec_ids = [index.data(SPEC_ROLE) for index in indexes if index.data(SPEC_ROLE)]
        if spec_ids:
            data.setData(SPEC_MIME, spec_ids[0].encode("utf-8"))
            data.setText(spec_ids[0])
        return data

    def fill(self, repo: Repository) -> None:
        self.clear()
        folders: dict[tuple[str, ...], QtGui.QStandardItem] = {}
        for spec_id in sorted(repo.specs):
            spec = repo.specs[spec_id]
            parts = spec_id.split(".")
            parent = self.invisibleRootItem()
            for depth in range(1, len(parts)):
                key = tuple(parts[:depth])
                if key not in folders:
                    folder = QtGui.QStandardItem(parts[depth - 1])
                    folder.setEditable(False)
                    folder.setDragEnabled(False)
                    parent.appendRow(folder)
                    folders[key] = folder
                parent = folders[key]
            leaf = QtGui.QStandardItem(f"{spec.title}  ({parts[-1]})")
            leaf.setEditable(False)
            leaf.setData(spec_id, SPEC_ROLE)
            leaf.setData(f"{spec_id} {spec.title}", SEARCH_ROLE)
            leaf.setToolTip(spec.description or spec_id)
            parent.appendRow(leaf)
        subflows = [flow for flow in repo.flows.values() if flow.interface is not None]
        if subflows:
            folder = QtGui.QStandardItem("Subflows")
            folder.setEditable(False)
            folder.setDragEnabled(False)
            self.invisibleRootItem().appendRow(folder)
            for flow in sorted(subflows, key=lambda f: f.name.lower()):
                leaf = QtGui.QStandardItem(f"{flow.name}  ({flow.id})")
                leaf.setEditable(False)
                leaf.setData(SUBFLOW_KEY + flow.id, SPEC_ROLE)
                leaf.setData(f"{flow.id} {flow.name} subflow", SEARCH_ROLE)
                ports = flow.interface
                leaf.setToolTip(
                    f"Flow {flow.id} as a node: in {', '.join(p.name for p in ports.inputs) or '—'}"
                    f"; out {', '.join(p.name for p in ports.outputs) or '—'}"
                )
                folder.appendRow(leaf)


class LibraryPanel(QtWidgets.QWidget):
    """Filterable spec tree above a list of flows with New / Rename / Delete."""

    spec_activated = QtCore.Signal(str)
    spec_selected = QtCore.Signal(str)  # the current spec changed (shown in the code editor)
    flow_activated = QtCore.Signal(str)
    new_flow_requested = QtCore.Signal()
    rename_flow_requested = QtCore.Signal(str)
    delete_flow_requested = QtCore.Signal(str)
    python_files_dropped = QtCore.Signal(list)  # paths of .py files dropped on the panel

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.repo: Repository | None = None
        self.filter = QtWidgets.QLineEdit(placeholderText="Filter nodespecs…")
        self.filter.setClearButtonEnabled(True)
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
        layout.addWidget(self.filter)
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

    def _refresh_specs(self, **_payload) -> None:
        self.specs.fill(self.repo)
        self._filter_changed(self.filter.text())
        self.tree.expandToDepth(0)

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
        if key and key in self.repo.specs:
            self.spec_selected.emit(key)

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
