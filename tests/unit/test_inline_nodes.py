"""Quick nodes run on the scheduler's loop thread; slow ones, and nodes never measured, go to
the executor and run in parallel. Plans follow dependencies whatever the file order."""

from __future__ import annotations

import os

import pytest
from flows import add_nodes, basic_repo, link, spec

from pyflow_desktop.engine import (
    NodeFinished,
    Scheduler,
    ThreadExecutor,
    make_executor,
    plan_run,
    run_flow,
)
from pyflow_desktop.engine import scheduler as scheduler_module
from pyflow_desktop.engine.watchdog import LOOP_THREAD
from pyflow_desktop.repository import Flow

WHERE = "import threading, time\ndef func(a, s):\n    time.sleep(s)\n    return threading.current_thread().name\n"


def where_repo(sleeps: list[float]):
    """A chain of nodes that sleep ``sleeps[i]`` seconds and return their thread's name."""
    repo = basic_repo()
    repo.add_spec(spec("where", WHERE, ["a", "s:Float"]))
    flow = Flow("chain")
    add_nodes(flow, *[(f"w{i}", "where", {"s": str(s)}) for i, s in enumerate(sleeps)])
    for i in range(1, len(sleeps)):
        link(flow, f"w{i - 1}:out", f"w{i}:a")
    repo.add_flow(flow)
    return repo


def threads_of(result, count: int) -> list[str]:
    return [result.output(f"w{i}") for i in range(count)]


@pytest.fixture
def quick_below_100_ms(monkeypatch):
    """What counts as quick, raised so that a busy machine cannot make a trivial node slow."""
    monkeypatch.setattr(scheduler_module, "INLINE_BELOW", 0.1)


def test_a_quick_node_runs_on_the_loop_thread_once_its_spec_is_measured(quick_below_100_ms):
    result = run_flow(where_repo([0, 0, 0, 0]), "chain", workers=2)
    assert result.ok
    assert threads_of(result, 4) == ["pyflow-node", LOOP_THREAD, LOOP_THREAD, LOOP_THREAD]


def test_a_node_that_turns_out_slow_sends_its_spec_back_to_the_executor(quick_below_100_ms):
    result = run_flow(where_repo([0, 0.15, 0, 0]), "chain", workers=2)
    assert threads_of(result, 4) == ["pyflow-node", LOOP_THREAD, "pyflow-node", LOOP_THREAD]


def test_nodes_of_a_slow_spec_stay_parallel():
    repo = basic_repo()
    repo.add_spec(spec("where", WHERE, ["a", "s:Float"]))
    flow = Flow("f")
    add_nodes(flow, ("w0", "where", {"s": "0.1"}), ("w1", "where", {"s": "0.3"}))
    add_nodes(flow, ("w2", "where", {"s": "0.3"}))
    link(flow, "w0:out", "w1:a")
    link(flow, "w0:out", "w2:a")
    repo.add_flow(flow)
    result = run_flow(repo, flow, workers=2)
    assert threads_of(result, 3) == ["pyflow-node"] * 3
    assert result.elapsed < 0.55  # 0.1 s, then two 0.3 s side by side


def test_a_quick_node_that_overruns_the_timeout_fails_as_timed_out(quick_below_100_ms):
    repo = where_repo([0, 0.3, 0])
    result = run_flow(repo, "chain", timeout=0.2, workers=2)
    assert result.node("w1")["status"] == "fail"
    assert "timed out after 0.2 s" in result.node("w1")["error"]
    assert result.node("w2")["status"] == "skip"


def test_stop_reaches_a_long_streak_of_quick_nodes():
    count = 20_000
    repo = basic_repo()
    flow = Flow("long")
    add_nodes(flow, *[(f"n{i}", "add", {"a": "0", "b": "1"}) for i in range(count)])
    for i in range(1, count):
        link(flow, f"n{i - 1}:out", f"n{i}:a")
    repo.add_flow(flow)
    scheduler = Scheduler(plan_run(repo, flow), ThreadExecutor(2))

    def stop_at_hundred(event):
        if isinstance(event, NodeFinished) and event.node == "n100":
            scheduler.cancel()

    scheduler.sink = stop_at_hundred
    statuses = [node["status"] for node in scheduler.run().nodes]
    assert statuses[:101] == ["success"] * 101
    assert set(statuses[102:]) == {"cancelled"}


def test_a_slow_node_in_a_worker_is_heard_during_a_streak_of_quick_nodes():
    count = 20_000
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("slow", "sleep", {"s": "0.05"}))
    add_nodes(flow, *[(f"n{i}", "add", {"a": "0", "b": "1"}) for i in range(count)])
    for i in range(1, count):
        link(flow, f"n{i - 1}:out", f"n{i}:a")
    repo.add_flow(flow)
    finished = []
    run_flow(
        repo,
        flow,
        workers=2,
        on_event=lambda e: finished.append(e.node) if isinstance(e, NodeFinished) else None,
    )
    assert finished.index("slow") < finished.index(f"n{count - 1}")


def test_quick_nodes_capture_their_output_on_the_loop_thread():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, *[(f"s{i}", "shout", {"t": f"n{i}"}) for i in range(3)])
    repo.add_flow(flow)
    outputs = {}
    run_flow(
        repo,
        flow,
        workers=1,
        on_event=lambda e: (
            outputs.update({e.node: e.stdout}) if isinstance(e, NodeFinished) else None
        ),
    )
    assert outputs == {f"s{i}": f"hello n{i}\n" for i in range(3)}


def test_worker_processes_run_every_node_however_quick():
    repo = basic_repo()
    repo.add_spec(spec("pid", "import os\ndef func(a):\n    return os.getpid()\n", ["a"]))
    flow = Flow("f")
    add_nodes(flow, *[(f"p{i}", "pid", {}) for i in range(4)])
    for i in range(1, 4):
        link(flow, f"p{i - 1}:out", f"p{i}:a")
    repo.add_flow(flow)
    executor = make_executor("process", 1)
    try:
        result = run_flow(repo, flow, executor=executor)
    finally:
        executor.shutdown()
    assert result.ok and os.getpid() not in {result.output(f"p{i}") for i in range(4)}


def test_nodes_listed_before_what_they_depend_on_are_planned_after_it():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(
        flow,
        ("last", "add", {"b": "1"}),
        ("lone", "const", {"v": "9"}),
        ("middle", "add", {"b": "1"}),
        ("first", "const", {"v": "1"}),
    )
    link(flow, "first:out", "middle:a")
    link(flow, "middle:out", "last:a")
    repo.add_flow(flow)
    assert plan_run(repo, flow).order == ("lone", "first", "middle", "last")
    assert plan_run(repo, flow, ["last"]).order == ("first", "middle", "last")
    assert run_flow(repo, flow).output("last") == 3
