"""A deleted node that an undo brings back shows the result it showed: its status, previews,
staleness and what the Inspector says. A new node never takes a deleted node's id, so it
never shows that result."""

from __future__ import annotations

from helpers import click_node, fresh_window, is_stale
from PySide6 import QtCore, QtTest

Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier


def shown(canvas, node_id: str) -> tuple[str, str]:
    """What a node shows of its result: its footer and its output's preview."""
    node = canvas.flow_node(node_id)
    return node.item.footer.text(), node.preview("out")


def test_undoing_a_delete_brings_back_the_nodes_result(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    assert run_and_wait(win)
    before = {node_id: shown(canvas, node_id) for node_id in ("n1", "n2")}
    assert before["n1"][0].startswith("success") and before["n1"][1] == "5"
    viewport = canvas.viewer().viewport()
    click_node(qtbot, canvas, "n1")
    inspector = win.panels.inspector
    qtbot.waitUntil(lambda: inspector.node_id == "n1", timeout=2000)
    status, value = inspector.status.text(), inspector.outputs.item(0, 2).text()
    QtTest.QTest.keyClick(viewport, Key.Key_Delete)
    assert "n1" not in win.repo.flows["calc"].nodes and inspector.node_id is None
    qtbot.waitUntil(lambda: is_stale(canvas, "n2"), timeout=2000)  # its input went
    QtTest.QTest.keyClick(viewport, Key.Key_Z, Mod.ControlModifier)
    qtbot.waitUntil(lambda: shown(canvas, "n1") == before["n1"], timeout=2000)
    qtbot.waitUntil(lambda: not is_stale(canvas, "n2"), timeout=2000)
    assert shown(canvas, "n2") == before["n2"] and not is_stale(canvas, "n1")
    click_node(qtbot, canvas, "n1")
    qtbot.waitUntil(lambda: inspector.node_id == "n1", timeout=2000)
    assert inspector.status.text() == status and inspector.outputs.item(0, 2).text() == value


def test_a_node_deleted_then_changed_back_by_undo_is_stale_as_before(qtbot, repo, run_and_wait):
    """n1's result was stale when it was deleted (its value changed since): so it is again."""
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    bridge = win.tabs.current()[1]
    assert run_and_wait(win)
    bridge.set_value("n1", "a", "4")
    qtbot.waitUntil(lambda: is_stale(canvas, "n1"), timeout=2000)
    bridge.delete_nodes(["n1"])
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: is_stale(canvas, "n1") and shown(canvas, "n1")[1] == "5", timeout=2000)


def test_a_new_node_never_takes_the_id_of_a_deleted_one(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    bridge = win.tabs.current()[1]
    first = bridge.create_node("math.add", 0, 300)
    bridge.set_value(first, "a", "1")
    bridge.set_value(first, "b", "1")
    assert run_and_wait(win)
    assert shown(canvas, first)[1] == "2"
    bridge.delete_nodes([first])
    second = bridge.create_node("math.add", 0, 300)
    assert second != first and shown(canvas, second) == ("", "")
