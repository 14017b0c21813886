"""The dask executor: real flows on a loopback dask.distributed cluster."""

from __future__ import annotations

import subprocess
import sys
import threading
import warnings

import pytest
from flows import add_nodes, basic_repo, gate_spec, link, released_after, spec, wait_for

from pyflow_desktop.engine import (
    NodeCancelled,
    NodeFinished,
    NodeOutput,
    Scheduler,
    make_executor,
    plan_run,
    run_flow,
)
from pyflow_desktop.repository import Flow

distributed = pytest.importorskip("distributed")

from pyflow_desktop.engine.dask_executor import DaskExecutor  # noqa: E402

THREADS = 4


@pytest.fixture(scope="module")
def cluster():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Port .* is already in use")  # its HTTP server
        cluster = distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=THREADS,
            processes=False,
            dashboard_address=None,
            host="127.0.0.1",
            protocol="tcp",
        )
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def executor(cluster):
    """One executor (and client) reused by every run of this module."""
    executor = DaskExecutor(scheduler_address=cluster.scheduler_address)
    yield executor
    executor.shutdown()


def repo_with_extras():
    repo = basic_repo()
    repo.add_spec(gate_spec())
    repo.add_spec(
        spec(
            "forever",
            "import time\n"
            "def func(marker):\n"
            "    i = 0\n"
            "    try:\n"
            "        while True:\n"
            "            yield i\n"
            "            i += 1\n"
            "            time.sleep(0.02)\n"
            "    finally:\n"
            "        open(marker, 'w').close()\n",
            ["marker:String"],
        )
    )
    return repo


def chain(repo):
    flow = Flow("chain")
    add_nodes(
        flow,
        ("c", "const", {"v": "2"}),
        ("a1", "add", {"b": "3"}),
        ("a2", "add", {"b": "10"}),
    )
    link(flow, "c:out", "a1:a")
    link(flow, "a1:out", "a2:a")
    repo.add_flow(flow)
    return flow


def run(repo, flow, executor, **kwargs):
    events = []
    result = Scheduler(plan_run(repo, flow), executor, events.append, **kwargs).run()
    return result, events


