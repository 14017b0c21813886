"""The conformance suite's real data: any Python value, on every executor alike
(``executor``: conftest).

A DataFrame, an object of a class a spec defines, a namedtuple, a generator's values that
JSON does not hold, an array of 100 MB: each passes from node to node, reaches listeners as
its view, and comes whole from ``RunResult.output``. A value whose worker died before its
consumer ran is made again (by the scheduler on ``process``, by dask from its lineage), and
one dropped under a small memory budget too (``process``); elsewhere the same flows just run.
"""

from __future__ import annotations

import os
import signal

import numpy as np
import pandas as pd
import pytest
from flows import add_nodes, basic_repo, link, spec, until

from pyflow_desktop.engine import (
    NodeFinished,
    NodeOutput,
    Scheduler,
    make_executor,
    plan_run,
    run_flow,
)
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.repository import Flow


@pytest.fixture(scope="module")
def dask_executor(dask_processes):
    """``executor``'s dask: worker processes of their own (conftest)."""
    return dask_processes


def run(repo, flow, executor):
    events = []
    result = run_flow(repo, flow, executor=executor, on_event=events.append)
    return result, events


def finished(events, node_id):
    return [e for e in events if isinstance(e, NodeFinished) and e.node == node_id]


def two_node_flow(repo, make: str, use: str) -> Flow:
    """``m`` (spec ``make``) → ``u`` (spec ``use``, input ``v``)."""
    flow = Flow("data")
    add_nodes(flow, ("m", make, {}), ("u", use, {}))
    link(flow, "m:out", "u:v")
    repo.add_flow(flow)
    return flow


def test_a_dataframe_goes_from_node_to_node_and_shows_as_a_table(executor):
    repo = basic_repo()
    repo.add_spec(
        spec(
            "frame",
            "import pandas as pd\ndef func():\n"
            "    return pd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', 'z']})\n",
        )
    )
    repo.add_spec(spec("total", "def func(v):\n    return int(v['a'].sum())\n", ["v:Any"]))
    result, events = run(repo, two_node_flow(repo, "frame", "total"), executor)
    assert result.ok and result.output("u") == 6
    expected = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    pd.testing.assert_frame_equal(result.output("m"), expected)
    table = finished(events, "m")[0].outputs["out"]["table"]
    assert table["columns"] == ["a", "b"] and table["row_count"] == 3
    assert table["rows"][0] == [1, "x"]
    shown = result.to_json()[0]["outputs"][0]["value"]
    assert shown["type"] == "pandas.DataFrame" and shown["shape"] == [3, 2]


CLASS_OF_ITS_OWN = (
    "class Point:\n"
    "    def __init__(self, x, y):\n"
    "        self.x, self.y = x, y\n"
    "    def norm(self):\n"
    "        return (self.x ** 2 + self.y ** 2) ** 0.5\n"
    "    def __repr__(self):\n"
    "        return f'Point({self.x}, {self.y})'\n"
    "def func():\n"
    "    return Point(3, 4)\n"
)


def test_an_object_of_a_class_its_spec_defines_travels_with_its_class(executor):
    repo = basic_repo()
    repo.add_spec(spec("point", CLASS_OF_ITS_OWN))
    repo.add_spec(spec("norm", "def func(v):\n    return v.norm()\n", ["v:Any"]))
    result, events = run(repo, two_node_flow(repo, "point", "norm"), executor)
    assert result.ok and result.output("u") == 5.0
    point = result.output("m")
    assert (point.x, point.y, point.norm()) == (3, 4, 5.0)
    view = finished(events, "m")[0].outputs["out"]
    assert view["type"] == "pyflow_node.Point" and view["repr"] == "Point(3, 4)"


def test_a_namedtuple_its_spec_defines_keeps_its_fields(executor):
    repo = basic_repo()
    repo.add_spec(
        spec(
            "pair",
            "from collections import namedtuple\nPair = namedtuple('Pair', 'x y')\n"
            "def func():\n    return Pair(1, 2)\n",
        )
    )
    repo.add_spec(spec("sum", "def func(v):\n    return v.x + v.y\n", ["v:Any"]))
    result, events = run(repo, two_node_flow(repo, "pair", "sum"), executor)
    assert result.ok and result.output("u") == 3
    pair = result.output("m")
    assert (type(pair).__name__, pair.x, pair.y, pair._fields) == ("Pair", 1, 2, ("x", "y"))
    view = finished(events, "m")[0].outputs["out"]
    assert view["type"] == "pyflow_node.Pair" and view["value"] == [1, 2]


