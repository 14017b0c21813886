"""Real input events: a drop from the Library and the Tab search on the canvas."""

from __future__ import annotations

from helpers import library_index
from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.ui.canvas.spec_search import SpecSearchBox
from pyflow_desktop.ui.canvas.value_editor import editor_of


def test_drop_event_from_the_library_creates_a_node(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    window.library.filter.setText("join")
    mime = window.library.proxy.mimeData([library_index(window, "text.join")])
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
    qtbot.keyClicks(box.field, "logic.pick")
    qtbot.keyClick(box.field, QtCore.Qt.Key.Key_Return)
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


def open_search(qtbot, window) -> SpecSearchBox:
    canvas = window.tabs.open_flow("calc")
    window.tabs.search_spec(canvas.viewer().mapToScene(QtCore.QPoint(50, 50)))
    (box,) = [box for box in window.findChildren(SpecSearchBox) if box.isVisible()]
    return box


def test_the_tab_search_filters_moves_and_takes_what_is_picked(qtbot, window):
    flow = window.repo.flows["calc"]
    box = open_search(qtbot, window)
    qtbot.keyClicks(box.field, "math.ad")  # the file's Add (the built-in one has its id)
    assert box.offered() == ["math.add"]
    for _ in "math.ad":
        qtbot.keyClick(box.field, QtCore.Qt.Key.Key_Backspace)
    first, second = box.offered()[:2]
    qtbot.keyClick(box.field, QtCore.Qt.Key.Key_Down)
    before = set(flow.nodes)
    qtbot.keyClick(box.field, QtCore.Qt.Key.Key_Return)  # the second one listed
    (added,) = set(flow.nodes) - before
    assert flow.nodes[added].spec_id == second != first


def test_a_click_in_the_tab_search_takes_the_spec_and_escape_closes_it(qtbot, window):
    flow = window.repo.flows["calc"]
    box = open_search(qtbot, window)
    row = box.offered().index("text.join")
    rect = box.list.visualItemRect(box.list.item(row))
    before = set(flow.nodes)
    qtbot.mouseClick(box.list.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
    (added,) = set(flow.nodes) - before
    assert flow.nodes[added].spec_id == "text.join"
    box = open_search(qtbot, window)
    qtbot.keyClicks(box.field, "zzz")
    qtbot.keyClick(box.field, QtCore.Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not any(b.isVisible() for b in window.findChildren(SpecSearchBox)))
    assert set(flow.nodes) == before | {added}


def test_a_click_selects_a_node_when_ctrl_was_released_in_a_dialog(qtbot, window):
    """Ctrl+F5 may open a dialog (code from outside), which gets Ctrl's release: the canvas
    never sees it, and a plain click afterwards must still select, not deselect."""
    canvas = window.tabs.open_flow("calc")
    viewer = canvas.viewer()
    window.activateWindow()
    viewer.setFocus()
    qtbot.waitUntil(viewer.hasFocus)
    # Ctrl pressed (as X11 tells it: Qt adds Ctrl to the modifiers before it), and released
    # in the dialog:
    none = QtCore.Qt.KeyboardModifier.NoModifier
    press = QtGui.QKeyEvent(QtCore.QEvent.Type.KeyPress, QtCore.Qt.Key.Key_Control, none)
    QtWidgets.QApplication.sendEvent(viewer, press)
    assert press.modifiers() == QtCore.Qt.KeyboardModifier.ControlModifier
    body = canvas.flow_node("n1").view.sceneBoundingRect()
    spot = viewer.mapFromScene(QtCore.QPointF(body.right() - 10, body.bottom() - 5))
    qtbot.mouseClick(viewer.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=spot)
    assert canvas.selected_ids() == ["n1"]
