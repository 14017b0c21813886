"""The Edit menu's actions on nodes (``ui/window/edit_actions.py``), as node editors do them:
paste at the cursor, Select All, Duplicate, the system clipboard, what is selected after a
paste, one Ctrl+Z."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import action, fresh_window, new_ids, set_selection, settle
from PySide6 import QtCore, QtGui, QtTest, QtWidgets

from pyflow_desktop.repository import Repository
from pyflow_desktop.repository.fragment import MIME_TYPE


def positions(flow, node_ids) -> list[tuple[float, float]]:
    return [(flow.nodes[n].x, flow.nodes[n].y) for n in node_ids]


def test_paste_lands_at_the_mouse_cursor(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    flow = repo.flows["calc"]
    settle(qtbot)  # the tab's first frame
    set_selection(canvas, "n1", "n2")
    action(win, "Edit", "Copy").trigger()
    viewport = canvas.viewer().viewport()
    spot = QtCore.QPoint(viewport.width() // 3, viewport.height() - 60)
    QtGui.QCursor.setPos(viewport.mapToGlobal(spot))
    assert viewport.mapFromGlobal(QtGui.QCursor.pos()) == spot
    before = set(flow.nodes)
    action(win, "Edit", "Paste").trigger()
    pasted = new_ids(flow, before)
    assert len(pasted) == 2 and len([link for link in flow.links if link.target in pasted]) == 1
    target = canvas.viewer().mapToScene(spot)
    xs, ys = zip(*positions(flow, pasted))
    assert abs(min(xs) - target.x()) < 1 and abs(min(ys) - target.y()) < 1
    win.undo_stack.undo()
    assert set(flow.nodes) == before


def test_select_all_and_duplicate(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    flow = repo.flows["calc"]
    select_all = action(win, "Edit", "Select All")
    assert select_all.shortcut() == QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.SelectAll)
    select_all.trigger()
    assert sorted(canvas.selected_ids()) == ["n1", "n2"]
    QtWidgets.QApplication.clipboard().setText("left alone")
    duplicate = action(win, "Edit", "Duplicate")
    assert duplicate.shortcut() == QtGui.QKeySequence("Ctrl+D")
    before = set(flow.nodes)
    duplicate.trigger()
    copies = new_ids(flow, before)
    assert len(copies) == 2
    assert sorted(flow.nodes[c].spec_id for c in copies) == ["math.add", "math.mul"]
    assert any(link.source in copies and link.target in copies for link in flow.links)
    copy_of_n1 = next(c for c in copies if flow.nodes[c].spec_id == "math.add")
    [(x0, y0)], [(x1, y1)] = positions(flow, ["n1"]), positions(flow, [copy_of_n1])
    assert (x1 - x0, y1 - y0) == (40.0, 40.0)  # beside the originals
    assert QtWidgets.QApplication.clipboard().text() == "left alone"
    win.undo_stack.undo()
    assert set(flow.nodes) == before


def test_copy_and_paste_go_through_the_system_clipboard_between_windows(qtbot, repo):
    first = fresh_window(qtbot, repo)
    canvas = first.tabs.open_flow("calc")
    set_selection(canvas, "n1", "n2")
    action(first, "Edit", "Copy").trigger()
    data = QtWidgets.QApplication.clipboard().mimeData()
    assert data.hasFormat(MIME_TYPE)
    fragment = json.loads(data.text())
    assert set(fragment["nodespec"]) == {"math.add", "math.mul"}
    assert len(fragment["flow"]["clipboard"]["nodes"]) == 2
    other = Repository()  # another window, another file: it knows none of those specs
    second = fresh_window(qtbot, other)
    second.tabs.new_flow()
    flow = second.tabs.current()[1].flow
    action(second, "Edit", "Paste").trigger()
    assert sorted(n.spec_id for n in flow.nodes.values()) == ["math.add", "math.mul"]
    assert len(flow.links) == 1 and set(other.specs) == {"math.add", "math.mul"}


def test_a_fragment_typed_in_a_text_editor_pastes_and_other_text_is_refused(qtbot, repo):
    first = fresh_window(qtbot, repo)
    canvas = first.tabs.open_flow("calc")
    set_selection(canvas, "n1")
    action(first, "Edit", "Copy").trigger()
    text = QtWidgets.QApplication.clipboard().mimeData().text()
    QtWidgets.QApplication.clipboard().setText(text)  # as a text editor would hand it back
    flow = repo.flows["calc"]
    before = set(flow.nodes)
    action(first, "Edit", "Paste").trigger()
    assert len(new_ids(flow, before)) == 1
    QtWidgets.QApplication.clipboard().setText("def func(): pass")
    count = first.undo_stack.count()
    action(first, "Edit", "Paste").trigger()
    assert first.undo_stack.count() == count
    assert "Cannot paste" in first.statusBar().currentMessage()
    assert "no PyFlow nodes" in first.statusBar().currentMessage()


QUIT_AFTER_COPY = """
from pyflow_desktop.repository import load_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path
from pyflow_desktop.ui.window.app import application
from pyflow_desktop.ui.window.main_window import MainWindow

app = application()
window = MainWindow(ask_on_close=False)
window.set_repository(load_repository(resource_path(BUILTIN_LIBRARY)), None)
canvas = window.tabs.open_flow("examples.math")
canvas.flow_node("n1").set_selected(True)
window.edits.copy()
window.close()
"""


def test_the_program_quits_cleanly_with_nodes_on_the_clipboard(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", QUIT_AFTER_COPY], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr  # PySide crashed on exit with a QMimeData there


def test_ctrl_z_is_one_shortcut_and_undoes_the_last_edit(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    undo = QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Undo)
    owners = [a for a in win.findChildren(QtGui.QAction) if undo in a.shortcuts()]
    assert len(owners) == 1, [a.text() for a in owners]  # two would make Ctrl+Z ambiguous
    win.tabs.current()[1].set_value("n1", "a", "9")
    win.activateWindow()
    canvas.viewer().setFocus()
    qtbot.waitUntil(canvas.viewer().hasFocus)
    qtbot.keyClick(canvas.viewer(), QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert win.repo.flows["calc"].nodes["n1"].values["a"] == "2"


def test_pasted_and_duplicated_nodes_are_the_selection(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    flow = repo.flows["calc"]
    viewport = canvas.viewer().viewport()
    set_selection(canvas, "n1")
    ctrl = QtCore.Qt.KeyboardModifier.ControlModifier
    QtTest.QTest.keyClick(viewport, QtCore.Qt.Key.Key_C, ctrl)
    before = set(flow.nodes)
    QtTest.QTest.keyClick(viewport, QtCore.Qt.Key.Key_V, ctrl)
    (pasted,) = new_ids(flow, before)
    assert canvas.selected_ids() == [pasted]
    qtbot.waitUntil(lambda: win.panels.inspector.node_id == pasted, timeout=2000)
    set_selection(canvas, "n1", "n2")
    before = set(flow.nodes)
    QtTest.QTest.keyClick(viewport, QtCore.Qt.Key.Key_D, ctrl)
    copies = new_ids(flow, before)
    assert len(copies) == 2 and sorted(canvas.selected_ids()) == sorted(copies)