def test_a_generators_partial_values_are_views_in_order_and_the_last_is_the_output(executor):
    repo = basic_repo()
    repo.add_spec(
        spec(
            "grow",
            "import numpy as np, time\ndef func():\n    for n in range(1, 5):\n"
            "        time.sleep(0.01)\n        yield np.arange(n, dtype=float)\n",
        )
    )
    repo.add_spec(spec("length", "def func(v):\n    return len(v)\n", ["v:Any"]))
    result, events = run(repo, two_node_flow(repo, "grow", "length"), executor)
    partials = [e for e in events if isinstance(e, NodeOutput)]
    assert [(e.index, e.value["shape"]) for e in partials] == [(i, [i + 1]) for i in range(4)]
    assert partials[-1].value["series"]["y"] == [0.0, 1.0, 2.0, 3.0]
    assert result.output("u") == 4 and result.output("m").tolist() == [0.0, 1.0, 2.0, 3.0]


def test_an_array_of_100_mb_goes_along_a_chain(executor):
    repo = basic_repo()
    repo.add_spec(spec("ones", "import numpy as np\ndef func():\n    return np.ones(12_500_000)\n"))
    repo.add_spec(spec("double", "def func(v):\n    return v * 2\n", ["v:Any"]))
    repo.add_spec(spec("total", "def func(v):\n    return float(v.sum())\n", ["v:Any"]))
    flow = Flow("big")
    add_nodes(flow, ("m", "ones", {}), ("d", "double", {}), ("t", "total", {}))
    link(flow, "m:out", "d:v")
    link(flow, "d:out", "t:v")
    repo.add_flow(flow)
    result, events = run(repo, flow, executor)
    assert result.ok and result.output("t") == 25_000_000.0
    view = finished(events, "d")[0].outputs["out"]
    assert view["shape"] == [12_500_000] and view["dtype"] == "float64" and "value" not in view
    assert len(view["series"]["y"]) <= 4096


PID_AND_DATA = "import os\ndef func():\n    return [os.getpid(), list(range(100))]\n"


def test_a_value_whose_worker_died_before_its_consumer_ran_is_made_again(executor):
    repo = basic_repo()
    repo.add_spec(spec("made", PID_AND_DATA))
    repo.add_spec(spec("use", "def func(v):\n    return sum(v[1])\n", ["v:Any"]))
    flow = two_node_flow(repo, "made", "use")
    scheduler = Scheduler(plan_run(repo, flow), executor)
    events, killed = [], []

    def sink(event):
        events.append(event)
        if isinstance(event, NodeFinished) and event.node == "m" and not killed:
            pid = event.outputs["out"]["value"][0]
            if pid != os.getpid():  # a worker process of its own: it dies now
                alive = live_workers(executor)
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                assert until(lambda: not alive(pid), 20)

    scheduler.sink = sink
    result = scheduler.run()
    assert result.ok and result.output("u") == 4950
    made = [e.outputs["out"]["value"][0] for e in finished(events, "m")]
    if executor.name == "process":
        assert len(made) == 2 and made[1] not in killed, "made again, in another worker"
    elif executor.name == "dask":  # made again by dask from its lineage, as any lost key
        assert killed and len(made) == 1 and result.output("m")[0] not in killed
    else:
        assert not killed and len(made) == 1


def live_workers(executor):
    """Whether the worker process of a pid is still one of the executor's."""
    if executor.name == "process":
        return lambda pid: pid in executor.pool.live_pids()
    client = executor.client
    addresses = {pid: address for address, pid in client.run(os.getpid).items()}
    return lambda pid: addresses[pid] in client.scheduler_info()["workers"]


UNPICKLABLE = (
    "import threading\ndef func():\n    return [threading.Lock(), b'x' * 300_000]\n"
)


@pytest.fixture
def small_budget(executor):
    """The executor under test; for ``process``, one worker keeping 200 kB of values."""
    if executor.name != "process":
        yield executor
        return
    pool = WorkerPool(budget=200_000)
    yield make_executor("process", 1, pool=pool, memory=200_000)
    pool.shutdown()


def test_a_value_dropped_under_a_small_memory_budget_is_made_again(small_budget):
    repo = basic_repo()
    repo.add_spec(spec("lock", UNPICKLABLE))  # cannot be spilled: it is dropped
    repo.add_spec(spec("blob", "def func():\n    return b'y' * 300_000\n"))  # spilled
    repo.add_spec(spec("both", "def func(a, b):\n    return len(a[1]) + len(b)\n", ["a", "b"]))
    flow = Flow("budget")
    add_nodes(flow, ("a", "lock", {}), ("b", "blob", {}), ("c", "both", {}))
    link(flow, "a:out", "c:a")
    link(flow, "b:out", "c:b")
    repo.add_flow(flow)
    result, events = run(repo, flow, small_budget)
    assert result.ok and result.output("c") == 600_000
    runs = 2 if small_budget.name == "process" else 1
    assert (len(finished(events, "a")), len(finished(events, "b"))) == (runs, 1)
    assert np.array_equal(np.frombuffer(result.output("b"), dtype=np.uint8)[:1], [ord("y")])
