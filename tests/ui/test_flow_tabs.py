"""The flow tabs: how a flow's canvas shows when its tab opens."""

from __future__ import annotations

from helpers import fresh_window
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
