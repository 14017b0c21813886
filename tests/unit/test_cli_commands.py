"""Every command of ``pyflow-desktop`` keeps its contract, through a real subprocess: its help
lists its flags, and a file it cannot read ends it with exit 2 and one message naming the file
(no traceback, nothing written); the headless commands load neither Qt nor FastAPI nor dask;
the program serves as a node worker (what a bundle starts)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from multiprocessing.connection import Client

import pytest
from flows import add_nodes, basic_repo, cli

from pyflow_desktop.cli import COMMANDS
from pyflow_desktop.engine import NodeTask
from pyflow_desktop.engine.process_jobs import wire
from pyflow_desktop.engine.worker_messages import parse_frame
from pyflow_desktop.repository import Flow, save_repository

# What the README's command table promises each command takes.
FLAGS = {
    "run": [
        "FILE", "--flow", "--node", "--all", "--json", "--events", "--workers", "--executor",
        "--timeout", "--scheduler", "--memory", "--max-message", "--no-cache",
    ],
    "check": ["FILE"],
    "convert": ["IN", "OUT", "--format"],
    "test-spec": ["FILE", "SPEC_ID", "--input", "--json"],
    "import-py": ["REPO", "PYFILE"],
    "serve": ["FILE", "--host", "--port", "--timeout", "--token"],
    "export-python": ["FILE", "--flow", "-o"],
    "library": ["--json"],
}  # fmt: skip
WINDOW_FLAGS = ["FILE", "--flow", "--run", "--screenshot", "--quit"]
PROGRAM_FLAGS = ["--version", "--self-test", "--install-desktop-entry"]
HEAVY = ("PySide6", "shiboken6", "NodeGraphQt", "pyqtgraph", "fastapi", "uvicorn", "dask")
NODEMAKER = 'spec = {"id": "made.add", "title": "Add"}\ndef func(a: int = 1):\n    return a\n'


def offscreen() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_every_command_is_described():
    assert sorted(FLAGS) == sorted(COMMANDS)


@pytest.mark.parametrize("command", sorted(FLAGS))
def test_the_help_of_a_command_lists_its_flags(command):
    done = cli(command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: pyflow-desktop {command} ")
    words = done.stdout.replace("[", " ").replace("]", " ").replace(",", " ").split()
    assert [flag for flag in FLAGS[command] if flag not in words] == []


def test_the_programs_help_lists_its_commands_flags_and_the_windows_usage():
    done = cli("--help")
    assert done.returncode == 0, done.stderr
    assert all(command in done.stdout.split() for command in COMMANDS)
    assert all(flag in done.stdout for flag in PROGRAM_FLAGS)
    assert "pyflow-desktop [FILE] [--flow ID] [--run] [--screenshot PNG] [--quit]" in " ".join(
        done.stdout.split()
    )


def test_the_windows_help_lists_its_options(tmp_path):
    (tmp_path / "r.json").write_text("{}", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", str(tmp_path / "r.json"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=offscreen(),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: pyflow-desktop [-h] [--flow ID]")
    assert "Open the PyFlow Desktop window." in done.stdout
    assert all(flag in done.stdout for flag in WINDOW_FLAGS)


def commands_on(bad: str, tmp_path) -> dict[str, list[str]]:
    """Each command (and the scripted window) given the file ``bad`` to read."""
    maker = tmp_path / "maker.py"
    maker.write_text(NODEMAKER, encoding="utf-8")
    out = tmp_path / "out"
    return {
        "run": ["run", bad],
        "check": ["check", bad],
        "convert": ["convert", bad, f"{out}.json", "--format", "native"],
        "test-spec": ["test-spec", bad, "made.add"],
        "import-py": ["import-py", bad, str(maker)],
        "serve": ["serve", bad, "--port", "1"],
        "export-python": ["export-python", bad, "-o", f"{out}.py"],
        "window": [bad, "--run", "--quit"],
    }


@pytest.mark.parametrize("command", [*sorted(set(FLAGS) - {"library"}), "window"])
@pytest.mark.parametrize("problem", ["malformed", "missing"])
def test_a_file_that_cannot_be_read_exits_2_naming_it(command, problem, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    bad = folder / "bad.json"
    if problem == "malformed":
        bad.write_text('{"flow": {', encoding="utf-8")
    args = commands_on(str(bad), folder)[command]
    before = sorted(folder.iterdir())
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**offscreen(), "XDG_CONFIG_HOME": str(tmp_path / "config")},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    if command == "check":  # the problems on stdout, one a line; their count on stderr
        assert "bad.json" in done.stdout
        assert done.stderr == f"{bad}: 1 problem(s)\n"
    elif command == "window" and problem == "missing":  # then FILE may be a mistyped command
        assert done.stderr.startswith(f"error: {str(bad)!r} is neither a file nor a command.")
    else:
        assert done.stdout == ""
        assert done.stderr.startswith("error: ") and "bad.json" in done.stderr
        assert len(done.stderr.splitlines()) == 1, done.stderr
    assert sorted(folder.iterdir()) == before  # nothing written
    if problem == "malformed":
        assert bad.read_text(encoding="utf-8") == '{"flow": {'


@pytest.mark.parametrize("flows", [0, 2])
def test_run_and_export_python_ask_for_the_flow_alike(flows, tmp_path):
    repo = basic_repo()
    for index in range(flows):
        flow = Flow(f"f{index}")
        add_nodes(flow, ("a", "const", {"v": "1"}))
        repo.add_flow(flow)
    path = tmp_path / "r.json"
    save_repository(repo, path)
    run = cli("run", path)
    export = cli("export-python", path, "-o", tmp_path / "x.py")
    assert run.returncode == export.returncode == 2
    assert run.stderr == export.stderr
    several = "the file holds several flows; choose one with --flow: f0, f1"
    expected = several if flows else "the file holds no flow"
    assert run.stderr == f"error: {path}: {expected}\n"
    assert not (tmp_path / "x.py").exists()


def modules_loaded(*args: str) -> set[str]:
    """The top-level packages of ``HEAVY`` that ``pyflow-desktop ARGS`` imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pyflow_desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=offscreen(),
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert lines, "python -X importtime printed nothing"
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in lines}
    return names & set(HEAVY)


