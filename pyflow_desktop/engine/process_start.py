"""Starting a process-executor worker (``start_worker``) and telling how one ended.

A worker is a fresh interpreter (``python -P -m pyflow_desktop.engine.process_worker``; in a
PyInstaller bundle the program itself with ``--pyflow-worker``), in a process group of its
own, made before it can start anything. It reads its start line on stdin and prints the
address it listens on: a loopback port, or in a sandbox (``sandbox``), which has a network
of its own and sees no pid of ours, a Unix socket in its spill folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from multiprocessing.connection import Client, Connection

from . import sandbox
from .process_group import ProcessGroup, popen_options
from .sandbox import Sandbox
from .worker_messages import send_at_once

WORKER_MODULE = "pyflow_desktop.engine.process_worker"


class WorkerStartError(RuntimeError):
    """A worker process could not be started."""


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the program serves as worker
        return [sys.executable, "--pyflow-worker"]
    return [sys.executable, "-P", "-m", WORKER_MODULE]


def start_worker(
    share: int, max_message: int, confined: Sandbox | None, shared_memory: Callable[[], str]
) -> tuple[subprocess.Popen, ProcessGroup, Connection, str]:
    """A new worker, keeping ``share`` bytes of values and sending frames of ``max_message``
    bytes at most: its process, group, connection and spill folder. ``confined``: it runs in
    that sandbox, sharing memory in the folder ``shared_memory()`` gives. Raises
    ``WorkerStartError``, or ``SandboxUnavailable`` where no sandbox can run (it never starts
    unsandboxed instead)."""
    authkey = os.urandom(32)
    command, family, owner = worker_command(), "AF_INET", os.getpid()
    if confined is not None:
        sandbox.check()
    folder = tempfile.mkdtemp(prefix="pyflow-values-")
    if confined is not None:
        command = sandbox.command(confined, command, folder, shared_memory())
        family, owner = "AF_UNIX", 0
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        stderr=None,
        **popen_options(),
    )
    group = ProcessGroup(process)
    process.stdin.write(f"{authkey.hex()} {owner} {share} {max_message} {family} {folder}\n")
    process.stdin.close()
    address = process.stdout.readline().strip()
    process.stdout.close()
    if family == "AF_UNIX" and address == os.path.join(folder, "worker.sock"):
        return process, group, Client(address, family, authkey=authkey), folder
    if family == "AF_INET" and address.isdigit():
        conn = Client(("127.0.0.1", int(address)), authkey=authkey)
        send_at_once(conn)
        return process, group, conn, folder
    group.kill()
    group.close()
    shutil.rmtree(folder, ignore_errors=True)
    raise WorkerStartError(f"a worker process could not start ({describe_exit(process.wait())})")


def wait_for_exit(process: subprocess.Popen) -> None:
    """Wait until ``process`` ends, leaving it to be reaped (POSIX with ``waitid``: its
    group is killed first, before its id can be reused)."""
    try:
        if hasattr(os, "waitid"):
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        else:
            process.wait()
    except ChildProcessError:  # reaped already
        pass


def describe_exit(code: int | None) -> str:
    """Say how a process ended, from its return code."""
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = {"SIGKILL": ", perhaps out of memory", "SIGSEGV": ", a crash in native code"}
        return f"killed by {name}{hint.get(name, '')}"
    return f"exit code {code}"
