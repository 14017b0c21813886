"""New nodespec is one dialog: title, id (checked as typed) and the first code."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.ui.authoring.new_spec_dialog import NEW_FUNC, NewSpecDialog
from pyflow_desktop.ui.authoring.spec_editor import SpecEditorPanel
from pyflow_desktop.ui.run.settings import RunSettings
from pyflow_desktop.ui.run.spec_tester import SpecTester

Key = QtCore.Qt.Key
pytestmark = pytest.mark.real_dialogs  # these work the New dialog itself


@pytest.fixture
def panel(qtbot, repo):
    widget = SpecEditorPanel(QtGui.QUndoStack(), SpecTester(RunSettings), lambda _specs: True)
    qtbot.addWidget(widget)
    widget.set_repository(repo)
    widget.show()
    return widget


def with_dialog(panel: SpecEditorPanel, fill) -> bool:
    """Press New, let ``fill(dialog)`` work the dialog's widgets, and return what New did."""
    seen = []

    def work() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        seen.append(dialog)
        try:
            fill(dialog)
        finally:
            if dialog.isVisible():  # a failed step must not leave the test waiting
                dialog.reject()

    QtCore.QTimer.singleShot(0, work)
    panel.actions_by_name["New"].trigger()
    assert len(seen) == 1 and isinstance(seen[0], NewSpecDialog)
    return panel.spec_id


def retype(qtbot, line_edit: QtWidgets.QLineEdit, text: str) -> None:
    line_edit.selectAll()
    qtbot.keyClick(line_edit, Key.Key_Backspace)
    qtbot.keyClicks(line_edit, text)


def test_one_dialog_makes_a_spec_whose_ports_follow_its_code(qtbot, panel):
    panel.show_spec("math.add")

    def fill(dialog: NewSpecDialog) -> None:
        assert dialog.editor.toPlainText() == NEW_FUNC
        assert dialog.id_edit.text() == "math." and not dialog.ok_button.isEnabled()
        assert "not a dotted id" in dialog.reason.text()
        qtbot.keyClicks(dialog.title_edit, "Scale values")
        assert dialog.id_edit.text() == "math.scale_values", "the title suggests the id"
        assert dialog.ok_button.isEnabled() and dialog.reason.text() == ""
        retype(qtbot, dialog.id_edit, "math.add")
        assert not dialog.ok_button.isEnabled()
        assert "already a nodespec 'math.add'" in dialog.reason.text()
        retype(qtbot, dialog.id_edit, "demo.scale")
        qtbot.keyClicks(dialog.title_edit, "!")
        assert dialog.id_edit.text() == "demo.scale", "a typed id no longer follows the title"
        dialog.editor.selectAll()
        qtbot.keyClick(dialog.editor, Key.Key_Delete)
        qtbot.keyClicks(dialog.editor, "def func(x: float, factor=2):")
        qtbot.keyClick(dialog.editor, Key.Key_Return)
        qtbot.keyClicks(dialog.editor, "return x * factor")
        assert dialog.ok_button.isEnabled()
        qtbot.mouseClick(dialog.ok_button, QtCore.Qt.MouseButton.LeftButton)

    assert with_dialog(panel, fill) == "demo.scale"
    spec = panel.repo.specs["demo.scale"]
    assert spec.title == "Scale values!"
    assert spec.func == "def func(x: float, factor=2):\n    return x * factor"
    assert [(p.name, p.type, p.order, p.default) for p in spec.inputs] == [
        ("x", "Float", 0, None),
        ("factor", "Int", 1, "2"),
    ]
    assert [port.name for port in panel.inputs_table.ports()] == ["x", "factor"]
    panel.undo_stack.undo()
    assert "demo.scale" not in panel.repo.specs and panel.spec_id is None


def test_bad_code_keeps_ok_disabled_and_cancel_makes_nothing(qtbot, panel):
    before = set(panel.repo.specs)

    def fill(dialog: NewSpecDialog) -> None:
        assert dialog.id_edit.text() == "user."
        retype(qtbot, dialog.id_edit, "demo.broken")
        assert dialog.ok_button.isEnabled()
        dialog.editor.moveCursor(QtGui.QTextCursor.MoveOperation.End)
        qtbot.keyClicks(dialog.editor, "    x = (1 +")
        qtbot.waitUntil(lambda: not dialog.ok_button.isEnabled(), timeout=3000)
        assert dialog.reason.text().startswith("Code: line 3:")
        qtbot.mouseClick(
            dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel),
            QtCore.Qt.MouseButton.LeftButton,
        )
        assert not dialog.isVisible()

    assert with_dialog(panel, fill) is None
    assert set(panel.repo.specs) == before and panel.undo_stack.count() == 0


def test_a_scripted_new_spec_asks_nothing(panel):
    assert panel.new_spec("demo.pair", "Pair", "def func(a, b=1):\n    return [a, b]\n")
    assert [p.name for p in panel.repo.specs["demo.pair"].inputs] == ["a", "b"]
    assert QtWidgets.QApplication.activeModalWidget() is None
