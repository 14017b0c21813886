"""The scripted contract: pyflow-desktop FILE --flow ID --run --screenshot PNG --quit."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from pyflow_desktop.repository import (
    Flow,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    save_repository,
)


def _app(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path),
    )
    return subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_screenshot_quit_succeeds(tmp_path, repo_file):
    shot = tmp_path / "out.png"
    done = _app(
        tmp_path, str(repo_file), "--flow", "calc", "--run", "--screenshot", str(shot), "--quit"
    )
    assert done.returncode == 0, done.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_failing_flow_exits_1(tmp_path, repo_file):
    done = _app(tmp_path, str(repo_file), "--flow", "broken", "--run", "--quit")
    assert done.returncode == 1, done.stderr


@pytest.mark.parametrize("problem", ["malformed", "unknown_flow"])
def test_invalid_input_exits_2_without_traceback(tmp_path, repo_file, problem):
    if problem == "malformed":
        bad = tmp_path / "bad.json"
        bad.write_text('{"flow": {', encoding="utf-8")
        done = _app(tmp_path, str(bad), "--run", "--quit")
    else:
        done = _app(tmp_path, str(repo_file), "--flow", "nope", "--run", "--quit")
    assert done.returncode == 2
    assert "error:" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="checks pids with os.kill")
def test_closing_the_app_leaves_no_worker_process(tmp_path):
    """With the process executor chosen in the settings, the workers end with the app."""
    pid_file = tmp_path / "worker.pid"
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "os.pid",
            "Worker pid",
            [],
            [Port("out", "Int")],
            "import os\ndef func():\n"
            f"    open({str(pid_file)!r}, 'w').write(f'{{os.getpid()}} {{os.getppid()}}')\n"
            "    return os.getpid()\n",
        )
    )
    flow = Flow("pid")
    flow.add_node(NodeInstance("p", "os.pid"))
    repo.add_flow(flow)
    path = tmp_path / "pid.json"
    save_repository(repo, path)
    config = tmp_path / "config" / "PyFlow Desktop"
    config.mkdir(parents=True)
    (config / "PyFlow Desktop.conf").write_text("[run]\nexecutor=process\n")
    done = _app(tmp_path, str(path), "--run", "--quit")
    assert done.returncode == 0, done.stderr
    worker, parent = map(int, pid_file.read_text().split())
    assert parent != os.getpid(), "the node ran in a worker started by the app, not in it"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"worker {worker} outlived the app")
