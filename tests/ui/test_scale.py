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


def test_a_two_thousand_node_run_shows_its_progress_while_it_runs(qtbot, window, run_and_wait):
    from pyflow_desktop.repository import NodeSpec, Port
    from pyflow_desktop.ui.run.settings import RunSettings

    nodes = 2000
    window.repo.add_spec(
        NodeSpec(
            "tick",
            "Tick",
            [Port("a", "Int")],
            [Port("out", "Int")],
            "import time\ndef func(a):\n    time.sleep(0.0005)\n    return (a or 0) + 1\n",
        )
    )
    flow = Flow("ticks")
    for index in range(nodes):
        flow.add_node(NodeInstance(f"t{index}", "tick", x=(index % 40) * 260, y=index // 40 * 110))
        if index:
            flow.add_link(Link(f"t{index - 1}", "out", f"t{index}", "a"))
    window.repo.add_flow(flow)
    canvas = window.tabs.open_flow("ticks")
    runner, bar = window.runs.runner, window.runs.progress
    runner.settings = RunSettings(executor="thread", workers=2, cache=False)
    events, batches, seen = [], [], []
    runner.batch_ready.connect(lambda batch: (batches.append(batch), events.extend(batch)))
    first = canvas.flow_node("t0")
    sampler = QtCore.QTimer(interval=10)
    sampler.timeout.connect(lambda: seen.append((bar.value(), bar.maximum(), first.status_text())))
    sampler.start()
    assert run_and_wait(window, timeout=60_000)
    sampler.stop()

    assert len(seen) >= 10  # the GUI thread served its timers all along
    assert any(0 < value < maximum for value, maximum, _ in seen)  # the bar moved mid-run
    mid_run = [status for value, maximum, status in seen if 0 < value < maximum]
    assert any(status.startswith("success") for status in mid_run)  # and so did the colours
    assert len(batches) < len(events) / 10  # one signal per batch, not one per event
    assert bar.value() == bar.maximum() == nodes
    last = canvas.flow_node(f"t{nodes - 1}")
    qtbot.waitUntil(lambda: last.preview("out") == str(nodes), timeout=10_000)
