"""The Edit menu: undo and redo, cut, copy, paste, duplicate, delete and select nodes, frame
all, end nodes.

Copy puts the selected nodes, the links among them and the specs they use on the system
clipboard, as a flow fragment (``repository.fragment``): JSON text that another window,
another running copy of the app or a text editor can hold. Paste takes such a fragment, from
wherever it came, and drops it at the mouse cursor when the cursor is over the canvas; the
pasted nodes are the selection then.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from ...repository import NodeSpec, RepositoryError
from ...repository.fragment import MIME_TYPE, fragment_text, parse_fragment
from ..shortcuts import keys
from .flow_tabs import FlowTabs
from .shell import Shell, add_action


class EditActions(QtCore.QObject):
    """Edits of the selection in the current flow tab."""

    def __init__(
        self, shell: Shell, tabs: FlowTabs, from_outside: Callable[[list[NodeSpec]], None]
    ) -> None:
        """``from_outside(specs)``: these specs came from the clipboard, and running them
        asks first."""
        super().__init__(shell)
        self.shell, self.tabs, self.from_outside = shell, tabs, from_outside
        self.undo_action = shell.undo_stack.createUndoAction(shell, "&Undo")
        self.undo_action.setShortcuts(keys("undo"))
        self.redo_action = shell.undo_stack.createRedoAction(shell, "&Redo")
        self.redo_action.setShortcuts(keys("redo"))

    def fill_menu(self, menu: QtWidgets.QMenu) -> None:
        menu.addActions([self.undo_action, self.redo_action])
        menu.addSeparator()
        add_action(menu, "Cu&t", self.cut, keys("cut"))
        add_action(menu, "&Copy", self.copy, keys("copy"))
        add_action(menu, "&Paste", self.paste, keys("paste"))
        add_action(menu, "D&uplicate", self.duplicate, keys("duplicate"))
        add_action(menu, "&Delete", self.delete_selected, keys("delete"))
        add_action(menu, "Select &All", self.select_all, keys("select_all"))
        menu.addSeparator()
        add_action(menu, "&Frame all", self.frame_all, keys("frame_all"))
        add_action(menu, "&Mark as end node", self.toggle_end, keys("mark_end"))

    def copy(self) -> None:
        canvas, bridge = self.tabs.current()
        if canvas is not None and canvas.selected_ids():
            put_on_clipboard(fragment_text(self.shell.repo, bridge.flow, canvas.selected_ids()))

    def cut(self) -> None:
        self.copy()
        self.delete_selected()

    def paste(self, at: QtCore.QPointF | None = None) -> None:
        """Paste the clipboard's nodes at ``at`` (a scene point), else at the mouse cursor."""
        canvas, bridge = self.tabs.current()
        if canvas is None:
            return
        data = QtWidgets.QApplication.clipboard().mimeData()
        if data is not None and data.hasFormat(MIME_TYPE):
            text = bytes(data.data(MIME_TYPE).data()).decode("utf-8", "replace")
        else:
            text = data.text() if data is not None else ""
        try:
            nodes, links, specs, flows = parse_fragment(text)
        except RepositoryError as error:
            self.shell.show_message(f"Cannot paste: {error}")
            return
        self.from_outside(specs)  # the clipboard's code (subflows' too): running it asks first
        point = at if at is not None else canvas.cursor_scene_pos()
        pasted = bridge.paste_nodes(
            nodes,
            links,
            specs,
            at=None if point is None else (point.x(), point.y()),
            flows=flows,
        )
        if pasted:
            canvas.select_only(pasted)

    def duplicate(self) -> None:
        """Copies of the selected nodes (and their links) beside them, selected; the
        clipboard stays."""
        canvas, bridge = self.tabs.current()
        if canvas is not None and canvas.selected_ids():
            nodes, links = bridge.copy_nodes(canvas.selected_ids())
            canvas.select_only(bridge.paste_nodes(nodes, links, text="Duplicate"))

    def delete_selected(self) -> None:
        canvas, bridge = self.tabs.current()
        if canvas is not None:
            bridge.delete_nodes(canvas.selected_ids())

    def select_all(self) -> None:
        canvas, _bridge = self.tabs.current()
        if canvas is not None:
            canvas.select_all()

    def frame_all(self) -> None:
        canvas, _bridge = self.tabs.current()
        if canvas is not None:
            canvas.frame_all()

    def toggle_end(self) -> None:
        canvas, bridge = self.tabs.current()
        if canvas is not None and canvas.selected_ids():
            ids = canvas.selected_ids()
            bridge.set_end(ids, not all(bridge.flow.nodes[i].is_end for i in ids))


def put_on_clipboard(text: str) -> None:
    """Put a fragment on the system clipboard, as our own type and as plain text."""
    data = QtCore.QMimeData()
    data.setData(MIME_TYPE, text.encode("utf-8"))
    data.setText(text)
    QtWidgets.QApplication.clipboard().setMimeData(data)
    atexit.unregister(_plain_clipboard)
    atexit.register(_plain_clipboard)


def _plain_clipboard() -> None:
    """At exit, leave the fragment on the clipboard as plain text only: PySide deletes a
    QMimeData still on the clipboard twice when the program ends (a crash on quit), and
    plain text still pastes, here and elsewhere."""
    app = QtWidgets.QApplication.instance()
    data = app.clipboard().mimeData() if app is not None else None
    if data is not None and data.hasFormat(MIME_TYPE):
        app.clipboard().setText(data.text())