def test_headless_commands_load_neither_qt_nor_fastapi_nor_dask(tmp_path):
    repo = basic_repo()
    path = tmp_path / "one.json"
    save_repository(repo, path)
    maker = tmp_path / "maker.py"
    maker.write_text(NODEMAKER, encoding="utf-8")
    for args in (
        ["--help"],
        ["run", "--help"],
        ["check", str(path)],
        ["test-spec", str(path), "add", "--input", "a=1", "--input", "b=2"],
        ["import-py", str(path), str(maker)],
        ["convert", str(path), str(tmp_path / "o.json"), "--format", "original"],
    ):
        assert modules_loaded(*args) == set(), args


def test_a_run_loads_neither_qt_nor_fastapi_nor_dask(tmp_path):
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("a", "const", {"v": "2"}))
    repo.add_flow(flow)
    save_repository(repo, tmp_path / "one.json")
    assert modules_loaded("run", str(tmp_path / "one.json"), "--json") == set()


def test_the_version_loads_qt_alone():
    assert modules_loaded("--version") == {"PySide6", "shiboken6"}


def test_the_program_serves_as_a_node_worker(tmp_path):
    """A bundle has no ``python -m``: it starts its worker processes as itself, with
    ``--pyflow-worker``, and sends them jobs over an authenticated loopback connection."""
    key = secrets.token_bytes(16)
    worker = subprocess.Popen(
        [sys.executable, "-m", "pyflow_desktop", "--pyflow-worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        worker.stdin.write(f"{key.hex()} {os.getpid()} {2**20} {2**20} AF_INET {tmp_path}\n")
        worker.stdin.flush()
        port = int(worker.stdout.readline())
        with Client(("127.0.0.1", port), authkey=key) as conn:
            source = "def func(a):\n    return a * 2\n"
            conn.send(("run", 1, {}, [wire(NodeTask("n", source, [21], ["out"], "double"))]))
            items = parse_frame(conn.recv_bytes())
            while items[-1][0] != "end":
                items += parse_frame(conn.recv_bytes())
            conn.send(None)  # no more work: the worker ends
        assert worker.wait(timeout=20) == 0
    finally:
        worker.kill()
        worker.communicate()
    (kind, node, fields), end = items
    assert (kind, node, end) == ("done", "n", ["end", 1])
    assert fields["outputs"]["out"][0]["value"] == 42 and "error" not in fields
