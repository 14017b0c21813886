"""Node code stays in its worker process: real workers, real hazards.

A node that forges messages on its worker's connection cannot run code in the owner (the
owner reads JSON's data model only) and fails at once; workers do not import from the current folder; whatever a node starts dies
with its worker (timeout, Stop, a crash of the node or of the owner); plain data — numpy
arrays, lists of dicts, dates — still comes back.
"""

from __future__ import annotations

import datetime
import decimal
import json
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from flows import add_nodes, alive, basic_repo, spec

from pyflow_desktop.engine import NodeStarted, Scheduler, make_executor, plan_run, run_flow
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.repository import Flow, save_repository

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")

FIND_CONNECTION = (
    "import gc, msgpack, os, pickle, time\n"
    "from multiprocessing.connection import Connection\n"
    "class Evil:\n"
    "    def __reduce__(self):\n"
    "        return (os.system, ('touch ' + MARKER,))\n"
    "def connection():\n"
    "    return next(o for o in gc.get_objects() if isinstance(o, Connection))\n"
)


@pytest.fixture
def pool():
    pool = WorkerPool()
    yield pool
    pool.shutdown()


def forging_repo(marker, send: str):
    """A spec ``forge`` whose func sends ``send`` (an expression) on its worker's connection,
    then hangs; ``const`` and the others of ``basic_repo`` beside it."""
    repo = basic_repo()
    source = f"MARKER = {str(marker)!r}\n" + FIND_CONNECTION
    source += f"def func():\n    connection().send_bytes({send})\n    time.sleep(30)\n"
    repo.add_spec(spec("forge", source))
    flow = Flow("f")
    add_nodes(flow, ("forger", "forge", {}), ("slow", "sleep", {"s": "0.5"}))
    repo.add_flow(flow)
    return repo, flow


VIEW = "{'type': 'int', 'repr': '1', 'value': 1}"


@pytest.mark.parametrize(
    ("send", "reason"),
    [
        ("pickle.dumps(Evil())", "unreadable"),
        ("b'\\x91' * 100000", "unreadable: StackError"),
        ("msgpack.packb({'type': 'done'})", "not a list of items"),
        ("msgpack.packb(msgpack.ExtType(1, b'x'))", "extension type 1 is not data"),
        (
            "msgpack.packb([['done', 'forger', {'evil': 1}]])",
            "an outcome with unknown fields",
        ),
        (
            "msgpack.packb([['done', 'forger', {'outputs': {'out': [pickle.dumps(1), 1]}}]])",
            "outputs that are not [view, size]",
        ),
        (  # the shape of the usual outcome, checked the quickest way
            "msgpack.packb([['done', 'forger', {'elapsed': 0.1, 'outputs': None}]])",
            "an outcome with unknown fields",
        ),
        (
            "msgpack.packb([['done', 'forger', {'elapsed': 0.1, 'outputs': {'out': [{}, 1]}}]])",
            "outputs that are not [view, size]",
        ),
        (
            f"msgpack.packb([['done', 'forger', {{'elapsed': 0.1, 'outputs': {{'out': [{VIEW}, -1]}}}}]])",
            "outputs that are not [view, size]",
        ),
        (
            f"msgpack.packb([['partial', 'slow', 0, {VIEW}]])",
            "about node 'slow', which it is not running",
        ),
        ("msgpack.packb([['end', 12345]])", "the end of job 12345"),
        ("msgpack.packb([['exported', 7, 'pfsegment', 10]])", "request 7, which was not"),
        ("msgpack.packb([['limit', 2 ** 62]])", "a limit of 4611686018427387904 bytes, which"),
    ],
)
def test_a_forged_message_fails_only_its_node_at_once_and_runs_nothing_here(
    pool, tmp_path, send, reason
):
    marker = tmp_path / "ran-in-the-owner"
    repo, flow = forging_repo(marker, send)
    result = run_flow(repo, flow, executor=make_executor("process", 2, pool=pool), timeout=20)
    forger = result.node("forger")
    assert forger["status"] == "fail"
    assert "sent a message that is not its own" in forger["error"] and reason in forger["error"]
    assert result.node("slow")["status"] == "success" and result.output("slow") == 0.5
    assert not marker.exists()
    again = run_flow(repo, flow, executor=make_executor("process", 2, pool=pool), targets=["slow"])
    assert again.ok, "the pool and its readers still work"


def test_a_view_a_node_forges_for_itself_is_data_and_never_built_here(pool, tmp_path):
    """A worker may lie about its own node's value, with JSON only: data, shown as such."""
    marker = tmp_path / "ran-in-the-owner"
    view = "{'type': 'Evil', 'repr': 'Evil()', 'value': {'pickle': pickle.dumps(Evil()).hex()}}"
    repo, flow = forging_repo(
        marker, f"msgpack.packb([['done', 'forger', {{'outputs': {{'out': [{view}, 5]}}}}]])"
    )
    result = run_flow(repo, flow, executor=make_executor("process", 2, pool=pool), timeout=20)
    assert result.node("forger")["status"] == "success"
    shown = result.to_json()[0]["outputs"][0]["value"]
    assert type(shown) is dict and set(shown) == {"pickle"}
    assert result.output("forger") == shown  # its worker has no such value: the view's data
    assert not marker.exists()


