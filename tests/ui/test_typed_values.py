"""A value typed into a canvas field is never lost: whatever ends the typing (a key, a click
anywhere, a menu, a shortcut, closing the window) commits it as one undoable edit, and the
run, the Inspector, the title's `*` and the saved file all see it. Inside a field, the
editing keys act on its text, not on the nodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Answers, centre, click_scene, fresh_window, type_into
from PySide6 import QtCore, QtTest, QtWidgets

from pyflow_desktop.repository import load_repository, save_repository
from pyflow_desktop.ui.canvas.value_editor import editor_of

Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier
LIBRARY = Path(__file__).parents[2] / "resources" / "library.json"


def press(canvas, key, modifiers=Mod.NoModifier) -> None:
    """A key pressed where the keyboard focus is (the canvas, or its field being typed in)."""
    QtTest.QTest.keyClick(canvas.viewer().viewport(), key, modifiers)


def empty_spot(canvas) -> QtCore.QPointF:
    """A point on the canvas, in view, with no node on it."""
    view = canvas.viewer()
    corner = view.mapToScene(QtCore.QPoint(12, view.viewport().height() - 12))
    assert not view.scene().items(corner)
    return corner


def values(win, flow="calc", node="n1") -> dict:
    return win.repo.flows[flow].nodes[node].values


def run_and_wait(qtbot, win, key=Key.Key_F5) -> None:
    """Run as the user does, by the Run menu's shortcut."""
    with qtbot.waitSignal(win.runs.run_done, timeout=20_000):
        QtTest.QTest.keyClick(QtWidgets.QApplication.focusWidget(), key)


@pytest.fixture
def math_window(qtbot, tmp_path, monkeypatch):
    """The window on a copy of the built-in library, showing the math example (its code is
    trusted when asked)."""
    Answers(monkeypatch, "Trust and run")
    path = tmp_path / "library.json"
    save_repository(load_repository(LIBRARY), path, "native")
    win = fresh_window(qtbot)
    assert win.files.open_path(str(path))
    canvas = win.tabs.open_flow("examples.math")
    return win, canvas, path


def test_tab_then_a_click_and_f5_run_the_typed_value(qtbot, math_window):
    """Type 7 into `a` of "2 + 3", Tab, click the canvas, F5: the run adds 7 and 3."""
    win, canvas, path = math_window
    field = type_into(qtbot, canvas, "n1", "a", "7")
    press(canvas, Key.Key_Tab)
    click_scene(canvas, empty_spot(canvas))
    assert field.text() == "7" and values(win, "examples.math")["a"] == "7"
    assert win.isWindowModified() and win.undo_stack.count() == 1
    run_and_wait(qtbot, win)
    result = win.run_states.get("examples.math").outcome
    assert result.output("n1") == 10 and result.output("n6") == 3.18
    assert canvas.flow_node("n1").preview("out") == "10.0"
    click_scene(canvas, centre(canvas.flow_node("n1").item.footer))
    inspector = win.panels.inspector
    qtbot.waitUntil(lambda: inspector.node_id == "n1", timeout=2000)
    assert inspector.inputs.item(0, 2).text() == "7"
    press(canvas, Key.Key_S, Mod.ControlModifier)
    qtbot.waitUntil(lambda: not win.isWindowModified(), timeout=5000)
    assert load_repository(path).flows["examples.math"].nodes["n1"].values["a"] == "7"


@pytest.mark.parametrize(
    ("key", "modifiers", "focus_after"),
    [
        (Key.Key_Return, Mod.NoModifier, "a"),
        (Key.Key_Tab, Mod.NoModifier, "b"),
        (Key.Key_Backtab, Mod.ShiftModifier, None),  # `a` is the first field: none before
    ],
)
def test_enter_tab_and_shift_tab_commit_as_one_undoable_edit(
    qtbot, repo, key, modifiers, focus_after
):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "a", "7")
    press(canvas, key, modifiers)
    focused = editor_of(canvas.viewer().scene().focusItem())
    assert (focused.port.name if focused is not None else None) == focus_after
    assert values(win)["a"] == "7" and win.undo_stack.count() == 1 and win.isWindowModified()
    win.undo_stack.undo()
    assert values(win)["a"] == "2" and canvas.flow_node("n1").item.editors["a"].editor.text() == "2"


