"""The flow tabs: how a flow's canvas shows when its tab opens."""

from __future__ import annotations

from helpers import fresh_window, is_stale
from PySide6 import QtCore, QtTest, QtWidgets


def test_a_new_flow_opens_at_full_size_centred_and_a_node_lands_in_the_middle(qtbot, repo):
    win = fresh_window(qtbot, repo)
    new = next(b for b in win.library.findChildren(QtWidgets.QPushButton) if b.text() == "New")
    QtTest.QTest.mouseClick(new, QtCore.Qt.MouseButton.LeftButton)
    canvas, bridge = win.tabs.current()
    assert bridge.flow.id == "flow_3" and not bridge.flow.nodes
    qtbot.waitUntil(lambda: abs(canvas.view_state()[2] - 1.0) < 1e-6, timeout=2000)
    x, y, _ = canvas.view_state()
    assert abs(x) <= 2 and abs(y) <= 2
    win.library.spec_activated.emit("math.add")  # Enter on a spec in the Library
    (node,) = bridge.flow.nodes.values()
    assert abs(node.x) <= 2 and abs(node.y) <= 2


def test_a_tab_closed_and_opened_again_shows_what_the_flows_last_run_said(
    qtbot, repo, run_and_wait
):
    win = fresh_window(qtbot, repo)
    win.trust.trust(repo.specs.values())
    win.tabs.open_flow("calc")
    assert run_and_wait(win)
    index = win.tabs.widget.currentIndex()
    win.tabs.widget.tabCloseRequested.emit(index)  # the tab's × button
    assert "calc" not in win.tabs.canvases and win.runs.progress.text() == "not run yet"
    repo.flows["calc"].set_value("n2", "b", "11")  # edited while closed: n2's result is stale
    canvas = win.tabs.open_flow("calc")
    qtbot.waitUntil(lambda: is_stale(canvas, "n2"), timeout=2000)
    assert canvas.flow_node("n1").preview("out") == "5" and not is_stale(canvas, "n1")
    assert canvas.flow_node("n1").status_text().startswith("success")
    assert win.runs.progress.text() == "2 done of 2"
