"""The ``process`` executor: our own persistent worker processes, talking over pipes.

Each node runs in a worker process, so a node that hangs can be killed (timeout or Stop) and
one that kills its own process fails alone; the worker is then replaced. Workers are reused
between nodes and runs (a pool shared by the whole program). They are fresh interpreters
(``python -P -m pyflow_desktop.engine.process_worker``, i.e. spawned, without the current
folder on ``sys.path``) connected by an authenticated loopback connection: unlike
``multiprocessing`` they never re-import the caller's ``__main__``, and behave the same on
every platform. Each runs in a process group of its own (``process_group``), killed whole,
so nothing a node started outlives its worker. What a worker sends is read as hostile
(``worker_messages``): a message that is not ours fails the node at once and stops the worker.

State: ``WorkerPool._idle`` (workers waiting for work, the longest idle first; those beyond
the pool's ``keep`` end after ``IDLE_SECONDS`` idle), ``WorkerPool._all`` (every live
worker), each ``Worker.node_id`` (the node it runs, or None), ``Worker.stopping`` (set when
we kill it on purpose, so its death is not reported as a crash) and ``Worker.reaped`` (its
process was waited for: its group id may belong to another process now).
"""

from __future__ import annotations

import atexit
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Client

from .executor import Executor, Report
from .node_call import NodeOutcome, NodeTask
from .process_group import ProcessGroup, popen_options, python_executable
from .worker_messages import ForgedMessage, read_message, send_at_once

WORKER_MODULE = "pyflow_desktop.engine.process_worker"
IDLE_SECONDS = 30.0  # how long a worker beyond the pool's ``keep`` may stay idle


class WorkerStartError(RuntimeError):
    """A worker process could not be started."""


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the program serves as worker
        return [sys.executable, "--pyflow-worker"]
    return [python_executable(), "-P", "-m", WORKER_MODULE]


class Worker:
    """One worker process and the thread that reads its messages."""

    def __init__(self, pool: WorkerPool) -> None:
        authkey = os.urandom(32)
        self.process = subprocess.Popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            stderr=None,
            **popen_options(),
        )
        self.group = ProcessGroup(self.process)  # before it can start anything
        self.process.stdin.write(f"{authkey.hex()} {os.getpid()}\n")
        self.process.stdin.close()
        port = self.process.stdout.readline().strip()
        self.process.stdout.close()
        if not port.isdigit():
            self.group.kill()
            self.group.close()
            raise WorkerStartError(
                f"a worker process could not start ({describe_exit(self.process.wait())})"
            )
        self.conn = Client(("127.0.0.1", int(port)), authkey=authkey)
        send_at_once(self.conn)
        self.pool = pool
        self.node_id: str | None = None
        self.report: Report | None = None
        self.stopping = False
        self.reaped = False
        self.idle_since = 0.0  # time.monotonic() when it last became idle
        self.reader = threading.Thread(target=self._read, name="pyflow-worker-reader", daemon=True)
        self.reader.start()

    def run(self, task: NodeTask, report: Report) -> None:
        data = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)  # fails before any state
        self.node_id, self.report = task.node_id, report
        self.conn.send_bytes(data)

    def _read(self) -> None:
        while True:
            try:
                data = self.conn.recv_bytes()
            except (EOFError, OSError):
                break
            try:
                message = read_message(data)
                if message[1] != self.node_id:
                    raise ForgedMessage(f"about node {message[1]!r}, which it is not running")
            except ForgedMessage as exc:
                self._refuse(str(exc))
                break
            if message[0] == "done":
                report, self.node_id, self.report = self.report, None, None
                self.pool.release(self)
                report(message)
            elif self.report is not None:
                self.report(message)
        self._died()

    def _refuse(self, reason: str) -> None:
        """The worker sent bytes our worker code never sends: node code forged them. Fail its
        node now and stop the worker, which can no longer be trusted."""
        node_id, report, self.node_id, self.report = self.node_id, self.report, None, None
        self.kill()
        if node_id is not None and report is not None:
            error = f"its worker process sent a message that is not its own ({reason})"
            report(("done", node_id, NodeOutcome(node_id, error=f"{error}; it was stopped")))

    def _died(self) -> None:
        self.group.kill()  # what its nodes started goes too; before the reaping frees its id
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.reaped = True
        self.group.close()
        self.conn.close()
        self.pool.forget(self)
        if self.node_id is not None and not self.stopping and self.report is not None:
            self.report(
                (
                    "done",
                    self.node_id,
                    NodeOutcome(
                        self.node_id, error=f"the worker process died ({describe_exit(code)})"
                    ),
                )
            )

    def kill(self) -> None:
        self.stopping = True
        if not self.reaped:  # (poll() would reap it, and free its id for reuse)
            self.group.kill()

    def close(self) -> None:
        self.stopping = True
        try:
            self.conn.send(None)
        except OSError:
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


