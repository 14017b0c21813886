"""Inline editors for unconnected input ports, typed by the port's type.

Editors hold the manual value as the string the original PyFlow stores ("true", "3", "0.5",
"abc"); the engine converts it when it runs the node. Int and Long get a line edit that
accepts any whole number, Float one that accepts any decimal or scientific number, and every
other type except Boolean a plain line edit. An unset value shows an empty field with the port
default (or "—") as grey placeholder text; emptying a field clears the value. Boolean gets a
check box that shows an unset value as partially checked; a click sets true or false.

An editor reports a value only when it differs from the one shown (numbers are compared as
numbers), so focusing a field and leaving it never changes the document.

A flow of thousands of nodes would need thousands of widgets: so a ``ValueEditor`` only paints
its value until it is used. Its real widget (in a ``QGraphicsProxyWidget`` child) is made when
the user clicks it or tabs into it, or when code asks for ``editor``. For the same reason it
is a plain graphics item (a ``QObject`` costs more than the rest of it) that reports edits
to a callback, ``on_edit``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import ConversionError, Port, convert_value
from .fonts import field_font
from .typing_watch import TYPING

EDITOR_WIDTH = 92
EDITOR_HEIGHT = 19
UNSET_MARK = "—"
_NUMBER_PATTERNS = {
    "Int": r"([+-]?\d+)?",
    "Long": r"([+-]?\d+)?",
    "Float": r"([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)?",
}
_STYLE = (
    "QLineEdit { background: rgba(0,0,0,70); color: #ddd;"
    " border: 1px solid #555; border-radius: 3px; padding: 0 2px; font-size: 8pt; }"
    "QCheckBox { background: transparent; color: #ddd; }"
)
_UNSET = QtCore.Qt.CheckState.PartiallyChecked
_TYPED_COMPARE = {*_NUMBER_PATTERNS, "Boolean"}
_LEFT, _RIGHT = QtCore.Qt.AlignmentFlag.AlignLeft, QtCore.Qt.AlignmentFlag.AlignRight
_CENTRE = QtCore.Qt.AlignmentFlag.AlignCenter
_ELIDE = QtCore.Qt.TextElideMode.ElideRight


class ValueEditor(QtWidgets.QGraphicsItem):
    """One input port's manual value; ``on_edit(port, value)`` is called with a new value.

    The value is a string, or ``None`` when it was cleared.
    """

    def __init__(self, port: Port, value: Any, parent: QtWidgets.QGraphicsItem) -> None:
        super().__init__(parent)
        self.port = port
        self.on_edit: Callable[[str, str | None], None] | None = None
        self._value: Any = None  # the manual value shown, as the model holds it
        self._editor: QtWidgets.QWidget | None = None
        self._proxy: QtWidgets.QGraphicsProxyWidget | None = None
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIsFocusable)
        self.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setCursor(_ibeam())
        self.setToolTip(self._tip())
        self.show_value(value)

    # -- painted until used ---------------------------------------------------------------

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(0, 0, EDITOR_WIDTH, EDITOR_HEIGHT)

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        if self._proxy is not None:
            return  # the widget paints itself
        rect = self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QtGui.QPen(QtGui.QColor("#555555")))
        painter.setBrush(QtGui.QColor(0, 0, 0, 70))
        painter.drawRoundedRect(rect, 3, 3)
        painter.setFont(field_font())
        if self.port.type == "Boolean":
            self._paint_box(painter)
            return
        unset = self._value is None
        text = self._placeholder() if unset else _as_text(self._value)
        painter.setPen(QtGui.QColor("#808080" if unset else "#dddddd"))
        inner = rect.adjusted(3, 0, -3, 0)
        align = _RIGHT if self.port.type in _NUMBER_PATTERNS else _LEFT
        shown = QtGui.QFontMetricsF(field_font()).elidedText(text, _ELIDE, inner.width())
        painter.drawText(inner, align | QtCore.Qt.AlignmentFlag.AlignVCenter, shown)

    def _paint_box(self, painter: QtGui.QPainter) -> None:
        """A check box: ticked or not; unset, the port's default in grey, and "default"."""
        unset = self._value is None
        typed = _typed(self.port.default if unset else self._value, "Boolean")
        colour = QtGui.QColor("#808080" if unset else "#dddddd")
        box = QtCore.QRectF(4, 3, EDITOR_HEIGHT - 6, EDITOR_HEIGHT - 6)
        painter.setPen(QtGui.QPen(QtGui.QColor("#5fa8ff") if self.hasFocus() else colour, 1.2))
        painter.setBrush(QtGui.QColor(0, 0, 0, 90))
        painter.drawRoundedRect(box, 2, 2)
        painter.setPen(colour)
        if typed:
            painter.drawText(box, _CENTRE, "✔")
        label = "default" if unset else ("true" if typed else "false")
        text = QtCore.QRectF(box.right() + 5, 0, EDITOR_WIDTH - box.right() - 8, EDITOR_HEIGHT)
        painter.drawText(text, _LEFT | QtCore.Qt.AlignmentFlag.AlignVCenter, label)

    def mousePressEvent(self, event) -> None:
        """A click ticks a Boolean (no widget needed); a field gets its widget and the focus."""
        event.accept()
        if self._painted_box():
            self._toggle()
            return
        self._materialize()
        if isinstance(self._editor, QtWidgets.QCheckBox):
            self._editor.nextCheckState()
        else:
            self.setFocus(QtCore.Qt.FocusReason.MouseFocusReason)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        """Space ticks a painted check box, as it would a real one."""
        if self._painted_box() and event.key() == QtCore.Qt.Key.Key_Space:
            self._toggle()
            return
        super().keyPressEvent(event)

    def _painted_box(self) -> bool:
        return self.port.type == "Boolean" and self._editor is None

    def _toggle(self) -> None:
        value = "false" if _typed(self._value, "Boolean") else "true"
        self.show_value(value)
        if self.on_edit is not None:
            self.on_edit(self.port.name, value)

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:
        """Tabbing into the field (or a click) hands the focus to its widget; a check box
        stays painted."""
        if self._painted_box():
            self.update()
            return
        self._materialize()
        self._proxy.setFocus(event.reason())
        if isinstance(self._editor, QtWidgets.QLineEdit):
            self._editor.selectAll()

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:
        self.update()  # a painted check box loses its focus mark
        super().focusOutEvent(event)

    @property
    def editor(self) -> QtWidgets.QWidget:
        """The real widget (made now, if it was only painted until now)."""
        self._materialize()
        return self._editor

    @property
    def materialized(self) -> bool:
        return self._proxy is not None

    def _materialize(self) -> None:
        if self._proxy is not None:
            return
        editor = self._make_editor(self.port.type)
        editor.setFixedSize(EDITOR_WIDTH, EDITOR_HEIGHT)
        editor.setStyleSheet(_STYLE)
        editor.setAttribute(QtCore.Qt.WidgetAttribute.WA_TranslucentBackground)
        self._proxy = _FieldProxy(self)
        self._proxy.setWidget(editor)
        self.setFocusProxy(self._proxy)  # focus on the editor is focus on its widget
        self._editor = editor
        self.show_value(self._value)
        self.update()

    def _make_editor(self, port_type: str) -> QtWidgets.QWidget:
        if port_type == "Boolean":
            editor = _BooleanBox()
            editor.checkStateChanged.connect(self._send)
        else:
            editor = _LineEdit(self._send)
            typed_line_edit(editor, port_type)
            editor.editingFinished.connect(self._send)
        editor.setToolTip(self._tip())
        return editor

    def _tip(self) -> str:
        unset = "partly checked" if self.port.type == "Boolean" else "empty"
        return f"{self.port.name} ({self.port.type}) — {unset}: not set"

    def current(self) -> str | None:
        """The value the editor shows, as the string the model stores (``None``: unset)."""
        editor = self._editor
        if editor is None:
            return None if self._value is None else _model_text(self._value, self.port.type)
        if isinstance(editor, QtWidgets.QCheckBox):
            state = editor.checkState()
            return None if state == _UNSET else str(state == QtCore.Qt.CheckState.Checked).lower()
        text = editor.text().strip()
        if not text:
            return None
        return str(int(text)) if self.port.type in ("Int", "Long") else text

    def show_value(self, value: Any) -> None:
        """Display the manual ``value`` (``None``: unset, so the port default applies) silently."""
        self._value = value
        editor = self._editor
        if editor is None:
            self.update()  # only painted
            return
        blocked = editor.blockSignals(True)
        try:
            if isinstance(editor, QtWidgets.QCheckBox):
                typed = _typed(value, "Boolean")
                editor.setCheckState(
                    _UNSET
                    if typed is None
                    else QtCore.Qt.CheckState.Checked
                    if typed
                    else QtCore.Qt.CheckState.Unchecked
                )
            else:
                editor.shown_text = "" if value is None else _as_text(value)
                if editor.text() != editor.shown_text:  # a field committed by F5 is typed on
                    editor.setText(editor.shown_text)
                    editor.setCursorPosition(0)
                editor.setPlaceholderText(self._placeholder())
        finally:
            editor.blockSignals(blocked)

    def _placeholder(self) -> str:
        if self.port.default is not None:
            return _as_text(self.port.default)
        return UNSET_MARK if self.port.type in _NUMBER_PATTERNS else self.port.type

    def _send(self, *_args: Any) -> None:
        editor = self._editor
        if isinstance(editor, _LineEdit):
            if not editor.hasAcceptableInput():  # "abc" or "-" in a number field
                editor.revert()
                return
            editor.shown_text = editor.text()
        value = self.current()
        if not self._same(value):
            self._value = value
            if self.on_edit is not None:
                self.on_edit(self.port.name, value)

    def _same(self, value: str | None) -> bool:
        """Whether ``value`` is the value shown (numbers compared as numbers)."""
        if value is None or self._value is None:
            return value is None and self._value is None
        if self.port.type in _TYPED_COMPARE:
            shown = _typed(self._value, self.port.type)
            return shown is not None and shown == _typed(value, self.port.type)
        return value == _as_text(self._value)


