"""The process executor's own promises: crashes fail alone, workers are reused and killed
when needed, and no worker outlives the process that owns it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from flows import add_nodes, alive, basic_repo, spec, until

from pyflow_desktop.engine import make_executor, run_flow
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.repository import Flow, Link, NodeInstance

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses POSIX signals")


@pytest.fixture
def pool():
    pool = WorkerPool()
    yield pool
    pool.shutdown()


def executor(pool, workers=2):
    return make_executor("process", workers, pool=pool)


def test_a_node_that_kills_its_process_fails_alone(pool):
    repo = basic_repo()
    repo.add_spec(spec("exit", "import os\ndef func():\n    os._exit(7)\n"))
    repo.add_spec(spec("segv", "import ctypes\ndef func():\n    return ctypes.string_at(0)\n"))
    flow = Flow("f")
    add_nodes(flow, ("e", "exit", {}), ("s", "segv", {}), ("ok", "const", {"v": "1"}))
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=executor(pool))
    assert result.node("e")["status"] == "fail"
    assert "worker process died (exit code 7)" in result.node("e")["error"]
    assert "killed by SIGSEGV" in result.node("s")["error"]
    assert result.output("ok") == 1
    again = run_flow(repo, flow, executor=executor(pool), targets=["ok"])
    assert again.ok, "the pool replaced the dead workers"


def test_workers_are_reused_between_runs(pool):
    repo = basic_repo()
    repo.add_spec(spec("pid", "import os\ndef func():\n    return os.getpid()\n"))
    flow = Flow("f")
    add_nodes(flow, ("p", "pid", {}))
    repo.add_flow(flow)
    first = run_flow(repo, flow, executor=executor(pool, 1)).output("p")
    second = run_flow(repo, flow, executor=executor(pool, 1)).output("p")
    assert first == second != os.getpid()
    assert first in pool.live_pids()


def test_a_timed_out_worker_is_killed_and_replaced(pool):
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("hang", "sleep", {"s": "30"}))
    repo.add_flow(flow)
    pids_before = set(pool.live_pids())
    result = run_flow(repo, flow, executor=executor(pool, 1), timeout=0.5)
    assert "timed out after 0.5 s" in result.node("hang")["error"]
    assert "abandoned" not in result.node("hang")["error"]
    assert until(lambda: not any(alive(pid) for pid in pids_before - set(pool.live_pids())), 10)
    flow.add_node(NodeInstance("quick", "const", values={"v": "2"}))
    assert run_flow(repo, flow, executor=executor(pool, 1), targets=["quick"]).output("quick") == 2


def test_an_output_stays_in_its_worker_and_crosses_by_value_when_a_script_asks(pool):
    repo = basic_repo()
    repo.add_spec(spec("lam", "def func():\n    return lambda x: x + 1\n"))
    repo.add_spec(spec("use", "def func(f):\n    return f(41)\n", ["f:Any"]))
    flow = Flow("f")
    add_nodes(flow, ("l", "lam", {}), ("u", "use", {}))
    flow.add_link(Link("l", "out", "u", "f"))
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=executor(pool))
    assert result.output("u") == 42
    assert result.output("l")(1) == 2  # a function made in node code, sent by value
    assert result.to_json()[0]["outputs"][0]["value"]["type"] == "function"


def test_an_output_that_cannot_be_pickled_fails_clearly_when_it_must_cross(pool):
    repo = basic_repo()
    repo.add_spec(spec("lock", "import threading\ndef func():\n    return threading.Lock()\n"))
    flow = Flow("f")
    add_nodes(flow, ("l", "lock", {}))
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=executor(pool))
    assert result.ok  # it stays where it was made
    with pytest.raises(ValueError, match="cannot be sent between processes"):
        result.output("l")


HANG = {
    "nodespec": {
        "sleep": {
            "id": "sleep",
            "title": "Sleep",
            "port": {"input": [{"name": "s", "type": "Float"}]},
            "func": "import time\ndef func(s):\n    time.sleep(s)\n    return s\n",
        }
    },
    "flow": {
        "f": {
            "id": "f",
            "nodes": [
                {"id": "a", "spec_id": "sleep", "ports": [{"name": "s", "value": "30"}]},
                {"id": "b", "spec_id": "sleep", "ports": [{"name": "s", "value": "30"}]},
            ],
            "links": [],
        }
    },
}


def start_hanging_run(tmp_path):
    path = tmp_path / "hang.json"
    path.write_text(json.dumps(HANG))
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "pyflow_desktop", "run", str(path)),
            *("--executor", "process", "--events"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = 0
    while started < 2:  # both nodes started, each in its worker
        line = process.stdout.readline()
        if not line:
            process.kill()
            pytest.fail(f"the nodes did not start: {process.stderr.read()}")
        started += '"type": "started"' in line
    return process, worker_pids(process.pid)


def worker_pids(parent: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def test_ctrl_c_stops_the_run_with_exit_130_and_no_stray_process(tmp_path):
    process, workers = start_hanging_run(tmp_path)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert until(lambda: not any(alive(pid) for pid in workers), 10)


def test_no_worker_outlives_a_crashed_owner(tmp_path):
    process, workers = start_hanging_run(tmp_path)
    process.kill()
    process.wait(timeout=10)
    assert until(lambda: not any(alive(pid) for pid in workers), 5)


STEP = "import time\ndef func(a, hang):\n    if hang:\n        time.sleep(30)\n    return (a or 0) + 1\n"


def test_a_node_of_a_batch_times_out_alone_and_the_rest_is_made_again_elsewhere(pool):
    """s0 → s1 → s2 → s3 (hangs) → s4, and s2 → u1 → u2: after s0 the spec is quick, so
    the rest goes as one batch. s3 times out, its worker is killed with every value it
    held: s4 is skipped, and u1, given back, runs again once s0, s1 and s2 are made again."""
    repo = basic_repo()
    repo.add_spec(spec("step", STEP, ["a:Any", "hang:Boolean"]))
    flow = Flow("batch")
    add_nodes(flow, *[(f"s{i}", "step", {"hang": str(i == 3)}) for i in range(5)])
    add_nodes(flow, ("u1", "step", {}), ("u2", "step", {}))
    for i in range(1, 5):
        flow.add_link(Link(f"s{i - 1}", "out", f"s{i}", "a"))
    flow.add_link(Link("s2", "out", "u1", "a"))
    flow.add_link(Link("u1", "out", "u2", "a"))
    repo.add_flow(flow)
    events = []
    result = run_flow(repo, flow, executor=executor(pool, 1), timeout=2, on_event=events.append)
    status = result.statuses
    assert status["s3"] == "fail" and "timed out after 2 s" in result.node("s3")["error"]
    assert status["s4"] == "skip"
    assert [status[n] for n in ("s0", "s1", "s2", "u1", "u2")] == ["success"] * 5
    assert (result.output("u1"), result.output("u2")) == (4, 5)
    ran = [e.node for e in events if e.type == "finished"]
    assert [ran.count(n) for n in ("s0", "s1", "s2", "u1")] == [2, 2, 2, 1]


def test_an_integer_past_64_bits_stays_whole_and_is_shown_by_its_digits(pool):
    repo = basic_repo()
    repo.add_spec(spec("big", "def func():\n    return 10 ** 30 + 1\n"))
    repo.add_spec(spec("half", "def func(a):\n    return a // 2\n", ["a:Any"]))
    flow = Flow("f")
    add_nodes(flow, ("b", "big", {}), ("h", "half", {}))
    flow.add_link(Link("b", "out", "h", "a"))
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=executor(pool))
    assert result.ok and result.output("h") == (10**30 + 1) // 2
    shown = result.to_json()[0]["outputs"][0]["value"]
    assert shown == {"type": "int", "repr": str(10**30 + 1), "shape": None}
