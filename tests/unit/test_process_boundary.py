"""The boundary between a run and its worker processes: a value that cannot cross it fails
its own node and the worker goes on; a node's timeout counts its run, not the start of its
worker."""

from __future__ import annotations

import threading

import pytest
from flows import add_nodes, basic_repo, spec, until

from pyflow_desktop.engine import NodeTask, make_executor, run_flow
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.repository import Flow


@pytest.fixture
def pool():
    pool = WorkerPool()
    yield pool
    pool.shutdown()


def test_an_output_only_the_worker_can_unpickle_fails_that_node_alone(pool, tmp_path):
    module = tmp_path / "zzmod_only_here.py"
    module.write_text("class Foo:\n    pass\n")
    repo = basic_repo()
    repo.add_spec(
        spec(
            "foo",
            f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
            "import zzmod_only_here\ndef func():\n    return zzmod_only_here.Foo()\n",
        )
    )
    flow = Flow("f")
    add_nodes(flow, ("foo", "foo", {}), ("ok", "const", {"v": "1"}))
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=make_executor("process", 2, pool=pool), timeout=20)
    assert "could not be received" in result.node("foo")["error"]
    assert result.output("ok") == 1


def test_inputs_that_cannot_cross_processes_fail_that_node(pool):
    executor = make_executor("process", 1, pool=pool)
    messages = []
    executor.start(messages.append, threading.Event())
    executor.submit(NodeTask("n", "def func(x):\n    return 1\n", [threading.Lock()], ["out"]))
    kind, node_id, outcome = messages[0]
    assert (kind, node_id) == ("done", "n")
    assert "cannot be sent to a worker process" in outcome.error
    executor.submit(NodeTask("m", "def func(x):\n    return x\n", [5], ["out"]))
    assert until(lambda: [m for m in messages[1:] if m[0] == "done"], seconds=20)
    assert ("started", "m") in messages
    done = next(m for m in messages[1:] if m[0] == "done")
    assert done[2].outputs == {"out": 5}, "the worker was released and still works"


def test_a_timeout_does_not_count_the_start_of_worker_processes(pool):
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, *[(f"s{i}", "sleep", {"s": "0.05"}) for i in range(4)])
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=make_executor("process", 4, pool=pool), timeout=0.5)
    assert result.ok, [n["error"] for n in result.nodes]
