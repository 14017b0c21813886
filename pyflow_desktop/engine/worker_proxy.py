"""One worker process of the process executor, as the owner sees it (``Worker``).

Workers are fresh interpreters (``python -P -m pyflow_desktop.engine.process_worker``,
spawned, without the current folder on ``sys.path``) connected by an authenticated loopback
connection: unlike ``multiprocessing`` they never re-import the caller's ``__main__``, and
behave the same on every platform. Each runs in a process group of its own
(``process_group``), killed whole, so nothing a node started outlives its worker. Each has a
folder of its own to spill values to (``value_store``), removed when it ends.

Each worker's reader thread reads what it sends as hostile (``worker_messages``): an item
about a node it does not run, or anything that is not ours, fails its node at once and stops
the worker, as does a message too large to read (its pool's ``max_message``) or unreadable.
A second thread watches the process, so that a worker that ends is noticed even while
something it started holds its connection open. A sandboxed pool's workers start inside
its sandbox (``sandbox``). Requests to a worker (``request``) are answered through callbacks; ``fetch``
waits for the answer.

State, guarded by its pool's ``lock`` (``process_pool``): ``Worker.job`` (the job it runs or
prepares, ``process_jobs.Job``), ``Worker.queue`` (jobs waiting for it),
``Worker.idle_since`` (when it last became free), ``Worker.held`` (key → handle of each
value it holds), ``Worker.requests`` (request id → callback). ``Worker.alive`` turns false
once it is gone; ``Worker.stopping`` is set when we end it on purpose.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Client, Connection
from typing import Any, Protocol

from . import sandbox, transfer
from .handles import Handle, Key
from .node_call import NodeTask
from .process_group import ProcessGroup, popen_options, python_executable
from .sandbox import Sandbox
from .worker_messages import ForgedMessage, parse_frame, send_at_once

WORKER_MODULE = "pyflow_desktop.engine.process_worker"
ANSWER_WAIT = 300.0  # seconds a fetch waits for its worker at most
MISSING = "missing"  # ``process_worker.MISSING``: the value is not in that worker


class WorkerStartError(RuntimeError):
    """A worker process could not be started."""


class Job(Protocol):
    """What a worker asks of its jobs (``process_jobs.Job``, which imports this module)."""

    id: int
    sent: bool
    left: dict[str, NodeTask]

    def begin(self, worker: Worker) -> None: ...
    def gather(self) -> None: ...
    def hand_over(self) -> None: ...
    def take(self, item: list) -> None: ...
    def end(self) -> None: ...
    def fail_running(self, error: str) -> None: ...
    def died(self, reason: str | None) -> None: ...


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the program serves as worker
        return [sys.executable, "--pyflow-worker"]
    return [python_executable(), "-P", "-m", WORKER_MODULE]


def start(
    share: int, max_message: int, confined: Sandbox | None, shared_memory: Callable[[], str]
) -> tuple[subprocess.Popen, ProcessGroup, Connection, str]:
    """A new worker process, keeping ``share`` bytes of values and sending frames of
    ``max_message`` bytes at most: its process, group, connection and spill folder.
    ``confined``: it runs in that sandbox (which has a network of its own and sees no pid of
    ours: it listens on a Unix socket in its folder), sharing memory in the folder
    ``shared_memory()`` gives. Raises ``WorkerStartError``, or ``SandboxUnavailable`` where
    no sandbox can run (it never starts unsandboxed instead)."""
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
    group = ProcessGroup(process)  # before it can start anything
    assert process.stdin is not None and process.stdout is not None, "both are pipes"
    process.stdin.write(f"{authkey.hex()} {owner} {share} {max_message} {family} {folder}\n")
    process.stdin.close()
    address = process.stdout.readline().strip()
    process.stdout.close()
    if family == "AF_UNIX" and address == os.path.join(folder, "worker.sock"):
        conn = Client(address, family, authkey=authkey)
        return process, group, conn, folder  # type: ignore[return-value]  # Windows' stubs: or a PipeConnection (AF_PIPE only)
    if family == "AF_INET" and address.isdigit():
        conn = Client(("127.0.0.1", int(address)), authkey=authkey)
        send_at_once(conn)
        return process, group, conn, folder  # type: ignore[return-value]  # Windows' stubs: or a PipeConnection
    group.kill()
    group.close()
    shutil.rmtree(folder, ignore_errors=True)
    raise WorkerStartError(f"a worker process could not start ({describe_exit(process.wait())})")


class Worker:
    """One worker process, the thread that reads what it sends, and what it holds;
    ``pool`` is its ``process_pool.WorkerPool`` (its lock, memory share and idle workers)."""

    def __init__(self, pool: Any) -> None:
        self.limit = pool.max_message  # bytes of a message read at most, as the worker knows
        self.asked: deque[int] = deque()  # limits sent, not yet answered
        self.process, self.group, self.conn, self.folder = start(
            pool.share, self.limit, pool.sandbox, pool.shared_memory
        )
        self.pool = pool
        self.alive = True
        self.stopping = False
        self.reaped = False
        self.job: Job | None = None
        self.queue: deque[Job] = deque()
        self.idle_since = time.monotonic()
        self.held: dict[Key, Handle] = {}
        self.requests: dict[int, Callable[[bool, Any], None]] = {}
        self._next_request = 0
        self._send_lock = threading.Lock()
        self._conn_lock = threading.Lock()  # closing the connection, waking its reader
        self.reader = threading.Thread(target=self._read, name="pyflow-worker-reader", daemon=True)
        self.reader.start()
        threading.Thread(target=self._watch, name="pyflow-worker-watch", daemon=True).start()

    def __repr__(self) -> str:
        return f"Worker({self.process.pid})"

    @property
    def busy(self) -> bool:
        return self.job is not None

    def ask_limit(self, limit: int) -> None:
        """Have the worker send messages of ``limit`` bytes at most; this side reads with it
        from the worker's answer on (raises ``OSError`` when the worker is gone)."""
        self.asked.append(limit)
        self.send(("limit", limit))

    def send(self, message: Any) -> None:
        """Send ``message`` (pickled: the worker trusts its owner); raises ``OSError`` when
        the worker is gone."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with self._send_lock:
            self.conn.send_bytes(data)

    def request(self, kind: str, key: Key, *rest: Any, callback) -> None:
        """Ask for ``export`` or ``fetch`` of ``key``; ``callback(ok, answer)`` gets the
        answer (``ok`` false: the error text, or ``MISSING``), on some reader thread."""
        with self.pool.lock:
            if not self.alive:
                callback(False, MISSING)
                return
            self._next_request += 1
            request = self._next_request
            self.requests[request] = callback
        try:
            self.send((kind, request, key, *rest))
        except OSError:
            pass  # its death answers every request left

    def fetch(self, key: Key, what: str, **params: Any) -> Any:
        """The value of ``key`` (``what="value"``: loaded here from its segment, so only a
        script that runs the nodes' code anyway asks for it; never the window), or JSON data
        about it (``views.fetch_data``). Raises ``LookupError`` when the worker no longer
        has it, ``ValueError`` when it cannot be sent or received."""
        answer: list = []
        done = threading.Event()

        def take(ok: bool, data: Any) -> None:
            answer.extend((ok, data))
            done.set()

        if what == "value":
            self.request("export", key, callback=take)
        else:
            self.request("fetch", key, what, params, callback=take)
        if not done.wait(ANSWER_WAIT):
            raise TimeoutError(f"worker {self.process.pid} did not answer")
        ok, data = answer
        if not ok:
            where = f"{key[1]}:{key[2]}"
            if data == MISSING:
                raise LookupError(f"the value of {where} is no longer in its worker process")
            raise ValueError(f"the value of {where} cannot be sent between processes ({data})")
        if what != "value":
            return data
        try:
            return transfer.unpack(data[0], self.pool.shared_memory_folder)
        except Exception as exc:  # e.g. its class is in a module only the worker imports
            reason = f"{type(exc).__name__}: {exc}"
            where = f"{key[1]}:{key[2]}"
            raise ValueError(f"the value of {where} could not be received ({reason})") from exc
        finally:
            self.pool.release_segment(data[0], self)

    def _read(self) -> None:
        try:
            while self._read_one():
                pass
        finally:
            self._died()

    def _read_one(self) -> bool:
        """Read and take one frame; ``False`` once the worker is gone or refused: whatever
        goes wrong fails its node saying why, never this thread alone."""
        limit = self.limit
        try:
            data = self.conn.recv_bytes(limit)
        except EOFError:
            return False
        except OSError as exc:
            if str(exc) == "bad message length":  # multiprocessing: longer than ``limit``
                self._refuse(
                    f"its worker process sent a message of more than {limit / 2**20:g} MB, "
                    "the most the program reads of one"
                )
            return False  # else the connection closed
        except Exception as exc:  # noqa: BLE001 — e.g. MemoryError on a huge length
            self._refuse(f"its worker process's message could not be read ({describe(exc)})")
            return False
        try:
            with self.pool.lock:
                job = self.job
                if job is not None:
                    job.gather()
                try:
                    for item in parse_frame(data):
                        self._take(item)
                finally:
                    if job is not None:
                        job.hand_over()
        except ForgedMessage as exc:
            self._refuse(f"its worker process sent a message that is not its own ({exc})")
            return False
        except Exception as exc:  # noqa: BLE001 — an item we could not take
            self._refuse(f"its worker process's message could not be taken ({describe(exc)})")
            return False
        return True

    def _watch(self) -> None:
        """Wake the reader once the process ends, even if something it started holds its
        connection open (the reader then sees it close)."""
        wait_for_exit(self.process)
        with self._conn_lock:
            if self.conn.closed:
                return
            sock = socket.socket(fileno=self.conn.fileno())
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            finally:
                sock.detach()

    def _take(self, item: list) -> None:
        kind = item[0]
        if kind in ("started", "partial", "done"):
            job = self.job
            if job is None or not job.sent or item[1] not in job.left:
                raise ForgedMessage(f"about node {item[1]!r}, which it is not running")
            job.take(item)
        elif kind == "end":
            if self.job is None or not self.job.sent or item[1] != self.job.id:
                raise ForgedMessage(f"the end of job {item[1]}, which it is not running")
            self.job.end()
        elif kind == "limit":
            if not self.asked or self.asked[0] != item[1]:
                raise ForgedMessage(f"a limit of {item[1]} bytes, which was not asked")
            self.limit = self.asked.popleft()
        elif kind == "dropped":
            for key in item[1]:
                handle = self.held.pop(tuple(key), None)
                if handle is not None and self in handle.holders:
                    handle.holders.remove(self)
        else:
            callback = self.requests.pop(item[1], None)
            if callback is None:
                raise ForgedMessage(f"an answer to request {item[1]}, which was not asked")
            callback(kind != "failed", item[2] if kind != "exported" else item[2:])

    def next_job(self) -> None:
        """Begin the next job waiting for this worker, if it is free (the pool's lock held)."""
        while self.job is None and self.queue and self.alive:
            self.job = self.queue.popleft()
            self.job.begin(self)
        if self.job is None:
            self.idle_since = time.monotonic()
            self.pool.trim_later()

    def _refuse(self, error: str) -> None:
        """The worker sent bytes we cannot take (node code forged them, or they are too
        large to read): fail its node now for ``error`` and stop the worker, which can no
        longer be trusted (its stream may be out of step)."""
        with self.pool.lock:
            if self.job is not None:
                self.job.fail_running(f"{error}; it was stopped")
        self.kill()

    def _died(self) -> None:
        self.group.kill()  # what its nodes started goes too; before the reaping frees its id
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.reaped = True
        self.group.close()
        with self._conn_lock:
            self.conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        with self.pool.lock:
            self.alive = False
            self.pool.forget(self)
            for handle in self.held.values():
                if self in handle.holders:
                    handle.holders.remove(self)
            self.held.clear()
            jobs = ([self.job] if self.job is not None else []) + list(self.queue)
            self.job, self.queue = None, deque()
            for index, job in enumerate(jobs):
                reason = (
                    None
                    if self.stopping or index
                    else f"the worker process died ({describe_exit(code)})"
                )
                job.died(reason)
            requests, self.requests = self.requests, {}
            for callback in requests.values():
                callback(False, MISSING)

    def kill(self) -> None:
        self.stopping = True
        if not self.reaped:  # (poll() would reap it, and free its id for reuse)
            self.group.kill()

    def close(self) -> None:
        self.stopping = True
        try:
            self.send(None)
        except OSError:
            pass


def wait_for_exit(process: subprocess.Popen) -> None:
    """Wait until ``process`` ends, leaving it to be reaped (POSIX with ``waitid``: its
    group is killed first, before its id can be reused)."""
    try:
        if hasattr(os, "waitid"):
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # type: ignore[attr-defined]  # POSIX only
        else:
            process.wait()
    except ChildProcessError:  # reaped already
        pass


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


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