def test_plain_data_comes_back_whole(pool):
    repo = basic_repo()
    repo.add_spec(
        spec(
            "data",
            "import datetime, decimal, numpy as np\n"
            "def func():\n"
            "    return [np.arange(6).reshape(2, 3), np.float64(1.5), np.dtype('int16'),\n"
            "            np.array(['a', None], dtype=object), [{'a': 1, 'b': [2.5]}],\n"
            "            {1, 2}, complex(1, 2), b'x', datetime.date(2024, 1, 2),\n"
            "            decimal.Decimal('1.10'), np.zeros(3, dtype=[('x', 'f4')])]\n",
        )
    )
    flow = Flow("f")
    add_nodes(flow, ("d", "data", {}))
    repo.add_flow(flow)
    value = run_flow(repo, flow, executor=make_executor("process", 1, pool=pool)).output("d")
    array, scalar, dtype, objects, rows, numbers, z, raw, day, money, records = value
    assert array.tolist() == [[0, 1, 2], [3, 4, 5]] and scalar == np.float64(1.5)
    assert dtype == np.dtype("int16") and objects.tolist() == ["a", None]
    assert rows == [{"a": 1, "b": [2.5]}] and numbers == {1, 2} and z == 1 + 2j
    assert raw == b"x" and day == datetime.date(2024, 1, 2) and money == decimal.Decimal("1.10")
    assert records.dtype.names == ("x",)


def test_a_worker_sees_the_owners_folder_but_never_imports_from_it(pool, tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "threading.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (tmp_path / "zz_local_module.py").write_text("VALUE = 1\n")
    monkeypatch.chdir(tmp_path)
    repo = basic_repo()
    repo.add_spec(
        spec(
            "where",
            "import os, sys, threading, importlib.util\n"
            "def func():\n"
            "    found = importlib.util.find_spec('zz_local_module')\n"
            "    return [os.getcwd(), threading.__file__, found is None, sys.path]\n",
        )
    )
    flow = Flow("f")
    add_nodes(flow, ("w", "where", {}))
    repo.add_flow(flow)
    cwd, threading_file, not_found, path = run_flow(
        repo, flow, executor=make_executor("process", 1, pool=pool)
    ).output("w")
    assert cwd == str(tmp_path)
    assert not threading_file.startswith(str(tmp_path)) and not marker.exists()
    assert not_found and "" not in path and str(tmp_path) not in path


GRANDCHILD = (
    "import os, subprocess, time\n"
    "def func(pids, then):\n"
    "    child = subprocess.Popen(['sleep', '60'])\n"
    "    with open(pids, 'w') as f:\n"
    "        f.write(str(child.pid))\n"
    "    if then == 'exit':\n"
    "        os._exit(3)\n"
    "    time.sleep(60)\n"
)


def grandchild_repo(pids, then: str):
    repo = basic_repo()
    repo.add_spec(spec("spawn", GRANDCHILD, ["pids:String", "then:String"]))
    flow = Flow("f")
    add_nodes(flow, ("s", "spawn", {"pids": str(pids), "then": then}))
    repo.add_flow(flow)
    return repo, flow


def grandchild_pid(pids) -> int:
    deadline = time.monotonic() + 20
    while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return int(pids.read_text())


def assert_dies(pid: int, within: float = 5) -> None:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), "a process the node started outlived its worker"


@pytest.mark.parametrize("then", ["hang", "exit"])
def test_what_a_node_starts_dies_with_its_worker_on_timeout_or_crash(pool, tmp_path, then):
    pids = tmp_path / "pids"
    repo, flow = grandchild_repo(pids, then)
    result = run_flow(repo, flow, executor=make_executor("process", 1, pool=pool), timeout=2)
    assert result.node("s")["status"] == "fail"
    assert ("timed out" if then == "hang" else "exit code 3") in result.node("s")["error"]
    assert_dies(grandchild_pid(pids))


def test_what_a_node_starts_dies_when_the_run_is_stopped(pool, tmp_path):
    pids = tmp_path / "pids"
    repo, flow = grandchild_repo(pids, "hang")
    scheduler = Scheduler(plan_run(repo, flow), make_executor("process", 1, pool=pool))

    def stop_once_spawned(event) -> None:
        if isinstance(event, NodeStarted):
            threading.Thread(target=lambda: (grandchild_pid(pids), scheduler.cancel())).start()

    scheduler.sink = stop_once_spawned
    assert scheduler.run().node("s")["status"] == "cancelled"
    assert_dies(grandchild_pid(pids))


def test_a_timed_out_cli_run_ends_promptly_with_no_process_left_holding_its_pipes(tmp_path):
    pids = tmp_path / "pids"
    repo, _ = grandchild_repo(pids, "hang")
    path = tmp_path / "spawn.json"
    save_repository(repo, path)
    command = [sys.executable, "-m", "pyflow_desktop", "run", str(path), "--json"]
    # capture_output waits for every holder of the pipes, not only the CLI: a grandchild left
    # behind would hold them for its minute of sleep, past this timeout.
    done = subprocess.run(
        [*command, "--executor", "process", "--timeout", "2"],
        capture_output=True,
        text=True,
        timeout=40,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "timed out after 2 s" in json.loads(done.stdout)[0]["error"]
    assert_dies(grandchild_pid(pids), within=1)


def test_what_a_node_starts_dies_when_its_owner_is_killed(tmp_path):
    pids = tmp_path / "pids"
    repo, _ = grandchild_repo(pids, "hang")
    path = tmp_path / "spawn.json"
    save_repository(repo, path)
    owner = subprocess.Popen(
        [sys.executable, "-m", "pyflow_desktop", "run", str(path), "--executor", "process"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pid = grandchild_pid(pids)
    owner.send_signal(signal.SIGKILL)
    owner.wait(timeout=10)
    assert_dies(pid)
