"""NodeGraphQt by itself, on the same shapes and views as the window (``canvas_measures``):
what the canvas would cost drawn by NodeGraphQt's own items."""

from __future__ import annotations

import time

from canvas_measures import CANVAS, STEPS, fastest_ms, frame_ms, settle, wheel
from flow_shapes import build
from PySide6 import QtCore

from pyflow_desktop.ui.canvas.ngqt import BaseNode, NodeGraph


class Plain(BaseNode):
    """A node with the ports of the shapes' specs."""

    __identifier__ = "bench"
    NODE_NAME = "plain"

    def __init__(self):
        super().__init__()
        self.add_input("a")
        self.add_input("b")
        self.add_output("out")


def session(shape: str, n: int) -> dict:
    """``shape`` of ``n`` nodes as a NodeGraphQt session."""
    flow = build(shape, n).flows[shape]
    nodes = {
        node.id: {"type_": "bench.Plain", "name": node.id, "pos": [node.x, node.y]}
        for node in flow.nodes.values()
    }
    links = [
        {"out": [link.source, link.source_port], "in": [link.target, link.target_port]}
        for link in flow.links
    ]
    return {"nodes": nodes, "connections": links}


def new_graph(app) -> NodeGraph:
    graph = NodeGraph()
    graph.register_node(Plain)
    widget = graph.widget
    widget.resize(*CANVAS)
    widget.show()
    settle(app, 50)
    viewport = graph.viewer().viewport()
    widget.resize(2 * CANVAS[0] - viewport.width(), 2 * CANVAS[1] - viewport.height())
    settle(app, 50)
    return graph


def open_s(app, shape: str, n: int) -> float:
    """``deserialize_session`` of ``shape`` in a new graph, until drawn, in seconds."""
    graph = new_graph(app)
    data = session(shape, n)
    start = time.perf_counter()
    graph.deserialize_session(data)
    graph.viewer().viewport().repaint()
    took = time.perf_counter() - start
    graph.widget.close()
    return took


def show(graph: NodeGraph, x: float, y: float, scale: float) -> None:
    """NodeGraphQt's viewer centred on (x, y) at ``scale``, as the canvas's ``set_view``."""
    size = graph.viewer().viewport().size()
    width, height = size.width() / scale, size.height() / scale
    graph.viewer().set_scene_rect([x - width / 2, y - height / 2, width, height])


def measures(app, shape: str, views: dict, repeat: int) -> dict[str, float]:
    """Warm repaints at ``views`` (name → x, y, scale) of a 2,000-node ``shape``, and a pan
    and a zoom step at the first of them, in ms (each the fastest of ``repeat``: these take
    seconds, and vary less than the noise of a frame of milliseconds)."""
    graph = new_graph(app)
    graph.deserialize_session(session(shape, 2000))
    viewport = graph.viewer().viewport()
    out = {}
    for name, view in views.items():
        show(graph, *view)
        out[name] = fastest_ms(repeat, viewport.repaint)
    x, y, scale = next(iter(views.values()))
    show(graph, x, y, scale)
    viewport.repaint()
    steps = iter(range(1, STEPS + 1))
    out["pan"] = fastest_ms(
        repeat, lambda: (show(graph, x + next(steps) * 100 / scale, y, scale), viewport.repaint())
    )
    show(graph, x, y, scale)
    notches = iter([120, -120] * STEPS)
    out["zoom"] = fastest_ms(repeat, lambda: (wheel(viewport, next(notches)), viewport.repaint()))
    graph.widget.close()
    return out


def frame_5000_ms(app, repeat: int) -> float:
    """A warm repaint of 5,000 unlinked nodes at fit zoom."""
    graph = new_graph(app)
    for i in range(5000):
        graph.add_node(Plain(), pos=[(i % 70) * 240.0, (i // 70) * 140.0], push_undo=False)
    rect = QtCore.QRectF()
    for node in graph.all_nodes():
        rect = rect.united(node.view.sceneBoundingRect())
    graph.viewer().set_scene_rect([rect.x(), rect.y(), rect.width(), rect.height()])
    settle(app, 50)
    ms = frame_ms(graph.viewer().viewport(), repeat)
    graph.widget.close()
    return ms
