"""Node code in a sandboxed worker (bubblewrap): real workers, real attempts to get out.

Each attempt is also made by an unsandboxed worker, which succeeds, so a test fails when the
sandbox does not hold. A fake home (``HOME`` pointed at a folder holding ``.ssh/id_rsa``)
stands for the user's.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from flows import add_nodes, basic_repo, link, spec
from server_helpers import start_server, stop_server, write_own_fixture

import pyflow_desktop
from pyflow_desktop.engine import make_executor, run_flow
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.engine.sandbox import Sandbox, SandboxUnavailable
from pyflow_desktop.repository import Flow, save_repository

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None,
    reason="bubblewrap (bwrap) is not installed: apt/dnf/pacman install bubblewrap",
)
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the sandbox is Linux's")

PROBE = (
    "import os, socket\n"
    "def attempt(action):\n"
    "    try:\n"
    "        action()\n"
    "    except OSError as exc:\n"
    "        return type(exc).__name__\n"
    "    return 'done'\n"
    "def func(what, where):\n"
    "    if what == 'connect':\n"
    "        address = ('127.0.0.1', int(where))\n"
    "        return attempt(lambda: socket.create_connection(address, timeout=5).close())\n"
    "    if what == 'write':\n"
    "        return attempt(lambda: open(where, 'w').write('x'))\n"
    "    if what == 'read':\n"
    "        return attempt(lambda: open(where).read())\n"
    "    return os.path.exists('/proc/' + where)\n"
)


@pytest.fixture
def places(tmp_path, monkeypatch):
    """The flow's folder, a folder beside it, and a fake home with a private key; ``HOME``
    points at it for the workers started meanwhile."""
    folder, outside, home = tmp_path / "flow", tmp_path / "outside", tmp_path / "home"
    for path in (folder, outside, home / ".ssh"):
        path.mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("PRIVATE KEY")
    monkeypatch.setenv("HOME", str(home))
    return folder, outside, home


def probe(what: str, where: str, folder, writable: bool = False, sandboxed: bool = True):
    repo = basic_repo()
    repo.add_spec(spec("probe", PROBE, ["what:String", "where:String"]))
    flow = Flow("f")
    add_nodes(flow, ("p", "probe", {"what": what, "where": where}))
    repo.add_flow(flow)
    pool = WorkerPool(sandbox=Sandbox(str(folder), writable) if sandboxed else None)
    try:
        executor = make_executor("process", 1, pool=pool)
        result = run_flow(repo, flow, executor=executor, folder=str(folder), timeout=60)
    finally:
        pool.shutdown()
    assert result.node("p")["status"] == "success", result.node("p")
    return result.output("p")


@needs_bwrap
def test_a_sandboxed_node_cannot_open_a_connection(places):
    folder, _, _ = places
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = str(server.getsockname()[1])
        assert probe("connect", port, folder, sandboxed=False) == "done"
        server.accept()[0].close()
        assert probe("connect", port, folder) in ("ConnectionRefusedError", "OSError")
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()


@pytest.fixture
def on_disk():
    """A folder anyone may write to outside /tmp and home (the sandbox's own, private)."""
    folder = tempfile.mkdtemp(prefix="pyflow-sandbox-test-", dir="/var/tmp")
    yield Path(folder)
    shutil.rmtree(folder)


@needs_bwrap
def test_a_sandboxed_node_writes_only_in_its_folder_and_only_when_allowed(places, on_disk):
    folder, outside, home = places
    for writable in (False, True):
        for target in (on_disk / "evil.txt", outside / "evil.txt"):
            assert probe("write", str(target), folder, writable) != "done"
        probe("write", str(home / "evil.txt"), folder, writable)  # its home is a private one
        assert not any(path.exists() for path in (on_disk / "evil.txt", outside / "evil.txt"))
        assert not (home / "evil.txt").exists()
    assert probe("write", str(folder / "evil.txt"), folder) != "done"
    assert not (folder / "evil.txt").exists()
    assert probe("write", str(folder / "made.txt"), folder, writable=True) == "done"
    assert (folder / "made.txt").read_text() == "x"
    assert probe("write", str(on_disk / "plain.txt"), folder, sandboxed=False) == "done"


@needs_bwrap
def test_a_sandboxed_node_cannot_read_the_users_home(places):
    folder, _, home = places
    key = str(home / ".ssh" / "id_rsa")
    assert probe("read", key, folder, sandboxed=False) == "done"
    assert probe("read", key, folder) == "FileNotFoundError"


@needs_bwrap
def test_a_sandboxed_node_cannot_see_its_owner_in_proc(places):
    folder, _, _ = places
    owner = str(os.getpid())
    assert probe("proc", owner, folder, sandboxed=False) is True
    assert probe("proc", owner, folder) is False


def sample_flow():
    repo = basic_repo()
    repo.add_spec(
        spec("array", "import numpy as np\ndef func(n):\n    return np.arange(n)\n", ["n:Int"])
    )
    repo.add_spec(spec("total", "def func(a):\n    return int(a.sum())\n", ["a"]))
    flow = Flow("f")
    add_nodes(
        flow,
        ("a", "const", {"v": "2"}),
        ("b", "const", {"v": "3"}),
        ("sum", "add", {}),
        ("hi", "shout", {"t": "there"}),
        ("n", "count", {"n": "3"}),
        ("bad", "boom", {"a": "1"}),
        ("arr", "array", {"n": "100000"}),
        ("tot", "total", {}),
    )
    link(flow, "a:out", "sum:a")
    link(flow, "b:out", "sum:b")
    link(flow, "arr:out", "tot:a")
    repo.add_flow(flow)
    return repo, flow


@needs_bwrap
def test_a_flow_gives_the_same_results_sandboxed(places):
    folder, _, _ = places
    repo, flow = sample_flow()
    results = []
    for confined in (None, Sandbox(str(folder))):
        pool = WorkerPool(sandbox=confined)
        try:
            executor = make_executor("process", 2, pool=pool)
            result = run_flow(repo, flow, executor=executor, folder=str(folder), timeout=60)
            array = result.output("arr")  # through shared memory, made by a sandboxed worker
            results.append((result.to_json(), array.tolist()))
        finally:
            pool.shutdown()
    plain, sandboxed = results
    drop = {"elapsed", "started", "finished", "duration"}
    assert [{k: v for k, v in node.items() if k not in drop} for node in sandboxed[0]] == [
        {k: v for k, v in node.items() if k not in drop} for node in plain[0]
    ]
    assert sandboxed[1] == plain[1] == np.arange(100000).tolist()


def touching_flow(tmp_path):
    """A saved flow whose one node makes the file ``ran`` in ``tmp_path``: (that file, the
    flow's file)."""
    marker = tmp_path / "ran"
    repo = basic_repo()
    repo.add_spec(spec("touch", f"def func():\n    open({str(marker)!r}, 'w').close()\n"))
    flow = Flow("f")
    add_nodes(flow, ("t", "touch", {}))
    repo.add_flow(flow)
    path = tmp_path / "flow.json"
    save_repository(repo, path)
    return marker, path


def test_without_bwrap_a_sandboxed_run_refuses_to_start_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(SandboxUnavailable, match="bwrap is not installed .*bubblewrap"):
        make_executor("process", 1, sandbox=Sandbox(str(tmp_path)))
    marker, path = touching_flow(tmp_path)
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "run", str(path), "--sandbox"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "bwrap is not installed" in done.stderr and not marker.exists()


@needs_bwrap
def test_run_sandbox_confines_the_nodes_of_a_headless_run(places):
    folder, _, home = places
    repo = basic_repo()
    repo.add_spec(spec("probe", PROBE, ["what:String", "where:String"]))
    flow = Flow("f")
    key = str(home / ".ssh" / "id_rsa")
    add_nodes(
        flow,
        ("key", "probe", {"what": "read", "where": key}),
        ("mine", "probe", {"what": "write", "where": str(folder / "mine.txt")}),
        ("c", "const", {"v": "7"}),
    )
    repo.add_flow(flow)
    path = folder / "flow.json"
    save_repository(repo, path)
    outputs = {}
    for option in ("--sandbox", "--sandbox-writable"):
        done = subprocess.run(
            [sys.executable, "-m", "pyflow_desktop", "run", str(path), option, "--json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        rows = json.loads(done.stdout)
        outputs[option] = {row["id"]: row["outputs"][0]["value"] for row in rows}
    assert outputs["--sandbox"] == {"key": "FileNotFoundError", "mine": "OSError", "c": 7}
    assert outputs["--sandbox-writable"] == {"key": "FileNotFoundError", "mine": "done", "c": 7}
    assert (folder / "mine.txt").read_text() == "x"


@needs_bwrap
def test_serve_sandbox_confines_runflow(places):
    folder, _, _ = places
    server = start_server(write_own_fixture(folder), "--sandbox")
    try:
        flow = {
            "id": "f",
            "name": "f",
            "nodes": [
                {
                    "id": "n",
                    "spec_id": "pyflow.source.cli",
                    "name": "cli",
                    "ports": [{"name": "command", "value": "cat ~/.ssh/id_rsa || echo refused"}],
                    "is_end": 1,
                }
            ],
            "links": [],
        }
        (node,) = server.call("POST", "/runflow", flow).body
        assert node["status"] == "success" and node["outputs"][0]["value"] == "refused\n"
    finally:
        stop_server(server)


def test_serve_sandbox_without_bwrap_refuses_to_serve(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyflow_desktop",
            "serve",
            str(write_own_fixture(tmp_path)),
            "--sandbox",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2 and "bwrap is not installed" in done.stderr


@needs_bwrap
def test_a_program_and_python_under_home_still_run_sandboxed(places):
    """Home is hidden, but the interpreter, its packages and the program (here wherever the
    checkout is, found by an editable install's finder, not ``sys.path``) are bound back."""
    folder, _, _ = places
    program = Path(pyflow_desktop.__file__).resolve().parents[1]
    repo = basic_repo()
    repo.add_spec(spec("probe", PROBE, ["what:String", "where:String"]))
    flow = Flow("f")
    add_nodes(flow, ("p", "probe", {"what": "read", "where": str(program / "pyproject.toml")}))
    repo.add_flow(flow)
    path = folder / "flow.json"
    save_repository(repo, path)
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "run", str(path), "--sandbox", "--json"],
        capture_output=True,
        text=True,
        cwd=folder,  # not the checkout: sys.path then holds no folder of the program
        env={**os.environ, "HOME": str(program.parent)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["outputs"][0]["value"] == "done"


REFUSING_BWRAP = """#!/bin/sh
for arg; do last=$arg; done
[ "$last" = true ] && exit 0
echo "bwrap: refused here" >&2
exit 1
"""


def test_a_worker_the_sandbox_cannot_start_fails_the_run_saying_so(tmp_path):
    """A bwrap that passes the probe but refuses to start a worker: the run stops with exit
    2 and bwrap's word; nothing runs unsandboxed."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "bwrap").write_text(REFUSING_BWRAP)
    (tools / "bwrap").chmod(0o755)
    marker, path = touching_flow(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "run", str(path), "--sandbox"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{tools}:/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "bwrap: refused here" in done.stderr
    assert "a worker process could not start (exit code 1)" in done.stderr
    assert not marker.exists()
