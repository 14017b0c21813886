"""The process executor's containment, on a real Dask cluster of worker processes.

The hazards (a node that hangs past its timeout, one that kills its worker with
``os._exit``, a generator) run against a ``LocalCluster`` of two single-threaded worker
processes with nannies, on loopback, started with dask's default configuration (so a task
whose worker dies would be retried); then healthy flows run on the same cluster.
"""

from __future__ import annotations

import warnings

import pytest
from flows import add_nodes, alive, basic_repo, link, spec, until

from pyflow_desktop.engine import NodeOutput, run_flow
from pyflow_desktop.repository import Flow

distributed = pytest.importorskip("distributed")

from pyflow_desktop.engine.dask_executor import DaskExecutor  # noqa: E402

HANG = (
    "import os\n"
    "def func(pids):\n"
    "    with open(pids, 'a') as f:\n"
    "        f.write(f'{os.getpid()}\\n')\n"
    "    while True:\n"
    "        pass\n"
)
EXIT = HANG.replace("    while True:\n        pass\n", "    os._exit(1)\n")
NAP = "import os, time\ndef func(s):\n    time.sleep(s)\n    return os.getpid()\n"


@pytest.fixture(scope="module")
def cluster():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Port .* is already in use")
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            protocol="tcp",
            dashboard_address=None,
        )
    yield cluster
    cluster.close()


@pytest.fixture(scope="module")
def executor(cluster):
    executor = DaskExecutor(scheduler_address=cluster.scheduler_address)
    yield executor
    executor.shutdown()


def hazards(tmp_path):
    repo = basic_repo()
    repo.add_spec(spec("hang", HANG, ["pids:String"]))
    repo.add_spec(spec("exit", EXIT, ["pids:String"]))
    flow = Flow("hazards")
    add_nodes(
        flow,
        ("hang", "hang", {"pids": str(tmp_path / "hang.pids")}),
        ("exit", "exit", {"pids": str(tmp_path / "exit.pids")}),
        ("gen", "count", {"n": "5"}),
        ("after", "add", {"b": "1"}),
    )
    link(flow, "exit:out", "after:a")
    repo.add_flow(flow)
    return repo, flow


def pids(path) -> list[int]:
    return [int(line) for line in path.read_text().split()]


def test_hazards_fail_alone_free_their_workers_and_the_cluster_stays_healthy(executor, tmp_path):
    repo, flow = hazards(tmp_path)
    events = []
    result = run_flow(repo, flow, executor=executor, timeout=2, on_event=events.append)
    status = {node["id"]: node["status"] for node in result.nodes}
    assert status == {"hang": "fail", "exit": "fail", "gen": "success", "after": "skip"}
    assert result.node("hang")["error"] == "timed out after 2 s"  # its worker was restarted
    assert result.node("exit")["error"].startswith("dask worker lost: KilledWorker: the worker")
    assert len(pids(tmp_path / "exit.pids")) == 1, "tried once, not on every worker in turn"
    assert [e.index for e in events if isinstance(e, NodeOutput) and e.node == "gen"] == [*range(5)]
    (hung,) = pids(tmp_path / "hang.pids")
    assert until(lambda: not alive(hung), 20), "the hung node's worker process still runs"

    healthy = basic_repo()
    chain = Flow("chain")
    add_nodes(chain, ("c", "const", {"v": "2"}), ("a", "add", {"b": "3"}))
    link(chain, "c:out", "a:a")
    healthy.add_flow(chain)
    # Workers may still be restarting: waiting for one is not running, so no timeout here.
    again = run_flow(healthy, chain, executor=executor, timeout=1)
    assert again.ok, again.nodes
    assert again.output("a") == 5


def test_a_timeout_counts_only_the_time_a_node_runs_not_the_time_it_waits(cluster):
    repo = basic_repo()
    repo.add_spec(spec("nap", NAP, ["s:Float"]))
    flow = Flow("queue")
    add_nodes(flow, *[(f"s{i}", "nap", {"s": "1"}) for i in range(4)])
    repo.add_flow(flow)
    # Four nodes in flight on two single-threaded workers: two wait a second for a worker.
    with DaskExecutor(max_workers=4, scheduler_address=cluster.scheduler_address) as executor:
        result = run_flow(repo, flow, executor=executor, timeout=1.8)
    assert result.ok, [node["error"] for node in result.nodes]
    pids = [result.output(f"s{i}") for i in range(4)]
    assert len(set(pids)) < 4, "some worker ran a node after another: that one waited"
