"""The Tab search of the canvas: a small pop-up to find a spec by part of its title or id.

Typing filters the list (case does not matter); Up and Down move the choice, Enter or a click
takes it, Escape or a click outside closes the pop-up. Enter with no exact match takes the
first spec listed, so ``add`` then Enter adds the first one that fits. The specs of the
application's palette that the file lacks are listed too, with their section ("Built-in").
The flows with an interface follow the specs, as ``subflow:FLOW_ID``: choosing one adds a
node using it.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import NodeSpec, Repository
from .flow_node import SUBFLOW_MARK
from .node_edits import SUBFLOW_KEY

Key = QtCore.Qt.Key
SPEC_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1


def _by_title(offer: tuple[NodeSpec, str]) -> tuple[str, bool]:
    """By title; of two with one title, the file's first (its section is "")."""
    return offer[0].title.lower(), bool(offer[1])


class SpecSearchBox(QtWidgets.QFrame):
    """A filter field over the specs and subflows (``spec_ids``: only these specs); emits
    ``chosen(spec_id)``."""

    chosen = QtCore.Signal(str)

    def __init__(
        self,
        repo: Repository,
        parent: QtWidgets.QWidget,
        spec_ids: list[str] | None = None,
        library: Iterable[tuple[NodeSpec, str]] = (),
    ) -> None:
        """``spec_ids``: offer only these (e.g. the specs that can take a dragged link);
        ``library``: specs offered beside the file's, each with the section it comes from."""
        super().__init__(parent, QtCore.Qt.WindowType.Popup)
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        self.field = QtWidgets.QLineEdit(
            placeholderText="Add node…" if spec_ids is None else "Add a node linked here…"
        )
        self.field.installEventFilter(self)
        self.list = QtWidgets.QListWidget()
        known = {spec.id: (spec, section) for spec, section in library}
        known.update((spec.id, (spec, "")) for spec in repo.specs.values())
        offered = known.values() if spec_ids is None else map(known.get, spec_ids)
        for spec, section in sorted(filter(None, offered), key=_by_title):
            where = f"  · {section}" if section else ""
            item = QtWidgets.QListWidgetItem(f"{spec.title} — {spec.id}{where}")
            item.setData(SPEC_ROLE, spec.id)
            item.setToolTip(spec.description or spec.id)
            self.list.addItem(item)
        subflows = [] if spec_ids is not None else [f for f in repo.flows.values() if f.interface]
        for flow in sorted(subflows, key=lambda f: f.name.lower()):
            item = QtWidgets.QListWidgetItem(f"{SUBFLOW_MARK}{flow.name} — subflow {flow.id}")
            item.setData(SPEC_ROLE, SUBFLOW_KEY + flow.id)
            self.list.addItem(item)
        self.list.itemClicked.connect(self._take)
        self.field.textChanged.connect(self._filter)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        self.setMinimumWidth(320)
        self.resize(320, 260)
        self._filter("")

    def offered(self) -> list[str]:
        """The spec ids listed now."""
        return [self.list.item(row).data(SPEC_ROLE) for row in self._visible_rows()]

    def _visible_rows(self) -> list[int]:
        return [row for row in range(self.list.count()) if not self.list.item(row).isHidden()]

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(not all(word in item.text().lower() for word in words))
        visible = self._visible_rows()
        self.list.setCurrentRow(visible[0] if visible else -1)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.field and event.type() == QtCore.QEvent.Type.KeyPress:
            key = event.key()
            if key in (Key.Key_Down, Key.Key_Up):
                self._move(1 if key == Key.Key_Down else -1)
                return True
            if key in (Key.Key_Return, Key.Key_Enter):
                self._take(self.list.currentItem())
                return True
            if key == Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)

    def _move(self, step: int) -> None:
        visible = self._visible_rows()
        if not visible:
            return
        row = self.list.currentRow()
        index = visible.index(row) + step if row in visible else 0
        self.list.setCurrentRow(visible[max(0, min(index, len(visible) - 1))])

    def _take(self, item: QtWidgets.QListWidgetItem | None) -> None:
        if item is None or item.isHidden():
            return
        spec_id = item.data(SPEC_ROLE)
        self.close()
        self.chosen.emit(spec_id)

    def popup_at(self, global_pos: QtCore.QPoint) -> None:
        """Show the pop-up at ``global_pos``, kept inside the screen."""
        screen = QtGui.QGuiApplication.screenAt(global_pos) or QtGui.QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        x = min(max(global_pos.x(), area.left()), area.right() - self.width())
        y = min(max(global_pos.y(), area.top()), area.bottom() - self.height())
        self.move(x, y)
        self.show()
        self.field.setFocus()
