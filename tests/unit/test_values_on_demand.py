"""A value's whole view, pages of its rows and its whole series on demand (JSON only, for the
window's viewers), and the value itself for a script (``RunResult.view``, ``fetch``,
``output``), on the thread, process and dask executors alike; a run's values go with its
result."""

from __future__ import annotations

import gc
import os
import signal

import pytest
from flows import add_nodes, basic_repo, spec, until

from pyflow_desktop.engine import make_executor, run_flow
from pyflow_desktop.engine.handles import Handle
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.repository import Flow

FRAME = (
    "import numpy as np, pandas as pd\ndef func():\n"
    "    return pd.DataFrame({'i': np.arange(1000), 'sq': np.arange(1000) ** 2})\n"
)
RECORDS = "def func():\n    return [{'n': i, 'odd': i % 2 == 1} for i in range(500)]\n"
SERIES = "import numpy as np\ndef func():\n    return np.sin(np.arange(10_000) / 100)\n"


@pytest.fixture(params=["thread", "process", "dask"])
def executor(request):
    if request.param == "thread":
        yield make_executor("thread")
        return
    if request.param == "dask":  # values stay on the cluster's worker processes
        yield request.getfixturevalue("dask_processes")
        return
    pool = WorkerPool()
    yield make_executor("process", 2, pool=pool)
    pool.shutdown()


def data_run(executor):
    repo = basic_repo()
    for spec_id, source in (("frame", FRAME), ("records", RECORDS), ("series", SERIES)):
        repo.add_spec(spec(spec_id, source))
    flow = Flow("data")
    add_nodes(flow, ("f", "frame", {}), ("r", "records", {}), ("s", "series", {}))
    repo.add_flow(flow)
    return run_flow(repo, flow, executor=executor)  # nobody watches: brief views only


def test_a_page_of_rows_comes_as_the_view_has_its_first_ones(executor):
    result = data_run(executor)
    page = result.fetch("f", "out", "rows", start=200, count=100)
    assert page["columns"] == ["i", "sq"] and page["row_count"] == 1000
    assert page["rows"][0] == [200, 40_000] and page["rows"][-1] == [299, 89_401]
    assert len(page["rows"]) == 100 and page["dtypes"] == ["int64", "int64"]
    records = result.fetch("r", "out", "rows", start=495, count=100)
    assert records["columns"] == ["n", "odd"] and records["rows"] == [
        [n, n % 2 == 1] for n in range(495, 500)
    ]


def test_the_whole_series_and_the_whole_view_come_when_asked(executor):
    result = data_run(executor)
    series = result.fetch("s", "out", "series", start=0, count=10_000)
    assert series["length"] == 10_000 and len(series["y"]) == 10_000
    assert series["y"][100] == pytest.approx(0.8414709848)
    view = result.view("f")
    assert view["table"]["row_count"] == 1000 and len(view["table"]["rows"]) == 200
    assert result.fetch("r", "out", "series") is None  # records are no series


def test_a_sorted_page_is_of_the_whole_table_ordered_where_the_value_is(executor):
    result = data_run(executor)
    page = result.fetch("f", "out", "rows", start=0, count=3, sort=1, descending=True)
    assert page["rows"] == [[999, 998_001], [998, 996_004], [997, 994_009]]
    assert page["index"] == [999, 998, 997]  # the rows' labels: where they were
    later = result.fetch("f", "out", "rows", start=3, count=2, sort=1, descending=True)
    assert later["rows"] == [[996, 992_016], [995, 990_025]] and later["row_count"] == 1000
    odd_first = result.fetch("r", "out", "rows", start=0, count=3, sort=1, descending=True)
    assert odd_first["rows"] == [[1, True], [3, True], [5, True]]  # stable: ties keep order
    assert odd_first["index"] == [1, 3, 5]


def test_a_script_gets_the_value_itself(executor):
    result = data_run(executor)
    frame = result.output("f")
    assert frame.shape == (1000, 2) and int(frame["sq"].sum()) == sum(i * i for i in range(1000))
    assert result.output("r")[3] == {"n": 3, "odd": True}


def test_a_runs_values_go_with_its_result_and_a_lost_one_says_so():
    pool = WorkerPool()
    try:
        result = data_run(make_executor("process", 1, pool=pool))
        handle = result._source.outputs["f"]["out"]
        assert type(handle) is Handle and handle.fetch("rows", start=0, count=1)["rows"]
        del result
        gc.collect()
        with pytest.raises(LookupError, match="no longer in its worker"):
            handle.fetch("rows", start=0, count=1)
        result = data_run(make_executor("process", 1, pool=pool))
        (pid,) = pool.live_pids()
        os.kill(pid, signal.SIGKILL)
        assert until(lambda: not pool.live_pids(), 20)
        with pytest.raises(LookupError, match="run the flow again"):
            result.output("f")
    finally:
        pool.shutdown()
