"""The process executor's worker processes together (``WorkerPool``): kept between nodes and
runs, in a pool the whole program shares (``shared_pool``), with the values they made.

The pool keeps ``keep`` workers (the number of CPUs) for good; one beyond them that has
been idle for ``idle_seconds`` ends, with the values it held (made again when needed), so a
burst of runs does not leave its workers behind. Runs that start at once warm the pool
together. Each worker (``worker_proxy.Worker``) keeps values up to its ``share`` of the
memory budget.

State, guarded by ``lock`` (which the workers' own state shares): ``workers`` (every live
worker), ``_starting`` (workers ``warm`` is starting, counted before they exist),
``_trimming`` (the timer that ends idle workers beyond ``keep``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import threading
import time

from . import transfer
from .sandbox import Sandbox
from .worker_messages import MAX_MESSAGE
from .worker_proxy import Worker

IDLE_SECONDS = 30.0  # how long a worker beyond the pool's ``keep`` may stay idle


def total_memory() -> int:
    """Bytes of RAM of this machine (2 GiB when it cannot be told)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")  # type: ignore[attr-defined]  # POSIX only
    except (AttributeError, ValueError, OSError):
        return 2 * 2**30


class WorkerPool:
    """Worker processes kept warm between nodes and runs, with the values they hold.

    ``budget``: bytes of values all workers keep in memory together (default a quarter of
    RAM), shared evenly: each keeps ``share``. ``keep`` workers (default: the number of CPUs)
    stay for good, the others end once idle for ``idle_seconds``. ``max_message``: bytes of
    one message from a worker at most (default 64 MB); a worker splits what it sends to fit,
    and one that sends more is stopped, failing its node. ``sandbox``: its workers run
    confined (``sandbox``), sharing memory through ``shared_memory_folder``, or do not start."""

    def __init__(
        self,
        budget: int | None = None,
        keep: int | None = None,
        idle_seconds: float = IDLE_SECONDS,
        max_message: int = MAX_MESSAGE,
        sandbox: Sandbox | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.workers: list[Worker] = []
        self.budget = budget or total_memory() // 4
        self.share = self.budget // (os.cpu_count() or 1)
        self.keep = keep or os.cpu_count() or 1
        self.idle_seconds = idle_seconds
        self._starting = 0
        self._trimming: threading.Timer | None = None
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

    def set_max_message(self, limit: int) -> None:
        """Read ``limit`` bytes of a message at most, and tell the workers to send no more."""
        if limit == self.max_message:
            return
        self.max_message = limit
        for worker in self.live():
            try:
                worker.ask_limit(limit)
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
        """Start workers until ``count`` exist, so the first nodes do not wait for them (runs
        starting at once count each other's, so they start ``count`` in all)."""
        with self.lock:
            missing = max(0, count - len(self.workers) - self._starting)
            self._starting += missing
        try:
            for _ in range(missing):
                self.spawn()
        finally:
            with self.lock:
                self._starting -= missing
                self.trim_later()

    def trim_later(self) -> None:
        """When there are more workers than ``keep``, end the idle ones beyond it once they
        have been idle for ``idle_seconds`` (the longest idle first)."""
        with self.lock:
            idle = self._idle()
            if self._trimming is None and len(self.workers) > self.keep and idle:
                wait = idle[0].idle_since + self.idle_seconds - time.monotonic()
                self._trimming = threading.Timer(max(0.0, wait), self._trim)
                self._trimming.daemon = True
                self._trimming.start()

    def _idle(self) -> list[Worker]:
        """The live workers with nothing to do, the longest idle first (the lock held)."""
        idle = [w for w in self.workers if w.alive and w.job is None and not w.queue]
        return sorted(idle, key=lambda worker: worker.idle_since)

    def _trim(self) -> None:
        now = time.monotonic()
        with self.lock:
            self._trimming = None
            extra = len(self.workers) - self.keep
            done = [w for w in self._idle() if now - w.idle_since >= self.idle_seconds]
            done = done[: max(0, extra)]
            for worker in done:  # no job goes to it from now on
                self.workers.remove(worker)
            self.trim_later()
        for worker in done:
            worker.close()

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
            if self._trimming is not None:
                self._trimming.cancel()
                self._trimming = None
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
