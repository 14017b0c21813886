"""The canvas on flows of every shape the bench measures (``bench/flow_shapes``: a chain, a
fan-out, a fan-in tree and a random DAG whose links cross the flow), each opened from a file
through the window: every node and link on the canvas and drawn where it is, the link under
the cursor is the one a click, a right-click or the mouse picks, highlighted links draw
over the others, and a run shows on the nodes in view while it goes and on the others once
scrolled to."""

from __future__ import annotations

import pytest
from flow_shapes import SHAPES, build
from helpers import Answers, fresh_window
from PySide6 import QtCore, QtGui, QtTest, QtWidgets

from pyflow_desktop.repository import save_repository
from pyflow_desktop.ui.canvas.ngqt import PIPE_COLOR, PIPE_HIGHLIGHT_COLOR
from pyflow_desktop.ui.canvas.pipes import FlowPipe
from pyflow_desktop.ui.run.settings import RunSettings

Button = QtCore.Qt.MouseButton
NODES = 400
ACTIVE_COLOR = (70, 255, 220)  # NodeGraphQt's link under the mouse
BACKGROUND = (35, 35, 35)
EMPTY = QtCore.QPoint(4, 4)  # where a framed canvas shows nothing: left of and above the flow
TOLERANCE = 40  # a pixel of a line is its colour at least this nearly (antialiasing)
SLOW = "import time\n\n\ndef func({0}):\n    time.sleep(0.003)\n    return sum(v or 0 for v in ({0},)) + 1\n"


def open_shape(qtbot, tmp_path, shape: str, slow: bool = False):
    """``shape`` of ``NODES`` nodes saved to a file, opened in a new window and its flow
    double-clicked in the Library, framed as F frames it: the window and the canvas."""
    repo = build(shape, NODES)
    if slow:  # each node takes a few milliseconds: a run lasts long enough to watch
        for spec in list(repo.specs.values()):
            inputs = ", ".join(port.name for port in spec.inputs)
            repo.replace_spec(spec.copy(func=SLOW.format(inputs)))
    path = tmp_path / f"{shape}.json"
    save_repository(repo, path, "native")
    win = fresh_window(qtbot)
    assert win.files.open_path(str(path))
    win.library.flow_activated.emit(shape)
    canvas, bridge = win.tabs.current()
    assert bridge.flow.id == shape
    win.edits.frame_all()
    settle(qtbot, canvas)
    return win, canvas


def settle(qtbot, canvas) -> None:
    """Wait until the canvas has painted what it shows smoothly."""
    canvas.viewer().viewport().repaint()
    layers = (canvas.links.plain, canvas.links.raised)
    qtbot.waitUntil(lambda: not any(layer.smoothing for layer in layers), timeout=5000)


def pipes(canvas) -> list[FlowPipe]:
    return [item for item in canvas.scene().items() if isinstance(item, FlowPipe)]


def shows(canvas, point: QtCore.QPointF, colour) -> bool:
    """Whether the canvas shows ``colour`` (r, g, b, ...) at the pixel of scene ``point`` or
    one beside it (a line a pixel and a half wide covers some of them only partly)."""
    viewer = canvas.viewer()
    image = viewer.viewport().grab().toImage()
    at = viewer.mapFromScene(point)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            seen = image.pixelColor(at.x() + dx, at.y() + dy)
            got = (seen.red(), seen.green(), seen.blue())
            if sum((a - b) ** 2 for a, b in zip(got, colour[:3])) <= TOLERANCE**2:
                return True
    return False


def in_view(canvas) -> QtCore.QRectF:
    viewer = canvas.viewer()
    return viewer.mapToScene(viewer.viewport().rect().adjusted(8, 8, -8, -8)).boundingRect()


