"""A run paced by a window's gate dispatches nothing while the gate is closed, goes on when
it opens, and can still be stopped meanwhile."""

from __future__ import annotations

import sys
import threading

from test_event_batches import chain

from pyflow_desktop.engine import NodeFinished, Scheduler, ThreadExecutor, plan_run
from pyflow_desktop.engine.pacing import SWITCH_INTERVAL
from pyflow_desktop.repository import Flow, NodeInstance, NodeSpec, Port, Repository


def start(gate: threading.Event, nodes: int = 200):
    repo, flow = chain(nodes)
    finished: list[str] = []
    scheduler = Scheduler(
        plan_run(repo, flow, "all"),
        ThreadExecutor(2),
        lambda event: isinstance(event, NodeFinished) and finished.append(event.node),
        gate=gate,
    )
    result: list = []
    thread = threading.Thread(target=lambda: result.append(scheduler.run()))
    thread.start()
    return scheduler, thread, finished, result


def test_a_closed_gate_holds_the_run_and_an_open_one_lets_it_finish():
    gate = threading.Event()
    _scheduler, thread, finished, result = start(gate)
    thread.join(0.3)
    assert thread.is_alive() and finished == []
    gate.set()
    thread.join(10)
    assert not thread.is_alive()
    assert result[0].ok and len(finished) == 200 and finished[-1] == "n199"


def test_a_run_held_by_a_closed_gate_still_stops():
    gate = threading.Event()
    scheduler, thread, finished, result = start(gate)
    scheduler.cancel()
    thread.join(10)
    assert not thread.is_alive() and finished == []
    assert result[0].counts() == {"cancelled": 200}


def test_an_open_gate_changes_nothing_of_the_result():
    gate = threading.Event()
    gate.set()
    _scheduler, thread, finished, result = start(gate, 2000)
    thread.join(20)
    assert result[0].ok and finished == [f"n{i}" for i in range(2000)]
    assert result[0].output("n1999") == 2000


def test_a_paced_run_switches_threads_more_often_and_then_as_before():
    repo = Repository()
    source = "import sys\ndef func():\n    return sys.getswitchinterval()\n"
    repo.add_spec(NodeSpec("interval", "Interval", [], [Port("out", "Float")], source))
    flow = Flow("f")
    flow.add_node(NodeInstance("n", "interval"))
    repo.add_flow(flow)
    before = sys.getswitchinterval()
    gate = threading.Event()
    gate.set()
    paced = Scheduler(plan_run(repo, flow), ThreadExecutor(2), gate=gate).run()
    headless = Scheduler(plan_run(repo, flow), ThreadExecutor(2)).run()
    assert paced.output("n") <= SWITCH_INTERVAL < before == headless.output("n")
    assert sys.getswitchinterval() == before
