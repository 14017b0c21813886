"""A burst of runs leaves no crowd of idle worker processes behind: runs starting at once
warm the pool together (not each its own), and workers beyond the pool's ``keep`` end once
idle for ``idle_seconds``. Real worker processes; the last test bursts a real server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from flows import add_nodes, basic_repo, until
from server_helpers import start_server, stop_server, write_own_fixture

from pyflow_desktop.engine import make_executor, run_flow
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.engine.watchdog import LoopThreads
from pyflow_desktop.repository import Flow

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="counts POSIX processes")


def gone(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie counts as ended)."""
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return not state.stdout.strip() or state.stdout.strip().startswith("Z")


def test_runs_starting_at_once_warm_the_pool_together():
    pool = WorkerPool(keep=2)
    together = threading.Barrier(8)

    def start_one() -> None:
        together.wait()
        make_executor("process", 2, pool=pool).start(lambda message: None, threading.Event())

    threads = [threading.Thread(target=start_one) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(pool.live_pids()) == 2
    finally:
        pool.shutdown()


def test_workers_beyond_keep_end_after_their_idle_time_and_the_kept_one_works():
    pool = WorkerPool(keep=1, idle_seconds=1.0)
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, *((f"s{i}", "sleep", {"s": "0.5"}) for i in range(4)))
    repo.add_flow(flow)
    try:
        assert run_flow(repo, flow, executor=make_executor("process", 4, pool=pool)).ok
        started = pool.live_pids()
        assert len(started) == 4
        assert until(lambda: len(pool.live_pids()) == 1, 30), pool.live_pids()
        assert until(lambda: all(map(gone, set(started) - set(pool.live_pids()))), 30)
        add_nodes(flow, ("c", "const", {"v": "5"}))
        again = run_flow(repo, flow, executor=make_executor("process", 1, pool=pool), targets=["c"])
        assert again.output("c") == 5
    finally:
        pool.shutdown()


def test_loop_threads_beyond_keep_end_after_their_idle_time():
    loops = LoopThreads(keep=1, idle_seconds=0.5)
    together = threading.Barrier(5)
    threads: list[threading.Thread] = []

    def job() -> None:
        threads.append(threading.current_thread())
        together.wait()

    for _ in range(5):
        loops.run(job)
    assert until(lambda: len(threads) == 5, 10) and len(set(threads)) == 5
    assert until(lambda: sum(thread.is_alive() for thread in threads) == 1, 20)
    ran = threading.Event()
    loops.run(ran.set)
    assert ran.wait(10)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads /proc")
def test_a_burst_of_20_clients_starts_a_worker_per_client_at_most(tmp_path):
    server = start_server(write_own_fixture(tmp_path))
    body = {
        "id": "one",
        "nodes": [{"id": "a", "spec_id": "math.add", "ports": [{"name": "a", "value": "1"}]}],
    }
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(server.call("POST", "/runflow", body)))
        for _ in range(20)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        children = subprocess.run(
            ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
        ).stdout.split()
    finally:
        stop_server(server)
    assert [answer.status for answer in answers] == [200] * 20
    # 20 nodes at once need 20 workers; the runs warm 2 between them (each warmed 2: 40)
    assert len(children) <= 22, children