def typed_line_edit(editor: QtWidgets.QLineEdit, port_type: str) -> QtWidgets.QLineEdit:
    """Let ``editor`` accept only what ``port_type`` reads: any whole number for Int and Long,
    any decimal or scientific number for Float (right-aligned); other types are left free."""
    pattern = _NUMBER_PATTERNS.get(port_type)
    if pattern is not None:
        editor.setValidator(
            QtGui.QRegularExpressionValidator(QtCore.QRegularExpression(pattern), editor)
        )
        editor.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)
    return editor


class _FieldProxy(QtWidgets.QGraphicsProxyWidget):
    """The proxy of an editor's widget. Its focus is the widget's own: the widget's shortcut
    keys (Ctrl+A, Ctrl+C, Delete...) then act on the text before the window's, and its focus
    out finishes the editing (Qt gives a proxied widget the focus only on a Tab)."""

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:
        super().focusInEvent(event)
        widget = self.widget()
        if widget is not None and not widget.hasFocus():
            widget.setFocus(event.reason())


class _LineEdit(QtWidgets.QLineEdit):
    """A line edit that goes back to the shown text when left with unfinished input ("-").

    While it has the focus, a shortcut or a click away from it calls ``finish`` first."""

    def __init__(self, finish: Callable[[], None]) -> None:
        super().__init__()
        self.shown_text = ""
        self._finish = finish

    def revert(self) -> None:
        self.setText(self.shown_text)
        self.setCursorPosition(0)

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:
        super().focusInEvent(event)
        TYPING.watch(self.graphicsProxyWidget(), self._finish)

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:
        TYPING.release(self.graphicsProxyWidget())
        super().focusOutEvent(event)
        if not self.hasAcceptableInput():
            self.revert()

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        """Escape gives up the typing: the shown value comes back and the field lets go."""
        if event.key() == QtCore.Qt.Key.Key_Escape:
            self.revert()
            self.clearFocus()
            return
        super().keyPressEvent(event)


