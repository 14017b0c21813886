"""Real input events: a drop from the Library and the Tab search on the canvas."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.ui.canvas.spec_search import SpecSearchBox
from pyflow_desktop.ui.canvas.value_editor import editor_of


def test_drop_event_from_the_library_creates_a_node(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    window.library.filter.setText("join")
    proxy = window.library.proxy
    folder = proxy.index(0, 0)
    leaf = proxy.index(0, 0, folder)
    mime = proxy.mimeData([leaf])
    viewport = canvas.viewer().viewport()
    point = QtCore.QPointF(120, 90)
    Qt = QtCore.Qt
    enter = QtGui.QDragEnterEvent(
        point.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QtWidgets.QApplication.sendEvent(viewport, enter)
    drop = QtGui.QDropEvent(
        point,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QtWidgets.QApplication.sendEvent(viewport, drop)
    flow = window.repo.flows["calc"]
    (added,) = [node for node in flow.nodes.values() if node.spec_id == "text.join"]
    scene = canvas.viewer().mapToScene(point.toPoint())
    assert (added.x, added.y) == (int(scene.x()), int(scene.y()))


def test_tab_on_the_canvas_opens_the_spec_search(qtbot, window):
    window.tabs.open_flow("calc")
    canvas, bridge = window.tabs.current()
    viewer = canvas.viewer()
    window.activateWindow()
    viewer.setFocus()
    qtbot.waitUntil(viewer.hasFocus)
    qtbot.keyClick(viewer, QtCore.Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: bool(window.findChildren(SpecSearchBox)))
    (box,) = window.findChildren(SpecSearchBox)
    box.setText("Pick — logic.pick")
    box.returnPressed.emit()
    assert any(node.spec_id == "logic.pick" for node in bridge.flow.nodes.values())


def test_tab_in_an_inline_editor_moves_to_the_next_editor(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    viewer = canvas.viewer()
    window.activateWindow()
    viewer.setFocus()
    qtbot.waitUntil(viewer.hasFocus)
    first, second = canvas.flow_node("n1").item.editors.values()
    first.setFocus()
    assert editor_of(viewer.scene().focusItem()) is first  # its widget has the focus
    qtbot.keyClick(viewer, QtCore.Qt.Key.Key_Tab)
    assert editor_of(viewer.scene().focusItem()) is second
    assert not window.findChildren(SpecSearchBox), "no spec search while typing values"