class WorkerPool:
    """Worker processes kept warm between nodes and runs; grows on demand.

    ``keep`` workers (the number of CPUs) stay for good; a worker beyond them that has been
    idle for ``idle_seconds`` ends, so a burst of runs does not leave its workers behind."""

    def __init__(self, keep: int | None = None, idle_seconds: float = IDLE_SECONDS) -> None:
        self.keep = keep or os.cpu_count() or 1
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._idle: list[Worker] = []  # the longest idle first
        self._all: set[Worker] = set()
        self._starting = 0  # workers ``warm`` is starting, counted before they exist
        self._trimming: threading.Timer | None = None

    def acquire(self) -> Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        worker = Worker(self)
        with self._lock:
            self._all.add(worker)
        return worker

    def release(self, worker: Worker) -> None:
        with self._lock:
            if worker in self._all and not worker.stopping:
                worker.idle_since = time.monotonic()
                self._idle.append(worker)
                self._trim_later()

    def forget(self, worker: Worker) -> None:
        with self._lock:
            self._all.discard(worker)
            if worker in self._idle:
                self._idle.remove(worker)

    def warm(self, count: int) -> None:
        """Start workers until ``count`` exist, so the first nodes do not wait for them (runs
        starting at once count each other's, so they start ``count`` in all)."""
        with self._lock:
            missing = max(0, count - len(self._all) - self._starting)
            self._starting += missing
        started: list[Worker] = []
        try:
            started.extend(Worker(self) for _ in range(missing))
        finally:
            with self._lock:
                self._starting -= missing
                self._all.update(started)
                for worker in started:
                    worker.idle_since = time.monotonic()
                self._idle.extend(started)
                self._trim_later()

    def _trim_later(self) -> None:
        """Under the lock: when there are more workers than ``keep``, end the extra idle
        ones once they have been idle for ``idle_seconds``."""
        if self._trimming is None and len(self._all) > self.keep and self._idle:
            wait = self._idle[0].idle_since + self.idle_seconds - time.monotonic()
            self._trimming = threading.Timer(max(0.0, wait), self._trim)
            self._trimming.daemon = True
            self._trimming.start()

    def _trim(self) -> None:
        now = time.monotonic()
        with self._lock:
            self._trimming = None
            extra = len(self._all) - self.keep
            done = [w for w in self._idle if now - w.idle_since >= self.idle_seconds][:extra]
            for worker in done:
                self._idle.remove(worker)
                self._all.discard(worker)
            self._trim_later()
        for worker in done:
            worker.close()

    def live_pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._all]

    def shutdown(self) -> None:
        """Stop every worker now (they may be running abandoned nodes)."""
        with self._lock:
            workers, self._all, self._idle = list(self._all), set(), []
            if self._trimming is not None:
                self._trimming.cancel()
                self._trimming = None
        for worker in workers:
            worker.kill()
        for worker in workers:  # each reader reaps its worker once its connection closes
            worker.reader.join(timeout=10)


_shared: WorkerPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> WorkerPool:
    """The program's worker pool, created on first use and shut down at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = WorkerPool()
            atexit.register(_shared.shutdown)
        return _shared


class ProcessExecutor(Executor):
    """Runs each node in a worker process of ``pool`` (the shared pool by default)."""

    name = "process"

    def __init__(self, max_workers: int | None = None, pool: WorkerPool | None = None) -> None:
        super().__init__(max_workers or os.cpu_count() or 1)
        self.pool = pool or shared_pool()
        self._running: dict[str, Worker] = {}
        self._report: Report | None = None

    def start(self, report: Report, cancelled: threading.Event) -> None:
        self._report = report
        self.pool.warm(min(self.max_workers, 2))

    def submit(self, task: NodeTask) -> None:
        worker = self.pool.acquire()
        try:
            worker.run(task, self._report)
        except Exception as exc:  # inputs that cannot be pickled (a lock, a generator...)
            self.pool.release(worker)
            reason = f"{type(exc).__name__}: {exc}"
            self._report(
                (
                    "done",
                    task.node_id,
                    NodeOutcome(
                        task.node_id,
                        error=f"its inputs cannot be sent to a worker process ({reason})",
                    ),
                )
            )
            return
        self._running[task.node_id] = worker
        self._report(("started", task.node_id))  # an idle worker of its own runs it now

    def stop_node(self, node_id: str) -> bool:
        worker = self._running.pop(node_id, None)
        if worker is None or worker.node_id != node_id:
            return False
        worker.kill()
        return True

    def close(self) -> None:
        self._running.clear()

    def shutdown(self) -> None:
        """Stop the pool's workers (the owner is done: a window closes, a CLI run ends); the
        pool starts new ones if it is used again."""
        self._running.clear()
        self.pool.shutdown()