def test_importing_the_engine_does_not_import_distributed():
    code = (
        "import sys, pyflow_desktop.engine, pyflow_desktop.engine.dask_executor\n"
        "assert 'distributed' not in sys.modules and 'dask' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_chain_runs_and_the_client_is_kept_across_runs(executor):
    repo = repo_with_extras()
    flow = chain(repo)
    result, events = run(repo, flow, executor)
    assert result.ok, result.nodes
    assert result.output("a2") == 15
    client = executor.client
    assert client is not None and client.status == "running"
    again = run_flow(repo, flow, executor=executor)
    assert again.output("a2") == 15
    assert executor.client is client
    assert executor.max_workers == THREADS  # the cluster's total worker threads


def test_generator_partials_arrive_in_order_before_finished(executor):
    repo = repo_with_extras()
    flow = Flow("gen")
    add_nodes(flow, ("g", "count", {"n": "25"}), ("g2", "count", {"n": "3"}))
    repo.add_flow(flow)
    for _ in range(3):  # ordering must hold every time, not by luck
        result, events = run(repo, flow, executor)
        assert result.output("g") == 24
        for node, count in (("g", 25), ("g2", 3)):
            mine = [e for e in events if e.node == node]
            partial = [e.index for e in mine if isinstance(e, NodeOutput)]
            assert partial == list(range(count))
            assert [e.value for e in mine if isinstance(e, NodeOutput)] == list(range(count))
            kinds = [type(e) for e in mine]
            assert kinds.index(NodeFinished) > max(
                i for i, kind in enumerate(kinds) if kind is NodeOutput
            )


def test_make_executor_connects_by_address(cluster):
    executor = make_executor("dask", 2, scheduler_address=cluster.scheduler_address)
    try:
        assert isinstance(executor, DaskExecutor) and executor.name == "dask"
        repo = repo_with_extras()
        result = run_flow(repo, chain(repo), executor=executor)
        assert result.output("a2") == 15
        assert executor.max_workers == 2  # an explicit cap is kept
    finally:
        executor.shutdown()
    assert executor.client is None


def test_without_address_a_loopback_cluster_is_started():
    with DaskExecutor(max_workers=2) as executor:
        repo = repo_with_extras()
        result = run_flow(repo, chain(repo), executor=executor)
        assert result.output("a2") == 15
        assert executor.client.scheduler.address.startswith(("inproc://", "tcp://127.0.0.1:"))
        assert executor.max_workers == 2


def test_unreachable_scheduler_raises_a_clear_error():
    executor = DaskExecutor(scheduler_address="tcp://127.0.0.1:9", connect_timeout=0.5)
    repo = repo_with_extras()
    with pytest.raises(ConnectionError, match="could not connect to the dask scheduler"):
        run_flow(repo, chain(repo), executor=executor)


def test_stop_ends_a_run_while_its_node_still_runs(executor, tmp_path):
    repo = repo_with_extras()
    flow = Flow("slow")
    with released_after(tmp_path / "release") as release:
        add_nodes(flow, ("s", "gate", {"release": str(release)}), ("next", "add", {"b": "1"}))
        link(flow, "s:out", "next:a")
        repo.add_flow(flow)
        events = []
        scheduler = Scheduler(plan_run(repo, flow), executor, events.append)
        entered = release.with_suffix(".entered")
        threading.Thread(target=lambda: wait_for(entered) and scheduler.cancel()).start()
        result = scheduler.run()
        assert not release.with_suffix(".returned").exists()  # reported while it still ran
    assert {n["id"]: n["status"] for n in result.nodes} == {"s": "cancelled", "next": "cancelled"}
    assert {e.node for e in events if isinstance(e, NodeCancelled)} == {"s", "next"}


def test_stop_ends_a_streaming_generator_on_the_worker(executor, tmp_path):
    repo = repo_with_extras()
    marker = tmp_path / "closed"
    flow = Flow("stream")
    add_nodes(flow, ("f", "forever", {"marker": str(marker)}))
    repo.add_flow(flow)
    events = []
    scheduler = Scheduler(plan_run(repo, flow), executor)

    def stop_after_three_values(event):
        events.append(event)
        if isinstance(event, NodeOutput) and event.index == 2:
            scheduler.cancel()

    scheduler.sink = stop_after_three_values
    result = scheduler.run()
    assert result.node("f")["status"] == "cancelled"
    partial = [e.index for e in events if isinstance(e, NodeOutput)]
    assert partial[:3] == [0, 1, 2] and partial == list(range(len(partial)))
    assert wait_for(marker, 10), "the generator kept running on the worker after Stop"


def test_timeout_stops_the_node_and_fails_it(executor, tmp_path):
    repo = repo_with_extras()
    flow = Flow("timeout")
    with released_after(tmp_path / "release") as release:
        add_nodes(flow, ("s", "gate", {"release": str(release)}), ("quick", "const", {"v": "4"}))
        repo.add_flow(flow)
        result = run_flow(repo, flow, executor=executor, timeout=0.3)
        assert not release.with_suffix(".returned").exists()  # reported while it still ran
    assert result.node("s")["status"] == "fail"
    # The module's cluster runs its worker in this process: the gate goes on in its thread.
    assert result.node("s")["error"] == (
        "timed out after 0.3 s (a thread cannot be killed: it may go on in the background)"
    )
    assert result.output("quick") == 4


def test_a_task_lost_by_dask_fails_the_node_with_a_clear_error(executor, tmp_path):
    repo = repo_with_extras()
    flow = Flow("lost")
    with released_after(tmp_path / "release") as release:
        add_nodes(flow, ("s", "gate", {"release": str(release)}), ("next", "add", {"b": "1"}))
        link(flow, "s:out", "next:a")
        repo.add_flow(flow)

        def lose() -> None:
            """Dask drops the task while it runs (as when its worker dies)."""
            if wait_for(release.with_suffix(".entered")):
                executor.client.cancel([executor._futures["s"]])  # noqa: SLF001

        threading.Thread(target=lose).start()
        result = run_flow(repo, flow, executor=executor)
    assert result.node("s")["status"] == "fail"
    assert result.node("s")["error"].startswith("dask worker lost:")
    assert result.node("next")["status"] == "skip"


def test_outputs_that_cannot_travel_fail_the_node_clearly(executor):
    repo = repo_with_extras()
    repo.add_spec(spec("lock", "import threading\ndef func():\n    return threading.Lock()\n"))
    flow = Flow("unpicklable")
    add_nodes(flow, ("l", "lock", {}), ("next", "add", {"b": "1"}), ("ok", "const", {"v": "1"}))
    link(flow, "l:out", "next:a")
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=executor)
    error = result.node("l")["error"]
    assert error.startswith("its outputs could not be sent back from the dask worker")
    assert "cannot pickle" in error and "\n" not in error
    assert [n["status"] for n in result.nodes] == ["fail", "skip", "success"]


def test_partial_values_are_not_kept_on_the_scheduler(executor):
    repo = repo_with_extras()
    flow = Flow("gen-forget")
    add_nodes(flow, ("g", "count", {"n": "5"}))
    repo.add_flow(flow)
    assert run_flow(repo, flow, executor=executor).output("g") == 4
    assert executor.client.get_events(executor._topic) == ()  # noqa: SLF001


def test_a_worker_process_that_dies_fails_only_its_node():
    repo = repo_with_extras()
    repo.add_spec(spec("die", "import os\ndef func():\n    os._exit(1)\n"))
    flow = Flow("dies")
    add_nodes(flow, ("d", "die", {}), ("after", "add", {"b": "1"}), ("g", "count", {"n": "3"}))
    link(flow, "d:out", "after:a")
    repo.add_flow(flow)
    with DaskExecutor(max_workers=2, processes=True) as executor:
        result, events = run(repo, flow, executor)
        assert [n["status"] for n in result.nodes] == ["fail", "skip", "success"]
        assert result.node("d")["error"].startswith("dask worker lost: KilledWorker")
        assert [e.index for e in events if isinstance(e, NodeOutput)] == [0, 1, 2]
        assert run_flow(repo, chain(repo), executor=executor).output("a2") == 15