class _BooleanBox(QtWidgets.QCheckBox):
    """A check box whose partial state means unset; clicking it sets true or false."""

    def __init__(self) -> None:
        super().__init__()
        self.setTristate(True)

    def nextCheckState(self) -> None:
        checked = self.checkState() == QtCore.Qt.CheckState.Checked
        self.setCheckState(
            QtCore.Qt.CheckState.Unchecked if checked else QtCore.Qt.CheckState.Checked
        )


def _typed(value: Any, port_type: str) -> Any:
    try:
        return convert_value(value, port_type)
    except ConversionError:
        return None


def _as_text(value: Any) -> str:
    text = convert_value(value, "String") if not isinstance(value, str) else value
    return str(text)


def _model_text(value: Any, port_type: str) -> str:
    """A value as the model stores it from an editor ("true", "12", "abc")."""
    if port_type == "Boolean":
        typed = _typed(value, "Boolean")
        return str(typed).lower() if typed is not None else _as_text(value)
    return _as_text(value)


@lru_cache(maxsize=1)
def _ibeam() -> QtGui.QCursor:
    return QtGui.QCursor(QtCore.Qt.CursorShape.IBeamCursor)


def editor_of(item: QtWidgets.QGraphicsItem | None) -> ValueEditor | None:
    """The ``ValueEditor`` that ``item`` (the scene's focus item, say) belongs to, if any."""
    while item is not None and not isinstance(item, ValueEditor):
        item = item.parentItem()
    return item
