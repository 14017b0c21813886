"""Linking by hand: a click on a port is no link, Esc drops a link being dragged (a link it
was taken from goes back as it was), a link that is refused says why where it was dropped,
and a link dropped on empty space offers the specs it can feed."""

from __future__ import annotations

import pytest
from helpers import fresh_window, new_ids, settle
from PySide6 import QtCore, QtTest, QtWidgets

from pyflow_desktop.repository import NodeInstance
from pyflow_desktop.ui.canvas.ngqt import PIPE_DASHED
from pyflow_desktop.ui.canvas.spec_search import SpecSearchBox

Button, Key = QtCore.Qt.MouseButton, QtCore.Qt.Key


def port_point(canvas, node_id: str, port: str, output: bool) -> QtCore.QPoint:
    node = canvas.flow_node(node_id)
    view = (node.outputs() if output else node.inputs())[port].view
    return canvas.viewer().mapFromScene(view.sceneBoundingRect().center())


def dragging(canvas) -> bool:
    return canvas.viewer().live_link_start() is not None


def pipes_into(canvas, node_id: str, port: str) -> list:
    return list(canvas.flow_node(node_id).inputs()[port].view.connected_pipes)


def test_a_click_on_a_port_starts_no_link(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    viewport, flow = canvas.viewer().viewport(), repo.flows["calc"]
    QtTest.QTest.mouseClick(viewport, Button.LeftButton, pos=port_point(canvas, "n1", "out", True))
    assert not dragging(canvas)
    QtTest.QTest.mouseMove(viewport, port_point(canvas, "n2", "b", False))
    QtTest.QTest.mouseClick(viewport, Button.LeftButton, pos=port_point(canvas, "n2", "b", False))
    assert not dragging(canvas) and flow.link_into("n2", "b") is None
    (pipe,) = pipes_into(canvas, "n2", "a")
    assert pipe.style == PIPE_DASHED  # Int into Float: converted on the way
    QtTest.QTest.mouseClick(viewport, Button.LeftButton, pos=port_point(canvas, "n2", "a", False))
    assert not dragging(canvas) and flow.link_into("n2", "a").source == "n1"
    (pipe,) = pipes_into(canvas, "n2", "a")  # the link a click took up is back, as it was
    assert pipe.output_port is canvas.flow_node("n1").outputs()["out"].view
    assert pipe.style == PIPE_DASHED and "converted" in pipe.toolTip()
    assert not win.undo_stack.canUndo()


def test_esc_drops_a_link_being_dragged(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    viewport, flow = canvas.viewer().viewport(), repo.flows["calc"]
    start, end = port_point(canvas, "n1", "out", True), port_point(canvas, "n2", "b", False)
    QtTest.QTest.mousePress(viewport, Button.LeftButton, pos=start)
    for step in range(1, 5):
        QtTest.QTest.mouseMove(viewport, start + (end - start) * step / 4)
    assert dragging(canvas)
    QtTest.QTest.keyClick(viewport, Key.Key_Escape)
    assert not dragging(canvas)
    QtTest.QTest.mouseRelease(viewport, Button.LeftButton, pos=end)
    assert flow.link_into("n2", "b") is None and not pipes_into(canvas, "n2", "b")
    start = port_point(canvas, "n2", "a", False)  # taking a link up from its input
    QtTest.QTest.mousePress(viewport, Button.LeftButton, pos=start)
    QtTest.QTest.mouseMove(viewport, start + QtCore.QPoint(-60, 80))
    assert dragging(canvas) and not pipes_into(canvas, "n2", "a")
    QtTest.QTest.keyClick(viewport, Key.Key_Escape)
    QtTest.QTest.mouseRelease(viewport, Button.LeftButton, pos=start + QtCore.QPoint(-60, 80))
    (pipe,) = pipes_into(canvas, "n2", "a")
    assert pipe.style == PIPE_DASHED and flow.link_into("n2", "a").source == "n1"
    assert not win.undo_stack.canUndo()


def drag(canvas, start: QtCore.QPoint, end: QtCore.QPoint) -> None:
    viewport = canvas.viewer().viewport()
    QtTest.QTest.mousePress(viewport, Button.LeftButton, pos=start)
    for step in range(1, 5):
        QtTest.QTest.mouseMove(viewport, start + (end - start) * step / 4)
    QtTest.QTest.mouseRelease(viewport, Button.LeftButton, pos=end)


def note_near(qtbot, canvas, point: QtCore.QPoint) -> str:
    """The note shown beside ``point`` of the canvas (a tooltip)."""
    qtbot.waitUntil(QtWidgets.QToolTip.isVisible, timeout=2000)
    label = next(w for w in QtWidgets.QApplication.topLevelWidgets() if w.inherits("QTipLabel"))
    spot = canvas.viewer().viewport().mapToGlobal(point)
    assert label.geometry().adjusted(-30, -30, 30, 30).contains(spot)  # kept on the screen
    return QtWidgets.QToolTip.text()


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [
        (("n2", "out", True), ("n4", "flag", False), "no conversion from Float to Boolean"),
        (("n2", "out", True), ("n1", "a", False), "Add already feeds Multiply"),
        (("n1", "a", False), ("n2", "b", False), "both are inputs"),
        (("n1", "out", True), ("n1", "a", False), "a node cannot feed itself"),
    ],
)
def test_a_refused_link_says_why_where_it_was_dropped(qtbot, repo, start, end, why):
    repo.flows["calc"].add_node(NodeInstance("n4", "logic.pick", x=300, y=250))
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    links = list(repo.flows["calc"].links)
    drop = port_point(canvas, *end)
    drag(canvas, port_point(canvas, *start), drop)
    assert repo.flows["calc"].links == links and not win.undo_stack.canUndo()
    assert why in note_near(qtbot, canvas, drop) and why in win.statusBar().currentMessage()


def test_an_untyped_input_takes_links_as_a_string_does(qtbot, repo):
    from pyflow_desktop.repository import NodeSpec, Port

    repo.add_spec(
        NodeSpec(
            "text.shout",
            "Shout",
            [Port("t", "String", 0, typed=False)],
            [Port("out")],
            "def func(t):\n    return t + '!'\n",
        )
    )
    repo.add_spec(NodeSpec("img.blank", "Blank", [], [Port("out", "Image")], "def func(): ..."))
    repo.flows["calc"].add_node(NodeInstance("s", "text.shout", x=300, y=250))
    repo.flows["calc"].add_node(NodeInstance("b", "img.blank", x=0, y=250))
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    drop = port_point(canvas, "s", "t", False)
    drag(canvas, port_point(canvas, "b", "out", True), drop)
    assert repo.flows["calc"].link_into("s", "t") is None
    assert "no conversion from Image to String" in note_near(qtbot, canvas, drop)
    # the view has framed the flow meanwhile: the ports are found again
    drag(canvas, port_point(canvas, "n2", "out", True), port_point(canvas, "s", "t", False))
    link = repo.flows["calc"].link_into("s", "t")
    assert link is not None and link.source == "n2", win.statusBar().currentMessage()
    (pipe,) = pipes_into(canvas, "s", "t")
    assert pipe.style == PIPE_DASHED  # a Float becomes text on the way, as the run does


def test_a_link_dropped_on_empty_space_offers_linkable_specs_and_links_the_choice(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    flow = repo.flows["calc"]
    settle(qtbot)  # the tab's first frame
    port = canvas.flow_node("n1").outputs()["out"].view
    viewer = canvas.viewer()
    start = viewer.mapFromScene(port.sceneBoundingRect().center())
    end = viewer.mapFromScene(
        canvas.flow_node("n1").view.sceneBoundingRect().bottomRight() + QtCore.QPointF(40, 160)
    )
    viewport = viewer.viewport()
    qtbot.mouseMove(viewport, start)
    qtbot.mousePress(viewport, Button.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, start + (end - start) * step / 5)
    qtbot.mouseRelease(viewport, Button.LeftButton, pos=end)
    box = next(
        w
        for w in QtWidgets.QApplication.topLevelWidgets()
        if isinstance(w, SpecSearchBox) and w.isVisible()
    )
    offered = set(box.offered())
    assert "math.mul" in offered and "text.join" in offered  # Int into Float, into String
    assert "logic.pick" not in offered  # Int into Boolean: no conversion
    before = set(flow.nodes)
    qtbot.keyClicks(box.field, "Multiply")
    qtbot.keyClick(box.field, QtCore.Qt.Key.Key_Return)
    (added,) = new_ids(flow, before)
    assert flow.link_into(added, "a").source_ref == "n1:out"
    dropped = viewer.mapToScene(end)
    assert (flow.nodes[added].x, flow.nodes[added].y) == (dropped.x(), dropped.y())
    win.undo_stack.undo()  # node and link in one step
    assert set(flow.nodes) == before
