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
from pyflow_desktop.repository import Flow, NodeInstance

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


def test_an_output_that_cannot_cross_processes_fails_clearly(pool):
    repo = basic_repo()
    repo.add_spec(spec("lam", "def func():\n    return lambda: 1\n"))
    flow = Flow("f")
    add_nodes(flow, ("l", "lam", {}))
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=executor(pool))
    assert "cannot be sent between processes" in result.node("l")["error"]


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
