"""The canvas at scale: a big flow opened in bulk is whole and editable, 500 connected nodes
build, run and show their results, zooming out draws the overview instead of the nodes (and
zooming in the nodes again), the minimap."""

from __future__ import annotations

from helpers import action, fresh_window, settle
from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.repository import (
    Flow,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    link_conversion,
    load_repository,
    save_repository,
)
from pyflow_desktop.ui.canvas.flow_node import BASE_COLOR, LIBRARY_MARK, STATUS_COLORS
from pyflow_desktop.ui.canvas.ngqt import PIPE_DASHED, PIPE_SOLID
from pyflow_desktop.ui.canvas.overview import LOD_SCALE
from pyflow_desktop.ui.canvas.pipes import FlowPipe
from pyflow_desktop.ui.window.main_window import MainWindow
from pyflow_desktop.ui.window.user_settings import settings

Button = QtCore.Qt.MouseButton
COLUMNS = 40


def grid_flow(repo, nodes: int, flow_id: str = "big") -> Flow:
    """A chain of Add nodes over a grid; every 7th node a Join (its Int input converted to
    String on the way); every 5th node's ``b`` linked from two nodes back, the others typed."""
    repo.add_spec(
        NodeSpec(
            "math.divmod",
            "Divmod",
            [Port("a", "Int", 0), Port("b", "Int", 1)],
            [Port("q", "Int"), Port("r", "Int")],
            "def func(a, b):\n    return {'q': a // b, 'r': a % b}\n",
        )
    )
    flow = Flow(flow_id, "Big")
    for index in range(nodes):
        spec = "text.join" if index % 7 == 3 else "math.divmod" if index % 11 == 5 else "math.add"
        x, y = (index % COLUMNS) * 260.0, (index // COLUMNS) * 150.0
        values = {"a": "1", "b": str(index)}
        flow.add_node(NodeInstance(f"n{index}", spec, values=values, x=x, y=y))
    for index in range(1, nodes):
        source = flow.nodes[f"n{index - 1}"]
        port = "q" if source.spec_id == "math.divmod" else "out"
        flow.add_link(Link(source.id, port, f"n{index}", "a"))
        if index % 5 == 0 and index >= 2 and flow.nodes[f"n{index - 2}"].spec_id == "math.add":
            flow.add_link(Link(f"n{index - 2}", "out", f"n{index}", "b"))
    repo.add_flow(flow)
    return flow


def open_by_library(win: MainWindow, flow_id: str):
    """Double-click the flow in the Library, as a user opens it."""
    win.library.flow_activated.emit(flow_id)
    canvas, bridge = win.tabs.current()
    assert bridge.flow.id == flow_id
    return canvas


def test_a_big_flow_opens_whole_and_stays_editable(qtbot, repo, tmp_path):
    flow = grid_flow(repo, 1200)
    path = tmp_path / "big.json"
    save_repository(repo, path, "native")
    win = fresh_window(qtbot)
    assert win.files.open_path(str(path))
    canvas = open_by_library(win, "big")
    flow = win.repo.flows["big"]
    assert set(canvas.model.nodes) == set(flow.nodes)
    linked = {(link.target, link.target_port): link for link in flow.links}
    for node in flow.nodes.values():
        shown = canvas.flow_node(node.id)
        assert shown.view.xy_pos == [node.x, node.y]
        differs = win.library_actions.library_version(node.spec_id) is not None
        mark = LIBRARY_MARK if differs else ""  # the tests' math.add is not the built-in one
        assert shown.view.name == win.repo.specs[node.spec_id].title + mark
        for port, editor in shown.item.editors.items():
            assert editor.isVisible() == ((node.id, port) not in linked), (node.id, port)
            assert editor.current() == node.values.get(port)
    pipes = [item for item in canvas.scene().items() if isinstance(item, FlowPipe)]
    assert len(pipes) == len(flow.links)
    for (target, port), link in linked.items():
        in_port = canvas.flow_node(target).inputs()[port]
        out_port = canvas.flow_node(link.source).outputs()[link.source_port]
        assert in_port.connected_ports() == [out_port]
        (pipe,) = in_port.view.connected_pipes
        assert pipe.output_port is out_port.view and pipe in out_port.view.connected_pipes
        specs = win.repo.specs
        out_type = specs[flow.nodes[link.source].spec_id].output(link.source_port).type
        in_type = specs[flow.nodes[target].spec_id].input(port).type
        converted = link_conversion(out_type, in_type) == "convert"
        assert pipe.style == (PIPE_DASHED if converted else PIPE_SOLID)
    # Edits still go through the model and undo: replace a link, delete a node.
    bridge = win.tabs.current()[1]
    bridge.connect_ports("n0", "out", "n10", "a")
    assert [p.node().id for p in canvas.flow_node("n10").inputs()["a"].connected_ports()] == ["n0"]
    win.undo_stack.undo()
    assert [p.node().id for p in canvas.flow_node("n10").inputs()["a"].connected_ports()] == ["n9"]
    bridge.delete_nodes(["n20"])
    assert canvas.flow_node("n20") is None and not canvas.flow_node("n21").item.connected
    win.undo_stack.undo()
    assert canvas.flow_node("n21").inputs()["a"].connected_ports()[0].node().id == "n20"


def wheel(viewer, notches: int) -> None:
    """Turn the mouse wheel over the middle of the canvas (negative: zoom out)."""
    viewport = viewer.viewport()
    centre = QtCore.QPointF(viewport.rect().center())
    for _ in range(abs(notches)):
        event = QtGui.QWheelEvent(
            centre,
            QtCore.QPointF(viewport.mapToGlobal(centre.toPoint())),
            QtCore.QPoint(),
            QtCore.QPoint(0, 120 if notches > 0 else -120),
            Button.NoButton,
            QtCore.Qt.KeyboardModifier.NoModifier,
            QtCore.Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QtWidgets.QApplication.sendEvent(viewport, event)


def pixel(viewer, scene_point: QtCore.QPointF) -> QtGui.QColor:
    image = viewer.viewport().grab().toImage()
    return image.pixelColor(viewer.mapFromScene(scene_point))


def test_zooming_out_draws_the_overview_and_zooming_in_the_nodes(qtbot, repo, run_and_wait):
    grid_flow(repo, 120)
    win = fresh_window(qtbot, repo)
    canvas = open_by_library(win, "big")
    viewer = canvas.viewer()
    settle(qtbot)  # the tab's first frame
    assert run_and_wait(win)
    canvas.flow_node("n3").set_selected(True)
    nodes = canvas.flow_nodes()
    assert viewer.transform().m11() >= LOD_SCALE and not canvas.overview.isVisible()

    wheel(viewer, -5)  # Zoom out: the detailed items go, the overview draws the nodes.
    assert viewer.transform().m11() < LOD_SCALE
    assert canvas.overview.isVisible()
    assert all(node.view.opacity() == 0 for node in nodes)
    pipes = [p for node in nodes for port in node.view.inputs for p in port.connected_pipes]
    assert pipes and all(pipe.opacity() == 0 for pipe in pipes)
    body = canvas.flow_node("n41").view.sceneBoundingRect()
    inside = QtCore.QPointF(body.left() + body.width() * 0.1, body.bottom() - body.height() * 0.1)
    assert pixel(viewer, inside) == QtGui.QColor(*STATUS_COLORS["success"])  # status shows
    # A click selects the node drawn there (the Inspector follows).
    qtbot.mouseClick(viewer.viewport(), Button.LeftButton, pos=viewer.mapFromScene(inside))
    assert canvas.selected_ids() == ["n41"]
    qtbot.waitUntil(lambda: win.panels.inspector.node_id == "n41", timeout=2000)

    wheel(viewer, 5)  # Zoom in again: the nodes are back, as they were, the overview gone.
    assert viewer.transform().m11() >= LOD_SCALE
    assert not canvas.overview.isVisible()
    assert all(node.view.opacity() == 1 for node in nodes)
    assert all(pipe.opacity() == 1 for pipe in pipes)
    assert canvas.selected_ids() == ["n41"]
    action(win, "Edit", "Frame all").trigger()  # F never drops to the overview
    assert viewer.transform().m11() >= LOD_SCALE and not canvas.overview.isVisible()
    wheel(viewer, -8)  # A double-click on the overview zooms in there.
    spot = canvas.flow_node("n85").view.sceneBoundingRect().center()
    qtbot.mouseDClick(viewer.viewport(), Button.LeftButton, pos=viewer.mapFromScene(spot))
    x, y, scale = canvas.view_state()
    assert scale == 1.0 and abs(x - spot.x()) < 2 and abs(y - spot.y()) < 2
    assert all(node.view.opacity() == 1 for node in nodes)


def minimap_drag(minimap, start: QtCore.QPointF, end: QtCore.QPointF) -> None:
    """Press on the minimap at ``start``, drag to ``end``, release."""
    press = QtGui.QMouseEvent(
        QtCore.QEvent.Type.MouseButtonPress,
        start,
        minimap.mapToGlobal(start),
        Button.LeftButton,
        Button.LeftButton,
        QtCore.Qt.KeyboardModifier.NoModifier,
    )
    QtWidgets.QApplication.sendEvent(minimap, press)
    for step in range(1, 5):
        point = start + (end - start) * step / 4
        move = QtGui.QMouseEvent(
            QtCore.QEvent.Type.MouseMove,
            point,
            minimap.mapToGlobal(point),
            Button.NoButton,
            Button.LeftButton,
            QtCore.Qt.KeyboardModifier.NoModifier,
        )
        QtWidgets.QApplication.sendEvent(minimap, move)
    qtbot_release = QtGui.QMouseEvent(
        QtCore.QEvent.Type.MouseButtonRelease,
        end,
        minimap.mapToGlobal(end),
        Button.LeftButton,
        Button.NoButton,
        QtCore.Qt.KeyboardModifier.NoModifier,
    )
    QtWidgets.QApplication.sendEvent(minimap, qtbot_release)


def close(a: QtCore.QPointF, b: QtCore.QPointF) -> bool:
    return abs(a.x() - b.x()) <= 1.5 and abs(a.y() - b.y()) <= 1.5


def test_the_minimap_toggles_in_view_follows_the_view_and_moves_it(qtbot, repo, tmp_path):
    grid_flow(repo, 400)
    win = fresh_window(qtbot, repo)
    canvas = open_by_library(win, "big")
    settle(qtbot)  # the tab's first frame
    minimap = canvas.minimap
    toggle = action(win, "View", "Minimap")
    assert toggle.isCheckable() and not toggle.isChecked() and not minimap.isVisible()
    toggle.trigger()
    assert minimap.isVisible() and settings().value("view/minimap") == "true"

    def in_the_corner() -> bool:
        viewport = canvas.viewer().viewport().geometry()
        corner = viewport.bottomRight() - minimap.geometry().bottomRight()
        return viewport.contains(minimap.geometry()) and corner.x() == corner.y() < 20

    assert in_the_corner()
    win.resize(1500, 950)  # it stays in the corner of a canvas that grows
    qtbot.waitUntil(lambda: canvas.viewer().viewport().width() > 1000 and in_the_corner())
    frame = minimap.frame_rect()
    assert QtCore.QRectF(minimap.rect()).contains(frame.center())

    target = QtCore.QPointF(minimap.width() * 0.7, minimap.height() * 0.6)
    qtbot.mouseClick(minimap, Button.LeftButton, pos=target.toPoint())  # a click moves the view
    assert close(minimap.frame_rect().center(), QtCore.QPointF(target.toPoint()))
    _, _, scale = canvas.view_state()
    start, end = QtCore.QPointF(40, 40), QtCore.QPointF(120, 90)
    minimap_drag(minimap, start, end)  # so does a drag, at the same zoom
    assert close(minimap.frame_rect().center(), end)
    assert canvas.view_state()[2] == scale
    canvas.set_view(0, 0, scale)  # the minimap follows the view
    x, y, _ = canvas.view_state()
    before = minimap.frame_rect().center()
    canvas.set_view(x + 2000, y + 1000, scale)
    moved = minimap.frame_rect().center() - before
    assert moved.x() > 0 and moved.y() > 0

    again = fresh_window(qtbot, load_repository_copy(win, tmp_path))
    assert action(again, "View", "Minimap").isChecked()  # kept in the settings
    action(again, "View", "Minimap").trigger()
    assert settings().value("view/minimap") == "false"
    toggle.trigger()
    assert not minimap.isVisible()


def load_repository_copy(win: MainWindow, tmp_path):
    path = tmp_path / "copy.json"
    save_repository(win.repo, path, "native")
    return load_repository(path)


def test_double_clicking_a_title_renames_the_node_in_place(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    viewer = canvas.viewer()
    win.activateWindow()
    viewer.setFocus()
    qtbot.waitUntil(viewer.hasFocus)
    body = canvas.flow_node("n1").view.sceneBoundingRect()
    title = viewer.mapFromScene(QtCore.QPointF(body.center().x(), body.top() + 10))
    qtbot.mouseClick(viewer.viewport(), Button.LeftButton, pos=title)
    qtbot.mouseDClick(viewer.viewport(), Button.LeftButton, pos=title)
    assert win.panels.code_dock.isHidden()  # the title, not the spec
    qtbot.keyClicks(viewer.viewport(), "sum")
    qtbot.keyClick(viewer.viewport(), QtCore.Qt.Key.Key_Return)
    assert win.repo.flows["calc"].nodes["n1"].name == "sum"
    assert canvas.flow_node("n1").view.name == "sum" + LIBRARY_MARK  # not the built-in add
    win.undo_stack.undo()
    assert win.repo.flows["calc"].nodes["n1"].name == ""


def test_a_dragged_node_takes_its_links_along_and_its_links_light_up(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    viewer, viewport = canvas.viewer(), canvas.viewer().viewport()
    settle(qtbot)  # the tab's first frame
    (pipe,) = canvas.flow_node("n2").inputs()["a"].view.connected_pipes
    out_port = canvas.flow_node("n1").outputs()["out"].view
    body = canvas.flow_node("n1").view.sceneBoundingRect()
    start = viewer.mapFromScene(QtCore.QPointF(body.right() - 10, body.bottom() - 5))
    qtbot.mousePress(viewport, Button.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, start + QtCore.QPoint(-20, 12) * step)
        assert pipe.path().currentPosition() == out_port.centre()  # the link follows
    qtbot.mouseRelease(viewport, Button.LeftButton, pos=start + QtCore.QPoint(-100, 60))
    node = win.repo.flows["calc"].nodes["n1"]
    _, _, scale = canvas.view_state()
    assert abs(node.x - (-100 / scale)) < 2 and abs(node.y - 60 / scale) < 2  # moved, undoably
    qtbot.waitUntil(lambda: pipe.pen().color() == QtGui.QColor(232, 184, 13))  # n1 selected
    win.undo_stack.undo()
    assert (node.x, node.y) == (0, 0)
    assert pipe.path().currentPosition() == out_port.centre()
    canvas.clear_selection()
    qtbot.waitUntil(lambda: pipe.pen().color() == QtGui.QColor(175, 95, 30))


def test_a_pipe_arrow_points_to_the_input_it_feeds(qtbot, repo):
    grid_flow(repo, 3)  # n0 → n1 → n2 side by side, a short level gap between them
    win = fresh_window(qtbot, repo)
    canvas = open_by_library(win, "big")
    settle(qtbot)  # the tab's first frame
    (pipe,) = canvas.flow_node("n1").view.inputs[0].connected_pipes
    x0, y0, x1, y1 = pipe.ends  # from the input back to the output
    assert x0 > x1 and y0 == y1
    middle = QtCore.QPointF((x0 + x1) / 2, y0)
    canvas.set_view(middle.x(), middle.y(), 2.0)
    assert canvas.view_state()[2] == 2.0
    viewer = canvas.viewer()
    background = pixel(viewer, middle + QtCore.QPointF(0, -20))
    # The arrow is widest at its back and narrows to its tip, which points to the input.
    assert pixel(viewer, middle + QtCore.QPointF(-4, -4)) != background
    assert pixel(viewer, middle + QtCore.QPointF(4, -4)) == background


def test_the_overview_titles_nodes_that_have_room_on_screen(qtbot, repo):
    grid_flow(repo, 3)
    win = fresh_window(qtbot, repo)
    canvas = open_by_library(win, "big")
    settle(qtbot)  # the tab's first frame
    body = canvas.flow_node("n1").view.sceneBoundingRect()
    canvas.set_view(body.center().x(), body.center().y(), LOD_SCALE * 0.8)
    assert canvas.overview.isVisible()
    assert body.width() * LOD_SCALE * 0.8 >= 40  # wide enough on screen for its title
    image = canvas.viewer().viewport().grab().toImage()
    inside = canvas.viewer().mapFromScene(body).boundingRect().adjusted(2, 2, -2, -2)
    fill = QtGui.QColor(*BASE_COLOR)
    lightest = max(
        image.pixelColor(x, y).lightness()
        for x in range(inside.left(), inside.right())
        for y in range(inside.top(), inside.bottom())
    )
    assert lightest > fill.lightness() + 80  # the title's light text on the node


NODES = 500


class _Pinger(QtCore.QObject):
    ping = QtCore.Signal(int)


def test_five_hundred_connected_nodes(qtbot, window, run_and_wait):
    """NodeGraphQt's ``create_node`` is quadratic (a unique-name scan) and PySide6 6.12.0
    crashed after a few hundred signal emissions: 500 connected nodes are built, run and
    edited in one process, and 10,000 signals emitted. How long opening and framing take is
    measured by ``bench/bench_gui.py``."""
    flow = Flow("chain")
    for index in range(NODES):
        flow.add_node(
            NodeInstance(
                f"c{index}",
                "math.add",
                values={"a": "0", "b": "1"},
                x=(index % 25) * 260,
                y=(index // 25) * 110,
            )
        )
    for index in range(1, NODES):
        flow.add_link(Link(f"c{index - 1}", "out", f"c{index}", "a"))
    window.repo.add_flow(flow)

    canvas = window.tabs.open_flow("chain")
    settle(qtbot)  # the tab's first frame
    assert len(canvas.flow_nodes()) == NODES
    window.edits.frame_all()

    assert run_and_wait(window, timeout=60_000)
    last = canvas.flow_node(f"c{NODES - 1}")
    # Nodes far from the view are drawn in the frames after the run, a few at a time.
    qtbot.waitUntil(lambda: last.preview("out") == str(NODES), timeout=10_000)
    assert window.runs.progress.value() == NODES

    _, bridge = window.tabs.current()
    bridge.create_node("math.add", 0, -200)
    assert len(canvas.flow_nodes()) == NODES + 1

    pinger = _Pinger()
    seen = []
    pinger.ping.connect(seen.append)
    for index in range(10_000):
        pinger.ping.emit(index)
    assert seen == list(range(10_000))
