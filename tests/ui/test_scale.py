"""Regression: big flows open, run and redraw in seconds, not minutes.

NodeGraphQt's ``create_node`` is quadratic (unique-name scan) and PySide6 6.12.0 crashed
after a few hundred signal emissions; this test builds 500 connected nodes in one process,
runs them, and emits 10,000 signals.
"""

from __future__ import annotations

import time

from PySide6 import QtCore

from pyflow_desktop.repository import Flow, Link, NodeInstance

NODES = 500


class _Pinger(QtCore.QObject):
    ping = QtCore.Signal(int)


def test_five_hundred_connected_nodes(qtbot, window, run_and_wait):
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

    started = time.perf_counter()
    canvas = window.tabs.open_flow("chain")
    qtbot.wait(1)
    built = time.perf_counter() - started
    assert len(canvas.flow_nodes()) == NODES
    assert built < 30, f"building the canvas took {built:.1f} s"

    started = time.perf_counter()
    window.edits.frame_all()
    assert time.perf_counter() - started < 2

    assert run_and_wait(window, timeout=60_000)
    assert canvas.flow_node(f"c{NODES - 1}").preview("out") == str(NODES)
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
