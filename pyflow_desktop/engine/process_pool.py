"""The process executor's worker processes, as the owner sees them (``Worker``, ``WorkerPool``).

Workers are fresh interpreters (``python -P -m pyflow_desktop.engine.process_worker``,
spawned, without the current folder on ``sys.path``) connected by an authenticated loopback
connection: unlike ``multiprocessing`` they never re-import the caller's ``__main__``, and
behave the same on every platform. Each runs in a process group of its own
(``process_group``), killed whole, so nothing a node started outlives its worker. Workers
are kept between nodes and runs, in a pool the whole program shares, with the values they
made (``value_store``); each has a folder of its own to spill values to, removed when it ends.
They are started by ``process_start``, inside a sandbox for a pool that has one (``sandbox``).

Each worker's reader thread reads what it sends as hostile (``worker_messages``): an item
about a node it does not run, or anything that is not ours, fails its node at once and stops
the worker, as does a message too large to read (``max_message``) or unreadable. A second
thread watches the process, so that a worker that ends is noticed even while something it
started holds its connection open. Requests to a worker (``request``) are answered through callbacks; ``fetch``
waits for the answer.

State, guarded by the pool's ``lock``: ``WorkerPool.workers`` (every live worker), each
``Worker.job`` (the job it runs or prepares, ``process_jobs.Job``), ``Worker.queue`` (jobs
waiting for it), ``Worker.held`` (key → handle of each value it holds), ``Worker.requests``
(request id → callback). ``Worker.alive`` turns false once it is gone; ``Worker.stopping``
is set when we kill it on purpose.
"""

from __future__ import annotations

import atexit
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from . import transfer
from .handles import Handle, Key
from .process_start import describe_exit, start_worker, wait_for_exit
from .sandbox import Sandbox
from .worker_messages import MAX_MESSAGE, ForgedMessage, parse_frame

ANSWER_WAIT = 300.0  # seconds a fetch waits for its worker at most
MISSING = "missing"  # ``process_worker.MISSING``: the value is not in that worker


def total_memory() -> int:
    """Bytes of RAM of this machine (2 GiB when it cannot be told)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 2 * 2**30


class Worker:
    """One worker process, the thread that reads what it sends, and what it holds."""

    def __init__(self, pool: WorkerPool) -> None:
        self.process, self.group, self.conn, self.folder = start_worker(
            pool.share, pool.max_message, pool.sandbox, pool.shared_memory
        )
        self.pool = pool
        self.alive = True
        self.stopping = False
        self.reaped = False
        self.job = None
        self.queue: deque = deque()
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
        limit = self.pool.max_message
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


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class WorkerPool:
    """Worker processes kept warm between nodes and runs, with the values they hold.

    ``budget``: bytes of values all workers keep in memory together (default a quarter of
    RAM), shared evenly: each keeps ``share``. ``max_message``: bytes of one message from a
    worker at most (default 64 MB); a worker splits what it sends to fit, and one that sends
    more is stopped, failing its node. ``sandbox``: its workers run confined (``sandbox``),
    sharing memory through ``shared_memory_folder``, or do not start."""

    def __init__(
        self,
        budget: int | None = None,
        max_message: int = MAX_MESSAGE,
        sandbox: Sandbox | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.workers: list[Worker] = []
        self.budget = budget or total_memory() // 4
        self.share = self.budget // (os.cpu_count() or 1)
        self.max_message = max_message
        self.sandbox = sandbox
        self.shared_memory_folder: str | None = None

    def shared_memory(self) -> str:
        """The folder sandboxed workers see as ``/dev/shm`` (one for the pool, so they share
        values), made on first use."""
        with self.lock:
            if self.shared_memory_folder is None:
                self.shared_memory_folder = tempfile.mkdtemp(prefix="pyflow-shm-", dir="/dev/shm")
            return self.shared_memory_folder

    def set_budget(self, budget: int, workers: int) -> None:
        """Keep ``budget`` bytes of values over ``workers`` workers."""
        share = max(1, budget // max(1, workers))
        if (budget, share) == (self.budget, self.share):
            return
        self.budget, self.share = budget, share
        for worker in self.live():
            try:
                worker.send(("budget", share))
            except OSError:
                pass

    def live(self) -> list[Worker]:
        with self.lock:
            return [worker for worker in self.workers if worker.alive]

    def spawn(self) -> Worker:
        worker = Worker(self)
        with self.lock:
            self.workers.append(worker)
        return worker

    def forget(self, worker: Worker) -> None:
        with self.lock:
            if worker in self.workers:
                self.workers.remove(worker)

    def warm(self, count: int) -> None:
        """Start workers until ``count`` exist, so the first nodes do not wait for them."""
        with self.lock:
            missing = count - len(self.workers)
        for _ in range(max(0, missing)):
            self.spawn()

    def live_pids(self) -> list[int]:
        return [worker.process.pid for worker in self.live()]

    def release(self, scope: str) -> None:
        """Every worker forgets the values of ``scope`` (a run whose result is gone)."""
        for worker in self.live():
            with self.lock:
                for key in [key for key in worker.held if key[0] == scope]:
                    del worker.held[key]
            try:
                worker.send(("release", scope))
            except OSError:
                pass

    def release_segment(self, name: str, producer: Worker) -> None:
        """A segment's consumer is done (or gone): free it. POSIX: by name, here (which maps
        nothing); Windows: its producer holds it."""
        if sys.platform != "win32":
            transfer.unlink(name, self.shared_memory_folder)
        elif producer.alive:
            try:
                producer.send(("unexport", name))
            except OSError:
                pass

    def shutdown(self) -> None:
        """Stop every worker now (they may be running abandoned nodes)."""
        with self.lock:
            workers, self.workers = list(self.workers), []
        for worker in workers:
            worker.kill()
        for worker in workers:  # each reader reaps its worker once its connection closes
            worker.reader.join(timeout=10)
        with self.lock:
            folder, self.shared_memory_folder = self.shared_memory_folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


_shared: dict[Sandbox | None, WorkerPool] = {}
_shared_lock = threading.Lock()


def shared_pool(confined: Sandbox | None = None) -> WorkerPool:
    """The program's worker pool (one for each sandbox asked for), created on first use and
    shut down at exit."""
    with _shared_lock:
        if confined not in _shared:
            _shared[confined] = pool = WorkerPool(sandbox=confined)
            atexit.register(pool.shutdown)
        return _shared[confined]
