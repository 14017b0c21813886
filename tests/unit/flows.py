"""Small repositories built in code for engine and CLI tests, the exported script's result
of a flow, the command line in a subprocess, and whether a process still runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyflow_desktop.export.script import flow_script
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository


def spec(spec_id: str, func: str, inputs=(), outputs=("out",), types=None) -> NodeSpec:
    """A spec whose inputs are ``inputs`` (names, optionally ``name:Type``)."""
    ports = []
    for order, item in enumerate(inputs):
        name, _, port_type = item.partition(":")
        ports.append(Port(name, port_type or "Any", order))
    return NodeSpec(spec_id, spec_id, ports, [Port(name, "Any") for name in outputs], func)


def basic_repo() -> Repository:
    repo = Repository()
    for item in (
        spec("add", "def func(a, b):\n    return a + b\n", ["a:Int", "b:Int"]),
        spec("const", "def func(v):\n    return v\n", ["v:Int"]),
        spec("boom", "def func(a):\n    raise ValueError('boom at ' + str(a))\n", ["a"]),
        spec("sleep", "import time\ndef func(s):\n    time.sleep(s)\n    return s\n", ["s:Float"]),
        spec("count", "def func(n):\n    for i in range(n):\n        yield i\n", ["n:Int"]),
        spec("shout", "def func(t):\n    print('hello', t)\n    return t\n", ["t:String"]),
    ):
        repo.add_spec(item)
    return repo


def add_nodes(flow: Flow, *nodes: tuple[str, str, dict]) -> None:
    for node_id, spec_id, values in nodes:
        flow.add_node(NodeInstance(node_id, spec_id, name=node_id, values=dict(values)))


def link(flow: Flow, source: str, target: str) -> None:
    flow.add_link(Link.parse(source, target))


# A node that waits until the file ``release`` exists (30 s at most). It writes
# ``<release>.entered`` (holding its thread's name) as it starts waiting and
# ``<release>.returned`` as it returns; with ``release`` empty it returns at once. So the
# same spec is quick earlier in a run, then slow; and whether the run reported the node
# before the node returned is told by files, not by a clock.
GATE = (
    "import os, threading, time\n"
    "def func(release, after):\n"
    "    if release:\n"
    "        with open(release + '.entered', 'w') as entered:\n"
    "            entered.write(threading.current_thread().name)\n"
    "        deadline = time.monotonic() + 30\n"
    "        while not os.path.exists(release) and time.monotonic() < deadline:\n"
    "            time.sleep(0.01)\n"
    "        open(release + '.returned', 'w').close()\n"
    "    return after\n"
)


def gate_spec() -> NodeSpec:
    """Spec ``gate`` (inputs ``release`` and ``after``), whose code is ``GATE``."""
    return spec("gate", GATE, ["release:String", "after:Int"])


@contextmanager
def released_after(release: Path) -> Iterator[Path]:
    """``release``, made when the block ends; a gate that had entered in this process (on a
    thread) is then waited for, so that it does not outlive the test."""
    try:
        yield release
    finally:
        release.touch()
        if release.with_suffix(".entered").exists():
            wait_for(release.with_suffix(".returned"), 10)


def gate_repo(release: Path) -> Repository:
    """Flow ``gate``: ``quick`` (a gate that returns at once) → ``slow`` (a gate that waits for
    ``release``) → ``child``; and ``quick`` → ``later``, which the file lists after ``slow``,
    so that it is dispatched after it."""
    repo = basic_repo()
    repo.add_spec(gate_spec())
    flow = Flow("gate")
    add_nodes(
        flow,
        ("quick", "gate", {"release": "", "after": "1"}),
        ("slow", "gate", {"release": str(release)}),
        ("child", "add", {"b": "1"}),
        ("later", "add", {"b": "1"}),
    )
    link(flow, "quick:out", "slow:after")
    link(flow, "slow:out", "child:a")
    link(flow, "quick:out", "later:a")
    repo.add_flow(flow)
    return repo


def until(condition: Callable[[], object], seconds: float = 30) -> bool:
    """Whether ``condition()`` holds within ``seconds`` (asked every 10 ms)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie does not), on every platform."""
    if sys.platform == "win32":
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE
        kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
        kernel32.GetExitCodeProcess.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
        kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = wintypes.DWORD()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return bool(state.stdout.strip()) and not state.stdout.strip().startswith("Z")


def wait_for(path: Path, seconds: float = 30) -> bool:
    """Whether ``path`` exists within ``seconds``."""
    return until(path.exists, seconds)


def exported(repo: Repository, flow, targets=None) -> list[dict]:
    """The run result of ``flow``'s exported script (``export-python``), run here."""
    namespace = {"__name__": "exported"}
    exec(compile(flow_script(repo, flow, targets), "<exported>", "exec"), namespace)
    return namespace["to_jsonable"](namespace["run_plan"](namespace["PLAN"], namespace["SOURCES"]))


def cli(*args) -> subprocess.CompletedProcess:
    """``pyflow-desktop ARGS...`` in a subprocess (a minute at most)."""
    return subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )
