"""Engine events reach the GUI thread in order, batched, without freezing the window."""

from __future__ import annotations

import gc
import threading

from helpers import settle
from PySide6 import QtCore
from test_editing import type_value

from pyflow_desktop.engine import NodeFinished
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository
from pyflow_desktop.ui.run.controller import RunController
from pyflow_desktop.ui.run.settings import RunSettings


class _Relay(QtCore.QObject):
    event = QtCore.Signal(object)


def test_ten_thousand_queued_emits_from_a_thread_arrive_in_order(qtbot):
    """PySide6 6.12.0 on Python 3.11 crashed after a few hundred of these: keep the pin."""
    gc.collect()  # no Qt garbage left for a collection to free while the thread emits
    relay, received = _Relay(), []
    relay.event.connect(received.append, QtCore.Qt.ConnectionType.QueuedConnection)
    count = 10_000

    def produce():
        for index in range(count):
            relay.event.emit(index)

    worker = threading.Thread(target=produce)
    worker.start()
    qtbot.waitUntil(lambda: len(received) == count, timeout=30_000)
    worker.join()
    assert received == list(range(count))


def test_ten_thousand_run_events_arrive_in_order_in_batches_while_timers_keep_firing(qtbot):
    nodes = 5_000
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "one", "One", [Port("x", "Int")], [Port("out", "Int")], "def func(x):\n    return 1\n"
        )
    )
    flow = Flow("chain", "Chain")
    for index in range(nodes):
        flow.add_node(NodeInstance(f"n{index}", "one"))
        if index:
            flow.add_link(Link(f"n{index - 1}", "out", f"n{index}", "x"))
    repo.add_flow(flow)
    runner = RunController()
    runner.settings = RunSettings(workers=2, cache=False)
    received: list = []
    batches: list[int] = []
    served: list[str] = []  # "batch" and "tick", in the order the GUI thread served them

    def on_batch(events):
        received.extend(events)
        batches.append(len(events))
        served.append("batch")

    runner.batch_ready.connect(on_batch)
    heartbeat = QtCore.QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: served.append("tick"))
    heartbeat.start()
    with qtbot.waitSignal(runner.finished, timeout=60_000) as blocker:
        runner.start(repo, flow)
    heartbeat.stop()
    assert blocker.args[0].ok
    finished = [event.node for event in received if isinstance(event, NodeFinished)]
    assert finished == [f"n{i}" for i in range(nodes)]  # a chain finishes in order
    assert len(received) >= 2 * nodes
    assert len(batches) < len(received) / 10  # batched, not one repaint per event
    assert runner.done == runner.planned == nodes
    first, last = served.index("batch"), len(served) - served[::-1].index("batch") - 1
    assert "tick" in served[first:last]  # the GUI thread served its timer between batches


def test_stop_cancels_a_running_flow(qtbot, window, run_and_wait):
    from pyflow_desktop.repository import Flow, NodeInstance, NodeSpec, Port

    window.repo.add_spec(
        NodeSpec(
            "slow.wait",
            "Wait",
            [Port("s", "Float")],
            [Port("out")],
            "import time\ndef func(s):\n    time.sleep(s)\n    return s\n",
        )
    )
    flow = Flow("slow")
    for index in range(6):
        flow.add_node(NodeInstance(f"w{index}", "slow.wait", values={"s": "0.3"}))
    window.repo.add_flow(flow)
    window.tabs.open_flow("slow")
    window.runs.runner.settings = RunSettings(workers=1)
    runner = window.runs.runner
    running_at_tick = []  # whether the run was going at each tick of a GUI-thread timer
    heartbeat = QtCore.QTimer()
    heartbeat.timeout.connect(lambda: running_at_tick.append(runner.running))
    heartbeat.start(10)
    with qtbot.waitSignal(window.runs.run_done, timeout=10_000) as blocker:
        assert window.runs.run_current()
        qtbot.waitUntil(lambda: runner.done >= 1, timeout=5000)  # one node done, five to go
        assert window.runs.stop_action.isEnabled()
        window.runs.stop()
    heartbeat.stop()
    assert blocker.args == [False]
    assert True in running_at_tick  # the GUI thread kept serving timers while nodes slept
    statuses = {node.status_text().split(" ")[0] for node in window.tabs.current()[0].flow_nodes()}
    assert "cancelled" in statuses


def test_the_status_bar_shows_the_last_run_of_the_flow_in_front(qtbot, window, run_and_wait):
    progress = window.runs.progress
    window.tabs.open_flow("broken")
    window.tabs.open_flow("calc")
    assert progress.text() == "not run yet"
    window.trust.trust(window.repo.specs.values())
    assert run_and_wait(window)
    calc = progress.text()
    assert calc.startswith("2 done")
    window.tabs.open_flow("broken")
    assert progress.text() == "not run yet"
    assert not run_and_wait(window)
    assert "failed" in progress.text()
    window.tabs.open_flow("calc")
    assert progress.text() == calc


def test_a_run_of_the_whole_flow_reuses_the_kept_plan_and_runs_every_edit(
    qtbot, window, run_and_wait
):
    window.trust.trust(window.repo.specs.values())
    canvas = window.tabs.open_flow("calc")
    state = window.run_states.get("calc")
    qtbot.waitUntil(lambda: state.plan_for("all") is not None)
    kept = state.plan_for("all")
    assert state.plan_for(["n1"]) is None  # a part of the flow is planned anew
    assert run_and_wait(window)
    assert canvas.flow_node("n2").preview("out") == "50.0"
    assert state.plan_for("all") is kept  # nothing changed: the same plan again
    type_value(canvas, "n1", "a", "7")  # run at once, before the view has looked at the edit
    assert state.plan_for("all") is None
    assert run_and_wait(window)
    assert canvas.flow_node("n2").preview("out") == "100.0"
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: state.plan_for("all") is not None)
    assert run_and_wait(window)
    assert canvas.flow_node("n2").preview("out") == "50.0"


def test_a_big_run_shows_the_nodes_in_view_when_it_ends_and_the_others_soon_after(
    qtbot, window, run_and_wait
):
    repo = window.repo
    flow = Flow("big", "Big")
    for index in range(600):  # each adds 1 to the one before: node n gives n + 1
        values = {"a": "0", "b": "1"} if index == 0 else {"b": "1"}
        x, y = (index % 30) * 240.0, (index // 30) * 140.0
        flow.add_node(NodeInstance(f"n{index}", "math.add", values=values, x=x, y=y))
        if index:
            flow.add_link(Link(f"n{index - 1}", "out", f"n{index}", "a"))
    repo.add_flow(flow)
    window.trust.trust(repo.specs.values())
    canvas = window.tabs.open_flow("big")
    settle(qtbot)  # the tab's first frame, before the view is set
    canvas.set_view(400.0, 200.0, 1.0)  # the first nodes, at full size
    window.runs.runner.settings = RunSettings(workers=2, cache=False)
    assert run_and_wait(window)
    viewer = canvas.viewer()
    shown = viewer.mapToScene(viewer.viewport().rect()).boundingRect()
    in_view = [n for n in canvas.flow_nodes() if shown.contains(n.view.sceneBoundingRect())]
    assert in_view and all(n.status_text().startswith("success") for n in in_view)
    assert canvas.flow_node("n0").preview("out") == "1"
    qtbot.waitUntil(lambda: canvas.flow_node("n599").preview("out") == "600", timeout=5000)


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
