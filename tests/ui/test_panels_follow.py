"""The Inspector, the Code panel and the viewers follow what the user points at: the
selection (cleared, or made by a right-click), the flow tab in front, and a failed node's line
in its code."""

from __future__ import annotations

from helpers import action, click_node, fresh_window, select
from PySide6 import QtCore, QtGui, QtTest

Button = QtCore.Qt.MouseButton
Key = QtCore.Qt.Key


def click_empty_canvas(qtbot, canvas) -> None:
    viewport = canvas.viewer().viewport()
    qtbot.mouseClick(viewport, Button.LeftButton, pos=QtCore.QPoint(8, viewport.height() - 8))


def click_tab(qtbot, win, flow_id: str) -> None:
    bar = win.tabs.widget.tabBar()
    index = next(
        i for i in range(bar.count()) if win.tabs.widget.widget(i).property("flow_id") == flow_id
    )
    qtbot.mouseClick(bar, Button.LeftButton, pos=bar.tabRect(index).center())


def test_the_inspector_clears_when_the_selection_clears(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    inspector = win.panels.inspector
    select(qtbot, canvas, "n1")
    assert inspector.node_id == "n1" and "Add (math.add)" in inspector.title.text()
    click_empty_canvas(qtbot, canvas)
    assert canvas.selected_ids() == []
    assert inspector.node_id is None and "Select a node" in inspector.title.text()
    assert inspector.inputs.rowCount() == 0
    assert win.panels.spec_editor.spec_id == "math.add", "the Code panel keeps its spec"


def test_a_node_selected_by_right_click_is_inspected(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    select(qtbot, canvas, "n1")
    view = canvas.viewer()
    body = canvas.flow_node("n2").view.sceneBoundingRect()
    spot = view.viewport().mapTo(win, view.mapFromScene(body.center().x(), body.top() + 8))
    # Through the window, as the system delivers it: the press opens the context menu.
    QtTest.QTest.mouseClick(
        win.windowHandle(), Button.RightButton, QtCore.Qt.KeyboardModifier(0), spot
    )
    menu = win.menus.last
    assert menu is not None and menu.isVisible()
    menu.close()
    assert canvas.selected_ids() == ["n2"]
    assert win.panels.inspector.node_id == "n2"
    assert win.panels.spec_editor.spec_id == "math.mul"


def test_the_code_panel_follows_the_flow_tab_in_front(qtbot, repo):
    win = fresh_window(qtbot, repo)
    panels = win.panels
    calc = win.tabs.open_flow("calc")
    select(qtbot, calc, "n2")
    broken = win.tabs.open_flow("broken")
    assert panels.spec_editor.spec_id is None and panels.inspector.node_id is None
    select(qtbot, broken, "f1")
    assert panels.spec_editor.spec_id == "debug.fail"
    click_tab(qtbot, win, "calc")
    assert panels.spec_editor.spec_id == "math.mul" and panels.inspector.node_id == "n2"
    assert win.library.flows.currentItem().text().startswith("Calculation")
    click_tab(qtbot, win, "broken")
    assert panels.spec_editor.spec_id == "debug.fail" and panels.inspector.node_id == "f1"
    click_empty_canvas(qtbot, broken)
    click_tab(qtbot, win, "calc")
    click_tab(qtbot, win, "broken")  # nothing selected there: nothing shown
    assert panels.spec_editor.spec_id is None and panels.inspector.node_id is None
    click_tab(qtbot, win, "calc")
    action(win, "Edit", "Edit nodespec").trigger()
    qtbot.keyClicks(panels.spec_editor.editor, "# mine")
    click_tab(qtbot, win, "broken")  # unsaved code stays
    assert panels.spec_editor.spec_id == "math.mul" and panels.spec_editor.is_modified()


def test_a_failed_nodes_line_is_marked_when_it_is_selected_and_stays_while_its_spec_shows(
    qtbot, repo
):
    repo.replace_spec(
        repo.specs["debug.fail"].copy(func="def func(x):\n    y = x + 1\n    raise ValueError(y)\n")
    )
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("broken")
    select(qtbot, canvas, "f2")  # the Code panel shows another spec during the run
    with qtbot.waitSignal(win.runs.run_done, timeout=30_000):
        qtbot.keyClick(canvas.viewer().viewport(), Key.Key_F5)
    editor = win.panels.spec_editor.editor
    assert win.panels.spec_editor.spec_id == "math.add" and editor.marked_lines() == []
    select(qtbot, canvas, "f1")
    assert win.panels.spec_editor.spec_id == "debug.fail" and editor.marked_lines() == [3]
    marks = [
        s
        for s in editor.extraSelections()
        if s.format.underlineStyle() != QtGui.QTextCharFormat.UnderlineStyle.NoUnderline
    ]
    assert [m.cursor.block().text() for m in marks] == ["    raise ValueError(y)"]
    select(qtbot, canvas, "f1")  # selected again
    click_empty_canvas(qtbot, canvas)
    editor.check_now()  # the check as you type, done
    assert editor.marked_lines() == [3]
    select(qtbot, canvas, "f2")  # skipped, not failed: no mark in its code
    assert win.panels.spec_editor.spec_id == "math.add" and editor.marked_lines() == []
    select(qtbot, canvas, "f1")
    assert editor.marked_lines() == [3]
    action(win, "Edit", "Edit nodespec").trigger()
    editor.moveCursor(QtGui.QTextCursor.MoveOperation.Start)
    qtbot.keyClicks(editor, "import math")
    qtbot.keyClick(editor, Key.Key_Return)
    assert editor.marked_lines() == [4], "the mark moved with its line"
    line = QtGui.QTextCursor(editor.document().findBlockByNumber(3))
    line.movePosition(
        QtGui.QTextCursor.MoveOperation.EndOfBlock, QtGui.QTextCursor.MoveMode.KeepAnchor
    )
    editor.setTextCursor(line)  # the marked line's text selected, as a drag over it does
    qtbot.keyClick(editor, Key.Key_Delete)  # the marked line's text is gone, and its mark
    assert editor.marked_lines() == []


def test_panels_follow_the_tab_in_front(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    calc = win.tabs.open_flow("calc")
    assert run_and_wait(win)
    qtbot.waitUntil(lambda: calc.flow_node("n2").status_text().startswith("success"))
    click_node(qtbot, calc, "n2")
    inspector = win.panels.inspector
    qtbot.waitUntil(lambda: inspector.node_id == "n2", timeout=2000)
    dock = win.panels.viewers.open_viewer("n2", "out", "calc")
    broken = win.tabs.open_flow("broken")  # nothing selected there
    assert inspector.node_id is None and inspector.flow is None
    assert not dock.isVisible()
    assert not run_and_wait(win)  # F5 in this tab runs this tab's flow, shown here only
    qtbot.waitUntil(lambda: broken.flow_node("f1").status_text().startswith("fail"))
    click_node(qtbot, broken, "f1")
    qtbot.waitUntil(lambda: inspector.node_id == "f1", timeout=2000)
    assert inspector.details.currentWidget() is inspector.error_text  # a failed node
    win.tabs.open_flow("calc")  # back: its selection, its viewer, its results
    assert inspector.node_id == "n2" and inspector.node_state().status == "success"
    assert inspector.details.currentWidget() is inspector.value_text
    assert dock.isVisible()
    assert win.panels.spec_editor.spec_id == "math.mul"


def test_a_closed_viewer_does_not_come_back_with_its_tab(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    dock = win.panels.viewers.open_viewer("n2", "out", "calc")
    dock.close()
    assert ("calc", "n2", "out") not in win.panels.viewers.viewers
    win.tabs.open_flow("broken")
    win.tabs.open_flow("calc")
    assert not any(d.isVisible() for d in win.panels.viewers.viewers.values())


def test_a_failing_line_is_marked_in_the_code_when_its_spec_is_shown(qtbot, repo, run_and_wait):
    repo.replace_spec(
        repo.specs["debug.fail"].copy(func="def func(x):\n    y = x + 1\n    raise ValueError(y)\n")
    )
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("broken")
    win.panels.edit_spec("debug.fail")
    assert not run_and_wait(win)
    assert win.panels.spec_editor.editor.marked_lines() == [3]
    traceback = win.run_states.node("broken", "f1").traceback
    assert traceback.startswith("Traceback") and "pyflow_desktop" not in traceback