def test_shift_tab_goes_back_to_the_previous_field(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "b", "8")
    press(canvas, Key.Key_Backtab, Mod.ShiftModifier)
    focused = editor_of(canvas.viewer().scene().focusItem())
    assert focused is not None and focused.port.name == "a" and values(win)["b"] == "8"
    QtTest.QTest.keyClicks(canvas.viewer().viewport(), "5")  # Shift+Tab selected its text
    press(canvas, Key.Key_Return)
    assert values(win) == {"a": "5", "b": "8"} and win.undo_stack.count() == 2


def test_f5_with_the_field_still_focused_runs_the_typed_value(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    field = type_into(qtbot, canvas, "n1", "a", "7")
    run_and_wait(qtbot, win)
    assert win.run_states.get("calc").outcome.output("n1") == 10
    assert values(win)["a"] == "7" and win.undo_stack.count() == 1
    QtTest.QTest.keyClicks(canvas.viewer().viewport(), "5")  # the field is typed on as it was
    assert field.hasFocus() and field.text() == "75"


def test_ctrl_s_with_the_field_still_focused_saves_the_typed_value(qtbot, repo_file):
    win = fresh_window(qtbot)
    assert win.files.open_path(str(repo_file))
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "a", "41")
    press(canvas, Key.Key_S, Mod.ControlModifier)
    qtbot.waitUntil(lambda: win.undo_stack.count() == 1 and win.undo_stack.isClean(), timeout=5000)
    assert load_repository(repo_file).flows["calc"].nodes["n1"].values["a"] == "41"


def test_a_shortcut_commits_before_its_action_reads_the_model(qtbot, repo):
    """Ctrl+D copies the node with the value being typed (its action reads the model)."""
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    canvas.flow_node("n1").item.setSelected(True)
    type_into(qtbot, canvas, "n1", "a", "7")
    press(canvas, Key.Key_D, Mod.ControlModifier)
    copies = [node for node_id, node in win.repo.flows["calc"].nodes.items() if node_id != "n1"]
    copy = next(node for node in copies if node.spec_id == "math.add")
    assert copy.values["a"] == "7" and values(win)["a"] == "7"


def test_a_click_in_another_panel_commits(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "a", "7")
    filter_box = win.library.findChild(QtWidgets.QLineEdit)
    QtTest.QTest.mouseClick(filter_box, QtCore.Qt.MouseButton.LeftButton)  # takes the focus
    assert values(win)["a"] == "7" and win.isWindowModified()
    type_into(qtbot, canvas, "n1", "b", "8")
    status = win.statusBar()  # takes no focus: the field keeps it, and commits
    QtTest.QTest.mouseClick(status, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(5, 5))
    assert values(win)["b"] == "8" and win.undo_stack.count() == 2
    assert editor_of(canvas.viewer().scene().focusItem()) is not None


def test_a_click_on_another_node_or_the_menu_bar_commits(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "a", "7")
    click_scene(canvas, centre(canvas.flow_node("n2").item.footer))
    assert values(win)["a"] == "7"
    type_into(qtbot, canvas, "n1", "b", "8")
    bar = win.menuBar()
    run_menu = next(a for a in bar.actions() if a.text() == "&Run")
    QtTest.QTest.mouseClick(
        bar, QtCore.Qt.MouseButton.LeftButton, pos=bar.actionGeometry(run_menu).center()
    )
    qtbot.waitUntil(lambda: run_menu.menu().isVisible(), timeout=2000)
    assert values(win)["b"] == "8"
    run_menu.menu().close()


def test_leaving_the_window_commits(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    field = type_into(qtbot, canvas, "n1", "a", "7")
    other = QtWidgets.QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is other, timeout=2000)
    assert values(win)["a"] == "7" and win.isWindowModified()
    win.activateWindow()
    qtbot.waitUntil(lambda: field.hasFocus(), timeout=2000)  # back where the user left it


