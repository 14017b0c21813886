"""A worker process and what it starts, killed as one, on each platform.

POSIX kills the worker's process group; Windows terminates its Job object, or, where Windows
refuses one, kills the worker alone. The Windows-only calls are patched out here to follow
that path on any machine; ``test_what_a_timed_out_node_started_dies_with_its_worker`` runs
the real thing wherever the suite runs (the Job object on Windows).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from flows import add_nodes, alive, basic_repo, spec

from pyflow_desktop.engine import make_executor, process_group, run_flow, worker_proxy
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.engine.process_group import ProcessGroup
from pyflow_desktop.engine.worker_proxy import worker_command
from pyflow_desktop.repository import Flow

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


@pytest.fixture
def pool():
    pool = WorkerPool()
    yield pool
    pool.shutdown()


def starter_repo(pid_file):
    """A node that starts a sleeping process, notes its pid, and sleeps itself."""
    repo = basic_repo()
    source = (
        "import subprocess, sys, time\n"
        "def func():\n"
        f"    child = subprocess.Popen({SLEEPER!r})\n"
        f"    open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "    time.sleep(60)\n"
    )
    repo.add_spec(spec("starter", source))
    flow = Flow("f")
    add_nodes(flow, ("s", "starter", {}))
    repo.add_flow(flow)
    return repo, flow


def test_what_a_timed_out_node_started_dies_with_its_worker(pool, tmp_path):
    repo, flow = starter_repo(tmp_path / "child.pid")
    result = run_flow(repo, flow, executor=make_executor("process", 1, pool=pool), timeout=5)
    assert result.node("s")["status"] == "fail"
    assert "timed out" in result.node("s")["error"]
    assert gone(int((tmp_path / "child.pid").read_text()))


# -- Windows, with its own calls patched out ------------------------------------------------


@pytest.fixture
def windows(monkeypatch):
    """The process group as on Windows, with no Job object to be had (Windows refuses one
    inside a job that forbids nesting, or without the right); workers still start the
    POSIX way, this machine's."""
    posix_options = process_group.popen_options()
    monkeypatch.setattr(process_group, "WINDOWS", True)
    monkeypatch.setattr(process_group, "_windows_job", lambda process: None)
    monkeypatch.setattr(worker_proxy, "popen_options", lambda: posix_options)
    monkeypatch.setattr(worker_proxy, "python_executable", lambda: sys.executable)


def test_without_a_job_object_kill_kills_the_worker(windows):
    process = subprocess.Popen(SLEEPER, start_new_session=True)
    group = ProcessGroup(process)
    group.kill()
    assert process.wait(timeout=20) != 0
    group.close()


def test_without_a_job_object_a_timeout_and_shutdown_still_end_the_worker(windows, pool):
    """Without the fallback, the timed-out node's worker ran on, and shutting the pool down
    waited 10 s for it before leaving it running."""
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("slow", "sleep", {"s": "60"}))
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=make_executor("process", 1, pool=pool), timeout=1)
    assert "timed out" in result.node("slow")["error"]
    workers = list(pool.workers)
    pool.shutdown()
    for worker in workers:
        assert worker.process.wait(timeout=20) is not None


class Kernel32:
    """The two Job object calls ``ProcessGroup`` makes, noted."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def TerminateJobObject(self, job, code):  # noqa: N802 - Windows' name
        self.calls.append(("TerminateJobObject", job, code))

    def CloseHandle(self, handle):  # noqa: N802 - Windows' name
        self.calls.append(("CloseHandle", handle))


def test_with_a_job_object_kill_terminates_the_job_and_close_closes_it(monkeypatch):
    kernel32 = Kernel32()
    monkeypatch.setattr(process_group, "WINDOWS", True)
    monkeypatch.setattr(process_group, "_windows_job", lambda process: 1234)
    monkeypatch.setattr(process_group, "_kernel32", lambda: kernel32)
    process = subprocess.Popen(SLEEPER, start_new_session=True)
    try:
        group = ProcessGroup(process)
        group.kill()
        group.close()
        group.close()  # once only
        assert kernel32.calls == [("TerminateJobObject", 1234, 1), ("CloseHandle", 1234)]
        assert process.poll() is None, "the job kills it on Windows; the group did not itself"
    finally:
        process.kill()
        process.wait()


# -- which interpreter a worker runs on -----------------------------------------------------


def test_in_a_windows_venv_a_worker_runs_on_the_base_interpreter(monkeypatch):
    monkeypatch.setattr(process_group, "WINDOWS", True)
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)
    monkeypatch.setattr(sys, "executable", r"C:\work\.venv\Scripts\python.exe")
    monkeypatch.setattr(sys, "_base_executable", r"C:\Python311\python.exe", raising=False)
    assert worker_command()[0] == r"C:\Python311\python.exe"
    options = process_group.popen_options()
    assert options["env"]["__PYVENV_LAUNCHER__"] == r"C:\work\.venv\Scripts\python.exe"
    assert options["creationflags"] == 0x200
    # outside a venv: the interpreter itself, in the program's environment
    monkeypatch.setattr(sys, "_base_executable", r"c:\work\.venv\scripts\PYTHON.exe")
    monkeypatch.setattr(os.path, "normcase", lambda path: path.lower())
    assert worker_command()[0] == r"C:\work\.venv\Scripts\python.exe"
    assert "env" not in process_group.popen_options()


def test_a_bundle_serves_as_its_own_worker(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert worker_command() == [sys.executable, "--pyflow-worker"]


@pytest.mark.skipif(process_group.WINDOWS, reason="Windows' choice is tested above")
def test_off_windows_a_worker_runs_on_this_interpreter():
    assert worker_command()[0] == sys.executable
    assert process_group.popen_options() == {"start_new_session": True}
