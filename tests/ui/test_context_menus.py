"""Right-click menus (``ui/window/context_menus.py``) on a node, a link and the empty canvas:
what each offers, and that its entries act on what was clicked."""

from __future__ import annotations

from helpers import action, entries, fresh_window, new_ids, right_click, set_selection, settle
from PySide6 import QtCore


def test_right_click_menus_on_a_node_a_link_and_the_canvas(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    flow = repo.flows["calc"]
    settle(qtbot)  # the tab's first frame
    body = canvas.flow_node("n2").view.sceneBoundingRect()
    menu = right_click(qtbot, win, canvas, QtCore.QPointF(body.right() - 10, body.bottom() - 5))
    shown = entries(menu)
    assert {"Edit nodespec", "Open viewer", "Run to here", "Duplicate", "Delete"} <= set(shown)
    assert canvas.selected_ids() == ["n2"]
    shown["Edit nodespec"].trigger()
    assert win.panels.code_dock.isVisible() and win.panels.spec_editor.spec_id == "math.mul"
    pipe = canvas.flow_node("n2").inputs()["a"].view.connected_pipes[0]
    middle = pipe.path().pointAtPercent(0.5)
    menu = right_click(qtbot, win, canvas, middle)
    assert list(entries(menu)) == ["Delete link"]
    entries(menu)["Delete link"].trigger()
    assert flow.link_into("n2", "a") is None
    empty = canvas.viewer().mapToScene(QtCore.QPoint(20, 20))
    menu = right_click(qtbot, win, canvas, empty)
    assert {"Add node…", "Paste here", "Select all", "Frame all"} == set(entries(menu))
    set_selection(canvas, "n1")
    action(win, "Edit", "Copy").trigger()
    before = set(flow.nodes)
    entries(menu)["Paste here"].trigger()
    (pasted,) = new_ids(flow, before)
    assert abs(flow.nodes[pasted].x - empty.x()) < 1 and abs(flow.nodes[pasted].y - empty.y()) < 1
