"""What is typed into a canvas text field is committed before anything else can read it.

A field on the canvas (an input's value, a node's title being renamed) commits when it loses
the keyboard focus. Two gestures leave the focus where it is: a shortcut (F5, Ctrl+S: its
action would read the model without the typed value) and a click on something that takes no
focus (a dock's title, the status bar, a pan of the canvas). While a field has the focus,
``TYPING`` watches the application's events for those two and commits the field first,
before the action's handler or the click's target sees them. It watches nothing otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6 import QtCore, QtWidgets

_Event = QtCore.QEvent.Type


class TypingWatch(QtCore.QObject):
    """Commits the canvas field that has the focus on a shortcut or a click elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self._field: QtWidgets.QGraphicsObject | None = None
        self._finish: Callable[[], None] = lambda: None

    def watch(self, field: QtWidgets.QGraphicsObject, finish: Callable[[], None]) -> None:
        """``field`` (a proxied widget's proxy, or a text item) has the focus: ``finish()``
        commits what it holds."""
        app = QtWidgets.QApplication.instance()
        if self._field is None and app is not None:
            app.installEventFilter(self)
        self._field, self._finish = field, finish

    def release(self, field: QtWidgets.QGraphicsObject | None = None) -> None:
        """``field`` (or whichever field is watched) lost the focus."""
        if self._field is None or (field is not None and field is not self._field):
            return
        self._field, self._finish = None, lambda: None
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        kind = event.type()
        if kind == _Event.Shortcut or (
            kind == _Event.MouseButtonPress and not self._on_field(event.globalPosition())
        ):
            self.finish()
        return False

    def finish(self) -> None:
        """Commit the watched field now (it keeps the focus)."""
        if self._field is None:
            return
        if not shiboken6.isValid(self._field):  # its node went while it was typed into
            self.release()
            return
        self._finish()

    def _on_field(self, point: QtCore.QPointF) -> bool:
        """Whether the screen ``point`` is on the watched field (a click that moves its
        cursor or selects its text)."""
        field = self._field
        if field is None or not shiboken6.isValid(field) or field.scene() is None:
            return False
        for view in field.scene().views():
            local = view.viewport().mapFromGlobal(point.toPoint())
            if view.viewport().rect().contains(local) and field.sceneBoundingRect().contains(
                view.mapToScene(local)
            ):
                return True
        return False


TYPING = TypingWatch()