def spots(canvas, alone: bool):
    """(pipe, scene point) on the curves of links in view, clear of arrows: where the link
    is the only item under the point (``alone``), or where it crosses other links, and
    nothing else."""
    scene, view = canvas.scene(), in_view(canvas)
    arrows = [p.arrow.boundingRect().adjusted(-3, -3, 3, 3) for p in pipes(canvas) if p.arrow]
    for pipe in pipes(canvas):
        for step in range(1, 40):
            point = pipe.path().pointAtPercent(step / 40)
            if not view.contains(point) or any(rect.contains(point) for rect in arrows):
                continue
            under = scene.items(point)
            if (
                under == [pipe]
                if alone
                else len(under) > 2
                and pipe in under
                and all(isinstance(item, FlowPipe) for item in under)
            ):
                yield pipe, point


def link_of(pipe: FlowPipe) -> tuple[str, str, str, str]:
    out, into = pipe.output_port, pipe.input_port
    return out.node.id, out.name, into.node.id, into.name


@pytest.mark.parametrize("shape", SHAPES)
def test_a_flow_of_every_shape_opens_whole_and_draws_each_link_where_it_is(qtbot, tmp_path, shape):
    win, canvas = open_shape(qtbot, tmp_path, shape)
    flow = win.repo.flows[shape]
    assert set(canvas.model.nodes) == set(flow.nodes)
    for node in flow.nodes.values():
        assert canvas.flow_node(node.id).view.xy_pos == [node.x, node.y]
    shown = pipes(canvas)
    links = {(link.source, link.source_port, link.target, link.target_port) for link in flow.links}
    assert sorted(map(link_of, shown)) == sorted(links)
    assert len(canvas.links.plain) == len(links) and all(p in canvas.links.plain for p in shown)
    assert len(canvas.links.raised) == 0
    drawn = [point for _, point in list(spots(canvas, alone=True))[:20]]
    assert len(drawn) >= 5 and all(shows(canvas, point, PIPE_COLOR) for point in drawn)
    empty = canvas.viewer().mapToScene(EMPTY)
    assert not canvas.scene().items(empty) and shows(canvas, empty, BACKGROUND)


@pytest.mark.parametrize("shape", ["fanout", "random"])
def test_hover_right_click_and_click_pick_the_link_under_the_cursor(qtbot, tmp_path, shape):
    win, canvas = open_shape(qtbot, tmp_path, shape)
    flow, viewport = win.repo.flows[shape], canvas.viewer().viewport()
    found = spots(canvas, alone=True)
    hovered, point = next(found)
    away = next(spot for pipe, spot in found if pipe is not hovered)
    QtTest.QTest.mouseClick(viewport, Button.LeftButton, pos=EMPTY)  # no button held
    QtTest.QTest.mouseMove(viewport, canvas.viewer().mapFromScene(point))
    qtbot.waitUntil(hovered.active)
    assert [p for p in pipes(canvas) if p.active()] == [hovered]
    assert shows(canvas, point, ACTIVE_COLOR)
    QtTest.QTest.mouseMove(viewport, canvas.viewer().mapFromScene(away))
    qtbot.waitUntil(lambda: not hovered.active())
    assert not shows(canvas, point, ACTIVE_COLOR) and shows(canvas, point, PIPE_COLOR)

    right_clicked, point = next(spots(canvas, alone=True))
    source, source_port, target, target_port = link_of(right_clicked)
    local = canvas.viewer().mapFromScene(point)
    event = QtGui.QContextMenuEvent(
        QtGui.QContextMenuEvent.Reason.Mouse, local, viewport.mapToGlobal(local)
    )
    QtWidgets.QApplication.sendEvent(viewport, event)
    menu = win.menus.last
    assert [a.text().replace("&", "") for a in menu.actions()] == ["Delete link"]
    qtbot.waitExposed(menu)
    before = set(flow.links)
    QtTest.QTest.mouseClick(
        menu, Button.LeftButton, pos=menu.actionGeometry(menu.actions()[0]).center()
    )
    qtbot.waitUntil(lambda: not menu.isVisible())
    assert before - set(flow.links) == {flow_link(before, source, source_port, target, target_port)}
    assert set(flow.links) < before

    settle(qtbot, canvas)
    taken, point = next(spots(canvas, alone=True))
    taken_link = flow_link(set(flow.links), *link_of(taken))
    start = canvas.viewer().mapFromScene(point)
    empty = EMPTY
    before = set(flow.links)
    QtTest.QTest.mousePress(viewport, Button.LeftButton, pos=start)
    for step in range(1, 6):
        QtTest.QTest.mouseMove(viewport, start + (empty - start) * step / 5)
    QtTest.QTest.mouseRelease(viewport, Button.LeftButton, pos=empty)
    assert before - set(flow.links) == {taken_link}  # the link taken up, dropped on nothing


