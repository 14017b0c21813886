"""SpecTestForm: type a value per input, press Test, read the outcome below; Stop ends it.

One widget per input port, typed by the port (a check box for Boolean, a line edit that only
takes numbers for Int, Long and Float — as on the canvas —, a free line edit otherwise).
``start(spec)`` hands the spec and the typed values to the ``Tester`` the form was built
with (the window's runs Test as they run nodes: on the executor of the run settings, within
its timeout), so the GUI never waits on node code; ``finished`` gives the outcome.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6 import QtCore, QtGui, QtWidgets

from ...engine import NodeOutcome
from ...engine.sandbox import SandboxUnavailable
from ...repository import ConversionError, NodeSpec, Port, convert_value
from ...spec_test import SpecInputError
from ..canvas.value_editor import typed_line_edit
from ..shortcuts import key_text
from ..value_text import default_text, short_text

MAX_SHOWN = 20_000


class Tester(Protocol):
    """What runs a Test (``ui.run.spec_tester.SpecTester``): ``finished`` gives a
    ``NodeOutcome``, or a str saying why the Test could not run."""

    started: QtCore.SignalInstance
    finished: QtCore.SignalInstance

    @property
    def running(self) -> bool: ...

    def start(self, spec: NodeSpec, values: dict[str, Any]) -> None: ...

    def stop(self) -> None: ...


def _initial(port: Port) -> Any:
    try:
        return convert_value(port.default, port.type)
    except ConversionError:
        return None


class SpecTestForm(QtWidgets.QWidget):
    """Typed inputs, a Test button and the result; ``finished`` sends a NodeOutcome or a str."""

    test_requested = QtCore.Signal()
    finished = QtCore.Signal(object)

    def __init__(self, tester: Tester, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, QtWidgets.QWidget] = {}
        self.tester = tester
        self.spec: NodeSpec | None = None  # the spec of the Test in progress, or of the last one
        tester.started.connect(self._started)
        tester.finished.connect(self._show_result)
        self.inputs = QtWidgets.QFormLayout()
        self.test_button = QtWidgets.QPushButton("Test")
        self.test_button.setToolTip(
            "Run this function once with the values above, unsaved code included "
            f"({key_text('test')})"
        )
        self.test_button.clicked.connect(self.test_requested)
        self.stop_button = QtWidgets.QPushButton("Stop", enabled=False)
        self.stop_button.setToolTip(f"Stop the Test ({key_text('stop')})")
        self.stop_button.clicked.connect(tester.stop)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.test_button, 1)
        buttons.addWidget(self.stop_button)
        self.result = QtWidgets.QPlainTextEdit(readOnly=True)
        self.result.setPlaceholderText("Press Test to run the function with these values")
        self.result.setFont(
            QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        )
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.inputs)
        layout.addLayout(buttons)
        layout.addWidget(self.result, 1)

    # -- the inputs ---------------------------------------------------------------------------

    def set_ports(self, ports: list[Port], keep: bool = True) -> None:
        """One editor per input, in call order, showing its default; with ``keep`` (the same
        spec's ports changed) the values already typed stay, by name."""
        kept = self.values() if keep else {}
        while self.inputs.rowCount():
            self.inputs.removeRow(0)
        self.editors = {}
        for port in sorted(ports, key=lambda port: port.order):
            editor = self._make_editor(port)
            if port.name in kept:
                self._show(editor, kept[port.name])
            self.editors[port.name] = editor
            self.inputs.addRow(f"{port.name} ({port.type})", editor)

    def _make_editor(self, port: Port) -> QtWidgets.QWidget:
        if port.type == "Boolean":
            editor = QtWidgets.QCheckBox()
            self._show(editor, _initial(port))
            return editor
        editor = typed_line_edit(QtWidgets.QLineEdit(), port.type)
        editor.setPlaceholderText(port.type)
        self._show(editor, default_text(port.default))
        return editor

    @staticmethod
    def _show(editor: QtWidgets.QWidget, value: Any) -> None:
        if isinstance(editor, QtWidgets.QCheckBox) and isinstance(value, bool):
            editor.setChecked(value)
        elif isinstance(editor, QtWidgets.QLineEdit) and isinstance(value, str):
            editor.setText(value)

    def values(self) -> dict[str, Any]:
        """The typed values (a bool, or text read by the port type); empty means the default."""
        values: dict[str, Any] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QtWidgets.QCheckBox):
                values[name] = editor.isChecked()
            elif editor.text():
                values[name] = editor.text()
        return values

    # -- running ------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.tester.running

    def start(self, spec: NodeSpec) -> None:
        """Run ``spec`` once with the typed values, off the GUI thread."""
        if self.running:
            return
        self.spec = spec
        try:
            self.tester.start(spec, self.values())
        except (SpecInputError, SandboxUnavailable) as exc:
            self.result.setPlainText(f"Cannot test: {exc}")
            self.finished.emit(str(exc))

    def _started(self) -> None:
        self.test_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.result.setPlainText(f"Running {self.spec.id}…")

    def _show_result(self, result: object) -> None:
        self.test_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if isinstance(result, NodeOutcome):
            self.result.setPlainText(format_outcome(self.spec, result))
        else:
            self.result.setPlainText(f"Cannot test: {result}")
        self.finished.emit(result)


def format_outcome(spec: NodeSpec, outcome: NodeOutcome) -> str:
    """The outputs (or the error with its traceback), captured output and time, as text."""
    if outcome.ok:
        lines = [
            f"{port.name} ({port.type}) = {_shown(outcome.outputs.get(port.name))}"
            for port in spec.outputs
        ] or ["(no outputs)"]
    else:
        where = f" (line {outcome.error_line})" if outcome.error_line else ""
        lines = [f"Error{where}: {outcome.error}", "", outcome.traceback.rstrip()]
    for title, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
        if text:
            lines += ["", f"— {title} —", text.rstrip()]
    lines += ["", f"took {outcome.elapsed * 1000:.1f} ms"]
    return "\n".join(lines)


def _shown(value: Any) -> str:
    return short_text(value, MAX_SHOWN)
