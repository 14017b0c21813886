"""What the Library panel shows: the open file's nodespecs and subflows ("In this file"), then
each section of the application's palette (Built-in, My nodes, each node package), each as a
tree by the dotted parts of the ids.

A leaf that can become a node carries its key in ``SPEC_ROLE`` (a spec id, or
``subflow:FLOW_ID``) and is dragged with mime type ``SPEC_MIME``. A file's spec that differs
from the palette's spec of its id is marked; a palette spec that another section shadows and
a node file that gives no spec are listed, greyed, and cannot be dragged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui

from ...library import USER, LibrarySpec, Palette
from ...repository import NodeSpec, Repository
from ..canvas.graph import SPEC_MIME
from ..canvas.node_edits import SUBFLOW_KEY

SPEC_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2
SECTION_ROLE = QtCore.Qt.ItemDataRole.UserRole + 3  # FILE_SECTION or a palette section's name
STATE_ROLE = QtCore.Qt.ItemDataRole.UserRole + 4  # DIFFERS, SHADOWED, BROKEN or ""
FILE_SECTION = "file"
DIFFERS, SHADOWED, BROKEN = "differs", "shadowed", "broken"
DIFFERS_MARK = "↻ "
BROKEN_MARK = "⚠ "
GREY = QtGui.QColor(140, 140, 140)


class SpecModel(QtGui.QStandardItemModel):
    """The Library's tree: a top-level item per section, folders by dotted id, then leaves."""

    def mimeTypes(self) -> list[str]:
        return [SPEC_MIME, "text/plain"]

    def mimeData(self, indexes) -> QtCore.QMimeData:
        data = QtCore.QMimeData()
        spec_ids = [index.data(SPEC_ROLE) for index in indexes if index.data(SPEC_ROLE)]
        if spec_ids:
            data.setData(SPEC_MIME, spec_ids[0].encode("utf-8"))
            data.setText(spec_ids[0])
        return data

    def fill(
        self,
        repo: Repository,
        palette: Palette | None,
        library_version: Callable[[str], LibrarySpec | None] = lambda _spec_id: None,
    ) -> None:
        """Show ``repo``'s specs and subflows, then ``palette``'s sections;
        ``library_version(spec_id)`` is the palette's entry when the file's copy differs."""
        self.clear()
        here = _section_item(self, "In this file", FILE_SECTION, "The nodespecs of this file")
        folders: dict[tuple[str, ...], QtGui.QStandardItem] = {}
        for spec_id in sorted(repo.specs):
            leaf = _spec_leaf(repo.specs[spec_id], FILE_SECTION)
            newer = library_version(spec_id)
            if newer is not None:
                leaf.setText(DIFFERS_MARK + leaf.text())
                leaf.setData(DIFFERS, STATE_ROLE)
                leaf.setToolTip(
                    f"Differs from the {newer.section.title} version of {spec_id} "
                    "(right-click: Update to library version)"
                )
            _folder(here, spec_id, folders).appendRow(leaf)
        self._fill_subflows(here, repo)
        for section in palette.sections if palette is not None else ():
            tip = "\n".join(section.paths)
            if section.name == USER:
                tip = f"Your own node files (.py and .json), in {tip}\nRight-click to open it"
            top = _section_item(self, section.title, section.name, tip)
            folders = {}
            entries = [entry for entry in palette.entries if entry.section is section]
            for entry in sorted(entries, key=lambda e: e.spec.id):
                _folder(top, entry.spec.id, folders).appendRow(_entry_leaf(entry))
            for broken in section.broken:
                leaf = _leaf(BROKEN_MARK + Path(broken.file).name, section.name, BROKEN)
                leaf.setToolTip(f"{broken.file}: {broken.error}")
                top.appendRow(leaf)
            if section.name == USER and not top.rowCount():
                hint = _leaf("(empty: right-click › Open folder, add .py or .json files)", USER)
                top.appendRow(hint)

    def _fill_subflows(self, parent: QtGui.QStandardItem, repo: Repository) -> None:
        subflows = [flow for flow in repo.flows.values() if flow.interface is not None]
        if not subflows:
            return
        folder = _leaf("Subflows", FILE_SECTION)
        parent.appendRow(folder)
        for flow in sorted(subflows, key=lambda f: f.name.lower()):
            leaf = _leaf(f"{flow.name}  ({flow.id})", FILE_SECTION)
            leaf.setDragEnabled(True)
            leaf.setData(SUBFLOW_KEY + flow.id, SPEC_ROLE)
            leaf.setData(f"{flow.id} {flow.name} subflow", SEARCH_ROLE)
            ports = flow.interface
            leaf.setToolTip(
                f"Flow {flow.id} as a node: in {', '.join(p.name for p in ports.inputs) or '—'}"
                f"; out {', '.join(p.name for p in ports.outputs) or '—'}"
            )
            folder.appendRow(leaf)


def _leaf(text: str, section: str, state: str = "") -> QtGui.QStandardItem:
    """An item that adds nothing (a folder, a note); ``_spec_leaf`` makes one that does."""
    item = QtGui.QStandardItem(text)
    item.setEditable(False)
    item.setDragEnabled(False)
    item.setData(section, SECTION_ROLE)
    item.setData(state, STATE_ROLE)
    if state in (SHADOWED, BROKEN):
        item.setForeground(GREY)
    return item


def _section_item(
    model: QtGui.QStandardItemModel, title: str, name: str, tip: str
) -> QtGui.QStandardItem:
    item = _leaf(title, name)
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    item.setToolTip(tip)
    model.invisibleRootItem().appendRow(item)
    return item


def _spec_leaf(spec: NodeSpec, section: str) -> QtGui.QStandardItem:
    leaf = _leaf(f"{spec.title}  ({spec.id.split('.')[-1]})", section)
    leaf.setDragEnabled(True)
    leaf.setData(spec.id, SPEC_ROLE)
    leaf.setData(f"{spec.id} {spec.title}", SEARCH_ROLE)
    leaf.setToolTip(spec.description or spec.id)
    return leaf


def _entry_leaf(entry: LibrarySpec) -> QtGui.QStandardItem:
    if entry.shadowed_by is None:
        leaf = _spec_leaf(entry.spec, entry.section.name)
        leaf.setToolTip(f"{entry.spec.description or entry.spec.id}\n{entry.file}")
        return leaf
    leaf = _leaf(f"{entry.spec.title}  ({entry.spec.id}) — shadowed", entry.section.name, SHADOWED)
    leaf.setData(f"{entry.spec.id} {entry.spec.title}", SEARCH_ROLE)
    leaf.setToolTip(
        f"Not used: {entry.shadowed_by} offers {entry.spec.id} first "
        f"(built-in, then My nodes, then packages by name)\n{entry.file}"
    )
    return leaf


def _folder(
    section: QtGui.QStandardItem, spec_id: str, folders: dict[tuple[str, ...], QtGui.QStandardItem]
) -> QtGui.QStandardItem:
    """The folder item of ``spec_id`` (by the dotted parts before its last), made as needed."""
    parts = spec_id.split(".")
    parent = section
    for depth in range(1, len(parts)):
        key = tuple(parts[:depth])
        if key not in folders:
            folders[key] = _leaf(parts[depth - 1], section.data(SECTION_ROLE))
            parent.appendRow(folders[key])
        parent = folders[key]
    return parent
