"""Engine events reach the GUI thread in order, batched, without freezing the window."""

from __future__ import annotations

import threading
import time

from PySide6 import QtCore

from pyflow_desktop.engine import NodeFinished, NodeStarted
from pyflow_desktop.ui.run.controller import RunController
from pyflow_desktop.ui.run.settings import RunSettings


def test_ten_thousand_events_arrive_in_order_while_timers_keep_firing(qtbot):
    runner = RunController()
    received: list = []
    batches: list[int] = []

    def on_batch(events):
        received.extend(events)
        batches.append(len(events))

    runner.batch_ready.connect(on_batch)
    ticks = []
    heartbeat = QtCore.QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    runner._timer.start()
    count = 10_000

    def produce():
        for index in range(count):
            cls = NodeStarted if index % 2 == 0 else NodeFinished
            runner._relay.event.emit(cls(f"n{index}"))
            if index % 1000 == 0:
                time.sleep(0.01)

    worker = threading.Thread(target=produce)
    started = time.perf_counter()
    worker.start()
    qtbot.waitUntil(lambda: len(received) == count, timeout=30_000)
    worker.join()
    heartbeat.stop()
    runner._timer.stop()
    assert [event.node for event in received] == [f"n{i}" for i in range(count)]
    assert len(batches) < count / 10  # batched, not one repaint per event
    assert len(ticks) >= 3  # the GUI thread kept serving timers
    gaps = [later - earlier for earlier, later in zip(ticks, ticks[1:])]
    assert max(gaps, default=0) < 2.0
    assert time.perf_counter() - started < 30


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
    ticks = []
    heartbeat = QtCore.QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start(10)
    with qtbot.waitSignal(window.runs.run_done, timeout=10_000) as blocker:
        assert window.runs.run_current()
        qtbot.wait(400)
        assert window.runs.stop_action.isEnabled()
        window.runs.stop()
    heartbeat.stop()
    assert blocker.args == [False]
    assert len(ticks) >= 10  # the GUI thread kept running while nodes slept
    statuses = {node.status_text().split(" ")[0] for node in window.tabs.current()[0].flow_nodes()}
    assert "cancelled" in statuses
