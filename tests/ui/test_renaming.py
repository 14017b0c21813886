"""Renaming a flow or a node starts from the name the user sees, whichever way it opens: the
Library's Rename dialog, a node's Rename… dialog or its title edited in place. Keeping that
name changes nothing."""

from __future__ import annotations

import pytest
from helpers import entries, fresh_window, right_click
from PySide6 import QtCore, QtTest, QtWidgets

from pyflow_desktop.ui.canvas.labels import TitleEditor

Key = QtCore.Qt.Key


def answer_dialog(reply: str | None, seen: list[str]) -> QtCore.QTimer:
    """When the next modal dialog shows: note the text of its field, type ``reply`` over it
    (``None``: keep it) and press Enter. Keep the timer returned until then."""
    timer = QtCore.QTimer(interval=10)

    def answer() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        if dialog is None:
            return
        timer.stop()
        field = dialog.findChild(QtWidgets.QLineEdit)
        seen.append(field.text())
        if reply is not None:
            field.selectAll()
            QtTest.QTest.keyClicks(field, reply)
        QtTest.QTest.keyClick(field, Key.Key_Return)

    timer.timeout.connect(answer)
    timer.start()
    return timer


def library_button(win, text: str) -> QtWidgets.QPushButton:
    return next(b for b in win.library.findChildren(QtWidgets.QPushButton) if b.text() == text)


@pytest.mark.real_dialogs
def test_the_library_renames_a_flow_from_its_current_name(qtbot, repo):
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    seen: list[str] = []
    _timer = answer_dialog(None, seen)
    QtTest.QTest.mouseClick(library_button(win, "Rename"), QtCore.Qt.MouseButton.LeftButton)
    assert seen == ["Calculation"] and not win.undo_stack.canUndo()
    _timer = answer_dialog("Sums", seen)
    QtTest.QTest.mouseClick(library_button(win, "Rename"), QtCore.Qt.MouseButton.LeftButton)
    assert seen == ["Calculation", "Calculation"] and win.repo.flows["calc"].name == "Sums"
    assert win.tabs.widget.tabText(win.tabs.widget.currentIndex()) == "Sums"


@pytest.mark.real_dialogs
def test_a_node_renamed_from_its_menu_starts_from_the_name_it_shows(qtbot, repo):
    """n2 has no name of its own and is an end node: its title is "■ Multiply"."""
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    body = canvas.flow_node("n2").view.sceneBoundingRect().center()
    seen: list[str] = []
    _timer = answer_dialog(None, seen)
    entries(right_click(qtbot, win, canvas, body))["Rename…"].trigger()
    assert seen == ["Multiply"] and not win.undo_stack.canUndo()
    _timer = answer_dialog("times ten", seen)
    entries(right_click(qtbot, win, canvas, body))["Rename…"].trigger()
    assert seen[-1] == "Multiply" and win.repo.flows["calc"].nodes["n2"].name == "times ten"
    assert canvas.flow_node("n2").view.name == "■ times ten"


def test_a_title_edited_in_place_starts_from_the_name_without_its_marks(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    viewer = canvas.viewer()
    body = canvas.flow_node("n2").view.sceneBoundingRect()
    title = viewer.mapFromScene(QtCore.QPointF(body.center().x(), body.top() + 10))
    QtTest.QTest.mouseClick(viewer.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=title)
    QtTest.QTest.mouseDClick(viewer.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=title)
    editor = viewer.scene().focusItem()
    assert isinstance(editor, TitleEditor) and editor.toPlainText() == "Multiply"
    QtTest.QTest.keyClick(viewer.viewport(), Key.Key_Return)
    assert not win.undo_stack.canUndo() and canvas.flow_node("n2").view.name == "■ Multiply"
