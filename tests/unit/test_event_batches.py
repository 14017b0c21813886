"""A run's events reach a consumer in batches, in order: one hand-off per batch."""

from __future__ import annotations

import threading

from pyflow_desktop.engine import (
    EventBatcher,
    NodeFinished,
    NodeQueued,
    NodeStarted,
    RunFinished,
    Scheduler,
    ThreadExecutor,
    plan_run,
)
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository

NAP = "import time\ndef func(a):\n    time.sleep(0.01)\n    return a\n"


def chain(nodes: int) -> tuple[Repository, Flow]:
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "inc",
            "Inc",
            [Port("a", "Int")],
            [Port("out", "Int")],
            "def func(a):\n    return (a or 0) + 1\n",
        )
    )
    flow = Flow("chain")
    for index in range(nodes):
        flow.add_node(NodeInstance(f"n{index}", "inc"))
        if index:
            flow.add_link(Link(f"n{index - 1}", "out", f"n{index}", "a"))
    repo.add_flow(flow)
    return repo, flow


def test_a_run_arrives_in_fewer_batches_than_events_in_engine_order():
    repo, flow = chain(3000)
    direct, batches = [], []
    Scheduler(plan_run(repo, flow), ThreadExecutor(2), direct.append).run()
    batcher = EventBatcher(batches.append, interval=0.002)
    result = Scheduler(plan_run(repo, flow), ThreadExecutor(2), batcher.add).run()
    batcher.close()
    assert result.ok
    received = [event for batch in batches for event in batch]
    assert [(type(e), e.node) for e in received] == [(type(e), e.node) for e in direct]
    assert 1 < len(batches) < len(received) / 10
    assert isinstance(batches[-1][-1], RunFinished)  # the run's end is not held back


def test_a_lone_event_is_delivered_without_waiting_for_more():
    delivered = threading.Event()
    batches = []

    def deliver(batch):
        batches.append(batch)
        delivered.set()

    batcher = EventBatcher(deliver, interval=0.01)
    batcher(NodeStarted("slow"))  # a node that takes its time: nothing follows for a while
    assert delivered.wait(10)
    assert [event.node for event in batches[0]] == ["slow"]
    batcher(NodeQueued("a"))
    batcher(NodeFinished("a"))
    batcher.close()
    assert [event.node for batch in batches for event in batch] == ["slow", "a", "a"]


def test_close_delivers_what_is_left_and_nothing_after():
    batches = []
    batcher = EventBatcher(batches.append, interval=60)
    batcher(NodeQueued("a"))
    assert batches == []  # still gathering
    batcher.close()
    assert [[event.node for event in batch] for batch in batches] == [["a"]]
    batcher.flush()
    assert len(batches) == 1


def test_without_an_interval_only_its_owner_flushes_and_no_thread_is_started():
    batches = []
    threads = threading.active_count()
    batcher = EventBatcher(batches.append, interval=None)
    assert threading.active_count() == threads
    batcher(NodeQueued("a"))
    batcher.flush()
    batcher(NodeFinished("a"))
    batcher.close()
    assert [[event.node for event in batch] for batch in batches] == [["a"], ["a"]]


def test_a_brief_run_tells_only_how_quick_nodes_ended():
    repo, flow = chain(50)
    repo.add_spec(NodeSpec("nap", "Nap", [Port("a", "Int")], [Port("out", "Int")], NAP))
    flow.add_node(NodeInstance("slow", "nap"))
    flow.add_link(Link("n49", "out", "slow", "a"))
    full, brief = [], []
    Scheduler(plan_run(repo, flow), ThreadExecutor(2), full.append).run()
    result = Scheduler(plan_run(repo, flow), ThreadExecutor(2), brief.append, brief=True).run()
    assert result.ok and result.output("slow") == 50

    def told(events, node):
        return [type(event) for event in events if event.node == node]

    for events in (full, brief):  # a node never timed yet, and one that takes its time
        assert told(events, "n0") == told(events, "slow") == [NodeQueued, NodeStarted, NodeFinished]
    assert told(full, "n7") == [NodeQueued, NodeStarted, NodeFinished]
    assert told(brief, "n7") == [NodeFinished]  # quick: run inline, told once
    assert isinstance(brief[-1], RunFinished)
