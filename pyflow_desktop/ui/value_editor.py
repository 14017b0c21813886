"""Inline editors for unconnected input ports, typed by the port's type.

Boolean gets a check box, Int and Float a spin box, every other type a line edit. Editors
hold the manual value as the string the original PyFlow stores ("true", "3", "0.5", "abc");
the engine converts it when it runs the node. An empty line edit clears the manual value.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from ..repository import ConversionError, Port, convert_value

EDITOR_WIDTH = 92
EDITOR_HEIGHT = 19
_INT_RANGE = (-(2**31), 2**31 - 1)
_STYLE = (
    "QLineEdit, QSpinBox, QDoubleSpinBox { background: rgba(0,0,0,70); color: #ddd;"
    " border: 1px solid #555; border-radius: 3px; padding: 0 2px; font-size: 8pt; }"
    "QCheckBox { background: transparent; color: #ddd; }"
)


class ValueEditor(QtWidgets.QGraphicsProxyWidget):
    """A proxy widget editing one input port's manual value; ``edited`` sends the new value.

    ``edited(port, value)`` carries a string, or ``None`` when the value was cleared.
    """

    edited = QtCore.Signal(str, object)

    def __init__(self, port: Port, value: Any, parent: QtWidgets.QGraphicsItem) -> None:
        super().__init__(parent)
        self.port = port
        self.editor = self._make_editor(port.type)
        self.editor.setFixedSize(EDITOR_WIDTH, EDITOR_HEIGHT)
        self.editor.setStyleSheet(_STYLE)
        self.editor.setAttribute(QtCore.Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setWidget(self.editor)
        self.show_value(value)

    def _make_editor(self, port_type: str) -> QtWidgets.QWidget:
        if port_type == "Boolean":
            editor = QtWidgets.QCheckBox()
            editor.toggled.connect(self._send)
        elif port_type == "Int":
            editor = QtWidgets.QSpinBox()
            editor.setRange(*_INT_RANGE)
            editor.editingFinished.connect(self._send)
        elif port_type == "Float":
            editor = _CompactDoubleSpinBox()
            editor.setRange(-1e12, 1e12)
            editor.setDecimals(4)
            editor.editingFinished.connect(self._send)
        else:
            editor = QtWidgets.QLineEdit()
            editor.setPlaceholderText(self.port.type)
            editor.editingFinished.connect(self._send)
        editor.setToolTip(f"{self.port.name} ({self.port.type})")
        return editor

    def current(self) -> str | None:
        """The value the editor shows, as the string the model stores."""
        editor = self.editor
        if isinstance(editor, QtWidgets.QCheckBox):
            return "true" if editor.isChecked() else "false"
        if isinstance(editor, (QtWidgets.QSpinBox, QtWidgets.QDoubleSpinBox)):
            return str(editor.value())
        return editor.text() or None

    def show_value(self, value: Any) -> None:
        """Display ``value`` (a manual value, or ``None`` for the port default) silently."""
        if value is None:
            value = self.port.default
        editor = self.editor
        blocked = editor.blockSignals(True)
        try:
            if isinstance(editor, QtWidgets.QLineEdit):
                editor.setText("" if value is None else _as_text(value))
                editor.setCursorPosition(0)
            else:
                typed = _typed(value, self.port.type)
                if isinstance(editor, QtWidgets.QCheckBox):
                    editor.setChecked(bool(typed))
                else:
                    editor.setValue(typed or 0)
        finally:
            editor.blockSignals(blocked)

    def _send(self, *_args: Any) -> None:
        self.edited.emit(self.port.name, self.current())


class _CompactDoubleSpinBox(QtWidgets.QDoubleSpinBox):
    """Shows 2.5 rather than 2.5000."""

    def textFromValue(self, value: float) -> str:
        return f"{value:.{self.decimals()}f}".rstrip("0").rstrip(".") or "0"


def _typed(value: Any, port_type: str) -> Any:
    try:
        return convert_value(value, port_type)
    except ConversionError:
        return None


def _as_text(value: Any) -> str:
    text = convert_value(value, "String") if not isinstance(value, str) else value
    return str(text)
