"""No worker can hang a run: real workers sending frames too large or unreadable, or exiting
while something they started keeps their connection open.

Each such node fails at once saying why, its worker is replaced, and the pool keeps working;
an honest worker splits what it sends to fit the owner's limit.
"""

from __future__ import annotations

import struct
import sys

import pytest
from flows import add_nodes, basic_repo, spec
from test_worker_containment import forging_repo

from pyflow_desktop.engine import make_executor, run_flow
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.engine.worker_messages import pack_frames, parse_frame
from pyflow_desktop.repository import Flow

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")

MB = 2**20
HUGE_HEADER = repr(struct.pack("!i", -1) + struct.pack("!Q", 2**62))


def run_forger(pool: WorkerPool, tmp_path, send: str):
    repo, flow = forging_repo(tmp_path / "ran-in-the-owner", send)
    executor = make_executor("process", 2, pool=pool)
    return repo, flow, run_flow(repo, flow, executor=executor, timeout=60)


@pytest.mark.parametrize(
    ("limit", "send", "reason"),
    [
        (MB, f"os.write(connection().fileno(), {HUGE_HEADER})", "more than 1 MB"),
        (MB, "connection().send_bytes(b'x' * (2 * 2**20))", "more than 1 MB"),
        (
            2**63,
            f"os.write(connection().fileno(), {HUGE_HEADER})",
            "could not be read (MemoryError",
        ),
    ],
    ids=["length-2**62", "2-MB-frame", "memory-error"],
)
def test_a_message_too_large_to_read_fails_its_node_saying_so_and_replaces_its_worker(
    tmp_path, limit, send, reason
):
    pool = WorkerPool(max_message=limit)
    try:
        repo, flow, result = run_forger(pool, tmp_path, send)
        forger = result.node("forger")
        assert forger["status"] == "fail"
        assert reason in forger["error"] and "it was stopped" in forger["error"]
        assert "timed out" not in forger["error"]
        assert result.node("slow")["status"] == "success"
        again = run_flow(repo, flow, executor=make_executor("process", 2, pool=pool), timeout=60)
        assert again.node("slow")["status"] == "success", "the pool still works"
    finally:
        pool.shutdown()


FORK_AND_EXIT = (
    "import os, time\n"
    "def func():\n"
    "    if os.fork() == 0:\n"  # the child keeps every descriptor, the connection too
    "        time.sleep(60)\n"
    "        os._exit(0)\n"
    "    os._exit(3)\n"
)


def test_a_worker_that_exits_is_noticed_while_a_child_holds_its_connection_open():
    """Without a timeout a run would wait for ever on the connection alone; the run's own
    timeout here only bounds the test (it would say "timed out")."""
    repo = basic_repo()
    repo.add_spec(spec("leave", FORK_AND_EXIT))
    flow = Flow("f")
    add_nodes(flow, ("gone", "leave", {}), ("c", "const", {"v": "4"}))
    repo.add_flow(flow)
    pool = WorkerPool()
    try:
        result = run_flow(repo, flow, executor=make_executor("process", 2, pool=pool), timeout=60)
        gone = result.node("gone")
        assert gone["status"] == "fail" and "the worker process died (exit code 3)" in gone["error"]
        assert result.output("c") == 4
    finally:
        pool.shutdown()


PRINTS = "def func(n):\n    print('€' * n)\n    return n\n"


def test_an_outcome_larger_than_a_message_fails_its_node_and_its_worker_stays(tmp_path):
    repo = basic_repo()
    repo.add_spec(spec("print", PRINTS, ["n:Int"]))
    flow = Flow("f")
    add_nodes(flow, ("big", "print", {"n": "600000"}), ("small", "print", {"n": "10"}))
    repo.add_flow(flow)
    pool = WorkerPool(max_message=MB)
    try:
        result = run_flow(repo, flow, executor=make_executor("process", 1, pool=pool), timeout=60)
        pids = pool.live_pids()
        big = result.node("big")
        assert big["status"] == "fail"
        assert "its outcome is 1.7 MB, more than the 1 MB a message may hold" in big["error"]
        assert result.output("small") == 10
        again = run_flow(repo, flow, executor=make_executor("process", 1, pool=pool), timeout=60)
        assert again.output("small") == 10 and pool.live_pids() == pids, "no worker replaced"
    finally:
        pool.shutdown()


def test_items_are_split_into_frames_that_fit_in_order():
    view = {"type": "str", "repr": "x" * 1000}
    items = [["partial", "n", index, view] for index in range(100)]
    frames = pack_frames(items, 10_000)
    assert len(frames) > 10 and all(len(frame) <= 10_000 for frame in frames)
    assert [item for frame in frames for item in parse_frame(frame)] == items
    (alone,) = pack_frames([["fetched", 7, "y" * 20_000]], 10_000)
    ((kind, request, error),) = parse_frame(alone)
    assert (kind, request) == ("failed", 7) and "a message may hold" in error


def test_a_new_limit_reaches_the_live_workers_of_the_pool(tmp_path):
    """An executor's max_message is the pool's from its run on: the worker that ran under
    64 MB fails an outcome past 1 MB itself (it is not replaced), and takes it again at 64."""
    repo = basic_repo()
    repo.add_spec(spec("print", PRINTS, ["n:Int"]))
    flow = Flow("f")
    add_nodes(flow, ("big", "print", {"n": "600000"}))
    repo.add_flow(flow)
    pool = WorkerPool()
    try:
        def run(limit: int):
            executor = make_executor("process", 1, pool=pool, max_message=limit)
            return run_flow(repo, flow, executor=executor, timeout=60).node("big")

        assert run(64 * MB)["status"] == "success"
        pids = pool.live_pids()
        small = run(MB)
        assert small["status"] == "fail" and "more than the 1 MB a message may hold" in small[
            "error"
        ]
        assert run(64 * MB)["status"] == "success" and pool.live_pids() == pids
    finally:
        pool.shutdown()