def flow_link(links, source: str, source_port: str, target: str, target_port: str):
    (link,) = [
        link
        for link in links
        if (link.source, link.source_port, link.target, link.target_port)
        == (source, source_port, target, target_port)
    ]
    return link


def test_the_links_of_a_selected_node_draw_over_the_others(qtbot, tmp_path):
    """Where a selected node's link crosses others, the pixel on it is its highlight colour
    alone (at twice the size, its pen covers that pixel whole: were the others drawn over
    it, their colour would show there too)."""
    win, canvas = open_shape(qtbot, tmp_path, "fanout")
    pipe, point = next(spots(canvas, alone=False))
    others = [item for item in canvas.scene().items(point) if item is not pipe]
    assert len(others) >= 2 and all(isinstance(item, FlowPipe) for item in others)
    canvas.set_view(point.x(), point.y(), 2.0)
    node_id = pipe.input_port.node.id
    canvas.select_only([node_id])
    qtbot.waitUntil(pipe.highlighted)
    settle(qtbot, canvas)
    node = canvas.flow_node(node_id).view
    own = {p for port in (*node.inputs, *node.outputs) for p in port.connected_pipes}
    assert len(canvas.links.raised) == len(own) and all(p in canvas.links.raised for p in own)
    image = canvas.viewer().viewport().grab().toImage()
    seen = image.pixelColor(canvas.viewer().mapFromScene(point))
    assert (seen.red(), seen.green(), seen.blue()) == tuple(PIPE_HIGHLIGHT_COLOR[:3])
    canvas.select_only([])
    qtbot.waitUntil(lambda: len(canvas.links.raised) == 0)
    settle(qtbot, canvas)
    assert not shows(canvas, point, PIPE_HIGHLIGHT_COLOR) and shows(canvas, point, PIPE_COLOR)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_run_shows_on_the_nodes_in_view_and_on_the_others_once_scrolled_to(
    qtbot, tmp_path, shape, monkeypatch
):
    win, canvas = open_shape(qtbot, tmp_path, shape, slow=True)
    win.runs.runner.settings = RunSettings(executor="thread", workers=4)
    Answers(monkeypatch, "Trust and run")
    view = in_view(canvas)
    shown = [n.id for n in canvas.flow_nodes() if view.contains(n.view.sceneBoundingRect())]
    seen: list[tuple[int, set[str]]] = []

    def look() -> None:
        done = {
            node_id
            for node_id in shown
            if canvas.flow_node(node_id).status_text().startswith("success")
            and canvas.flow_node(node_id).preview("out")
        }
        seen.append((win.runs.progress.value(), done))

    sampler = QtCore.QTimer(interval=10)
    sampler.timeout.connect(look)
    sampler.start()
    with qtbot.waitSignal(win.runs.run_done, timeout=30_000) as blocker:
        assert win.runs.run_current("all")
    sampler.stop()
    assert blocker.args[0]
    assert any(0 < done < NODES and drawn for done, drawn in seen)  # shown while it ran
    result = win.runs.runner.last_result
    for node_id in shown:
        node = canvas.flow_node(node_id)
        assert node.status_text().startswith("success")
        assert node.preview("out") == str(result.output(node_id))
    far = [n for n in canvas.flow_nodes() if not view.intersects(n.view.sceneBoundingRect())]
    last = max(far, key=lambda n: (n.view.y(), n.view.x()))
    centre = last.view.sceneBoundingRect().center()
    canvas.set_view(centre.x(), centre.y(), 1.0)
    view = in_view(canvas)
    there = [n for n in far if view.contains(n.view.sceneBoundingRect())]
    assert there
    qtbot.waitUntil(
        lambda: all(n.preview("out") == str(result.output(n.id)) for n in there), timeout=5000
    )
    assert all(n.status_text().startswith("success") for n in there)


