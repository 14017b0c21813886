"""The ``process`` executor: our own persistent worker processes (``process_pool``).

Each node runs in a worker process, so a node that hangs can be killed (timeout or Stop) and
one that kills its own process fails alone; the worker is then replaced. A node's outputs
stay in the worker that made them: the scheduler gets ``Handle``s (with each value's view),
a node runs where its inputs are when that is cheaper than moving them (``locality``), and a
value another worker needs goes there through shared memory, never through this process
(``process_jobs``). A batch of quick nodes goes to one worker as one job.

State: ``_jobs`` (node id → the job it is in, for the run in progress), ``_report``,
``_last`` (the worker the last job went to: a batch that follows it goes there too).
"""

from __future__ import annotations

import os
import threading

from .executor import Executor, Report
from .locality import choose_worker
from .node_call import NodeTask
from .process_jobs import Job
from .process_pool import WorkerPool, shared_pool
from .sandbox import Sandbox
from .sandbox import check as check_sandbox
from .worker_proxy import Worker

__all__ = ["ProcessExecutor", "WorkerPool", "shared_pool"]


class ProcessExecutor(Executor):
    """Runs nodes in the worker processes of ``pool`` (the shared pool by default);
    ``memory``: bytes of values the workers keep in memory together (default: a quarter of
    RAM), past which the least recently used are spilled to disk or dropped; ``max_message``:
    bytes of one message from a worker at most (default 64 MB; ``WorkerPool``); ``sandbox``:
    the workers run confined by it (``sandbox``), or raise ``SandboxUnavailable`` here."""

    name = "process"
    holds_values = True
    batches = True

    def __init__(
        self,
        max_workers: int | None = None,
        pool: WorkerPool | None = None,
        memory: int | None = None,
        sandbox: Sandbox | None = None,
        max_message: int | None = None,
    ) -> None:
        super().__init__(max_workers or os.cpu_count() or 1)
        if sandbox is not None:
            check_sandbox()
        self.pool = pool or shared_pool(sandbox)
        self.memory, self.max_message = memory, max_message
        self._jobs: dict[str, Job] = {}
        self._report: Report | None = None
        self._last: Worker | None = None  # the worker of the last batch

    def start(self, report: Report, cancelled: threading.Event) -> None:
        self._report = report
        self._jobs = {}
        if self.memory is not None:
            self.pool.set_budget(self.memory, self.max_workers)
        if self.max_message is not None:
            self.pool.set_max_message(self.max_message)
        self.pool.warm(min(self.max_workers, 2))

    def submit(self, task: NodeTask) -> None:
        self.submit_batch([task])

    def submit_batch(self, tasks: list[NodeTask], follows: bool = False) -> None:
        job = Job(tasks, self._report, self.pool)
        for task in tasks:
            self._jobs[task.node_id] = job
        while True:
            with self.pool.lock:
                if follows and self._last is not None and self._last.alive:
                    worker = self._last
                else:
                    worker = choose_worker(job, self.pool.live(), self.max_workers)
                self._last = worker
                if worker is not None:
                    job.worker = worker
                    worker.queue.append(job)
                    worker.next_job()
                    return
            self.pool.spawn()  # outside the lock: it takes a while

    def stop_node(self, node_id: str) -> bool:
        with self.pool.lock:
            job = self._jobs.pop(node_id, None)
            if job is None or job.closed or node_id not in job.left:
                return False
            if job.stop(node_id):
                return True
            worker = job.worker
        assert worker is not None, "a job that was sent has its worker"
        worker.kill()
        return True

    def release(self, scope: str) -> None:
        """The workers forget the values of ``scope`` (a run whose result is gone)."""
        self.pool.release(scope)

    def close(self) -> None:
        self._jobs = {}

    def shutdown(self) -> None:
        """Stop the pool's workers (the owner is done: a window closes, a CLI run ends); the
        pool starts new ones if it is used again."""
        self._jobs = {}
        self.pool.shutdown()
