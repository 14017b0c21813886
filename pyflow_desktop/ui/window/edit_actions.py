"""The Edit menu: undo and redo, cut, copy, paste and delete nodes, frame all, end nodes.

State: ``clipboard`` (the copied nodes, the links among them and the specs they use, so a
paste into another file brings its specs along).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import Link, NodeInstance, NodeSpec
from .flow_tabs import FlowTabs
from .shell import Shell, add_action

Key = QtGui.QKeySequence.StandardKey


class EditActions(QtCore.QObject):
    """Edits of the selection in the current flow tab."""

    def __init__(self, shell: Shell, tabs: FlowTabs) -> None:
        super().__init__(shell)
        self.shell, self.tabs = shell, tabs
        self.clipboard: tuple[list[NodeInstance], list[Link], list[NodeSpec]] = ([], [], [])
        self.undo_action = shell.undo_stack.createUndoAction(shell, "&Undo")
        self.undo_action.setShortcut(Key.Undo)
        self.redo_action = shell.undo_stack.createRedoAction(shell, "&Redo")
        self.redo_action.setShortcut(Key.Redo)

    def fill_menu(self, menu: QtWidgets.QMenu) -> None:
        menu.addActions([self.undo_action, self.redo_action])
        menu.addSeparator()
        add_action(menu, "Cu&t", self.cut, Key.Cut)
        add_action(menu, "&Copy", self.copy, Key.Copy)
        add_action(menu, "&Paste", self.paste, Key.Paste)
        add_action(menu, "&Delete", self.delete_selected, Key.Delete)
        menu.addSeparator()
        add_action(menu, "&Frame all", self.frame_all, "F")
        add_action(menu, "&Mark as end node", self.toggle_end, "Ctrl+E")

    def copy(self) -> None:
        canvas, bridge = self.tabs.current()
        if canvas is not None and canvas.selected_ids():
            nodes, links = bridge.copy_nodes(canvas.selected_ids())
            repo = self.shell.repo
            specs = {
                n.spec_id: repo.specs[n.spec_id].copy() for n in nodes if n.spec_id in repo.specs
            }
            self.clipboard = (nodes, links, list(specs.values()))

    def cut(self) -> None:
        self.copy()
        self.delete_selected()

    def paste(self) -> None:
        canvas, bridge = self.tabs.current()
        if canvas is not None:
            bridge.paste_nodes(*self.clipboard)

    def delete_selected(self) -> None:
        canvas, bridge = self.tabs.current()
        if canvas is not None:
            bridge.delete_nodes(canvas.selected_ids())

    def frame_all(self) -> None:
        canvas, _bridge = self.tabs.current()
        if canvas is not None:
            canvas.frame_all()

    def toggle_end(self) -> None:
        canvas, bridge = self.tabs.current()
        if canvas is not None and canvas.selected_ids():
            ids = canvas.selected_ids()
            bridge.set_end(ids, not all(bridge.flow.nodes[i].is_end for i in ids))