def test_a_right_click_between_a_bent_link_and_its_chord_is_on_the_canvas(qtbot, tmp_path):
    """A link into the first column bends out left of it: the area its curve closes with the
    straight line between its ends is canvas, not link (Qt's shape of a path closes it)."""
    win, canvas = open_shape(qtbot, tmp_path, "fanout")
    scene, view = canvas.scene(), in_view(canvas)

    def inside_bends():
        for pipe in pipes(canvas):
            closed = QtGui.QPainterPath(pipe.shape())
            closed.addPath(pipe.path())  # what Qt took for the link
            start, end = pipe.path().pointAtPercent(0), pipe.path().pointAtPercent(1)
            for step in range(1, 10):
                curve = pipe.path().pointAtPercent(step / 20)
                point = (curve + start + (end - start) * step / 20) / 2
                if view.contains(point) and closed.contains(point) and not scene.items(point):
                    yield point

    point = next(inside_bends())
    local = canvas.viewer().mapFromScene(point)
    QtTest.QTest.mouseMove(canvas.viewer().viewport(), local)
    assert not any(pipe.active() for pipe in pipes(canvas))
    event = QtGui.QContextMenuEvent(
        QtGui.QContextMenuEvent.Reason.Mouse, local, canvas.viewer().viewport().mapToGlobal(local)
    )
    QtWidgets.QApplication.sendEvent(canvas.viewer().viewport(), event)
    assert "Add node…" in [a.text().replace("&", "") for a in win.menus.last.actions()]


def test_the_links_of_a_dragged_node_are_drawn_where_it_goes(qtbot, tmp_path):
    """A node of the random DAG dragged by the mouse: its links follow it while it moves,
    and are drawn where they end up, not where they were (nor twice)."""
    win, canvas = open_shape(qtbot, tmp_path, "random")
    viewer, viewport = canvas.viewer(), canvas.viewer().viewport()
    view = in_view(canvas)
    node = next(
        n.view
        for n in canvas.flow_nodes()
        if view.contains(n.view.sceneBoundingRect().adjusted(-200, -200, 200, 200))
    )
    own = [p for port in (*node.inputs, *node.outputs) for p in port.connected_pipes]
    before = {pipe: pipe.path() for pipe in own}
    start = viewer.mapFromScene(node.sceneBoundingRect().center() + QtCore.QPointF(0, 20))
    QtTest.QTest.mousePress(viewport, Button.LeftButton, pos=start)
    for step in range(1, 6):
        QtTest.QTest.mouseMove(viewport, start + QtCore.QPoint(12, 30) * step)
        viewport.repaint()
    QtTest.QTest.mouseRelease(viewport, Button.LeftButton, pos=start + QtCore.QPoint(60, 150))
    settle(qtbot, canvas)
    scene = canvas.scene()
    moved = [pipe for pipe in own if pipe.path() != before[pipe]]
    assert moved and all(pipe in canvas.links.plain for pipe in own)
    drawn, left = [], []  # points on the links where they are, and where they were
    for pipe in moved:
        arrow = pipe.arrow.boundingRect().adjusted(-3, -3, 3, 3)
        for step in range(4, 37, 4):
            new, old = pipe.path().pointAtPercent(step / 40), before[pipe].pointAtPercent(step / 40)
            if view.contains(new) and scene.items(new) == [pipe] and not arrow.contains(new):
                drawn.append(new)
            near = QtCore.QRectF(old.x() - 4, old.y() - 4, 8, 8)
            if view.contains(old) and not scene.items(near):
                left.append(old)
    assert drawn and all(shows(canvas, point, PIPE_COLOR) for point in drawn)
    assert left and not any(shows(canvas, point, PIPE_COLOR) for point in left)