def test_closing_the_window_asks_about_a_typed_value_and_saves_it(qtbot, repo_file, monkeypatch):
    win = fresh_window(qtbot)
    assert win.files.open_path(str(repo_file))
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "a", "41")
    asked = []

    def question(parent, title, *args):
        asked.append(title)
        return QtWidgets.QMessageBox.StandardButton.Save

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", question)
    win.ask_on_close = True
    assert win.close()
    assert asked == ["Unsaved changes"]
    assert load_repository(repo_file).flows["calc"].nodes["n1"].values["a"] == "41"


def test_editing_keys_in_a_field_act_on_its_text_not_on_the_nodes(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    field = type_into(qtbot, canvas, "n1", "a", "12")
    press(canvas, Key.Key_A, Mod.ControlModifier)
    assert field.selectedText() == "12" and canvas.selected_ids() == []
    press(canvas, Key.Key_C, Mod.ControlModifier)
    assert QtWidgets.QApplication.clipboard().text() == "12"
    press(canvas, Key.Key_X, Mod.ControlModifier)
    assert field.text() == "" and set(win.repo.flows["calc"].nodes) == {"n1", "n2"}
    press(canvas, Key.Key_V, Mod.ControlModifier)
    press(canvas, Key.Key_V, Mod.ControlModifier)
    assert field.text() == "1212" and set(win.repo.flows["calc"].nodes) == {"n1", "n2"}
    press(canvas, Key.Key_Backspace)
    press(canvas, Key.Key_Home)
    press(canvas, Key.Key_Delete)
    assert field.text() == "21" and set(win.repo.flows["calc"].nodes) == {"n1", "n2"}
    press(canvas, Key.Key_A, Mod.ControlModifier)
    QtTest.QTest.keyClicks(canvas.viewer().viewport(), "9")  # the selection is replaced
    press(canvas, Key.Key_Return)
    assert values(win)["a"] == "9" and win.undo_stack.count() == 1


def test_the_editing_shortcuts_still_work_on_the_canvas(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "a", "7")
    click_scene(canvas, empty_spot(canvas))
    press(canvas, Key.Key_A, Mod.ControlModifier)
    assert sorted(canvas.selected_ids()) == ["n1", "n2"]
    press(canvas, Key.Key_C, Mod.ControlModifier)
    assert '"math.add"' in QtWidgets.QApplication.clipboard().text()
    press(canvas, Key.Key_Delete)
    assert win.repo.flows["calc"].nodes == {}
    press(canvas, Key.Key_V, Mod.ControlModifier)
    assert len(win.repo.flows["calc"].nodes) == 2


def test_a_title_being_renamed_is_saved_by_ctrl_s_and_keeps_its_editing_keys(qtbot, repo_file):
    win = fresh_window(qtbot)
    assert win.files.open_path(str(repo_file))
    canvas = win.tabs.open_flow("calc")
    item = canvas.flow_node("n1").item
    title = item.mapToScene(QtCore.QPointF(item.boundingRect().center().x(), 10))
    canvas.set_view(title.x(), title.y(), 1.0)
    view = canvas.viewer()
    QtTest.QTest.mouseDClick(
        view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=view.mapFromScene(title)
    )
    qtbot.waitUntil(lambda: view.scene().focusItem() is not None, timeout=2000)
    press(canvas, Key.Key_A, Mod.ControlModifier)
    QtTest.QTest.keyClicks(view.viewport(), "first sum")
    assert canvas.selected_ids() == []  # Ctrl+A selected its text, not every node
    press(canvas, Key.Key_S, Mod.ControlModifier)
    qtbot.waitUntil(lambda: win.undo_stack.isClean() and win.undo_stack.count() == 1, timeout=5000)
    assert load_repository(repo_file).flows["calc"].nodes["n1"].name == "first sum"


def test_ctrl_z_in_a_field_undoes_its_typing_not_the_last_edit(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "b", "8")
    press(canvas, Key.Key_Return)
    field = type_into(qtbot, canvas, "n1", "a", "7")
    press(canvas, Key.Key_Z, Mod.ControlModifier)
    assert field.text() == "2" and values(win) == {"a": "2", "b": "8"}
    assert win.undo_stack.count() == 1 and win.undo_stack.canUndo()
