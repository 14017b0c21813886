"""What ``DaskExecutor`` runs on the Dask scheduler: one attempt per node, and restarts.

dask reruns a task whose worker died on another worker, up to
``distributed.scheduler.allowed-failures`` times (3 by default): a node that kills its worker
(``os._exit``, a segfault) would kill every worker in turn before it failed. ``OneAttempt``,
registered by the executor, marks each of our tasks as suspicious up to that limit when it
starts, so the first death of its worker fails it with ``KilledWorker``.

``restart_worker`` frees a worker whose node timed out or was stopped: its nanny restarts it
(a plain function cannot be interrupted otherwise). Our other nodes running on that worker
did not kill it, so they may run again.

Both need ``pyflow_desktop`` importable on the scheduler; ``distributed`` is imported only
with this module, which the executor imports when it connects (without the dask extra the
module still imports, for tools that import every module, and serves nothing).
"""

from __future__ import annotations

import time
from typing import Any

try:
    from distributed.diagnostics.plugin import SchedulerPlugin
except ImportError:  # without the dask extra this module is never used, but still imports
    SchedulerPlugin = object  # type: ignore[assignment,misc]  # a stand-in base class

from .dask_worker import KEY_PREFIX


def is_ours(key: Any) -> bool:
    return isinstance(key, str) and key.startswith(KEY_PREFIX)


class OneAttempt(SchedulerPlugin):
    """Our nodes are tried once: a worker that dies while running one fails it."""

    name = "pyflow-desktop-one-attempt"
    idempotent = True

    async def start(self, scheduler) -> None:
        self.scheduler = scheduler

    def transition(self, key, start, finish, *args, stimulus_id: str, **kwargs) -> None:
        if finish != "processing" or not is_ours(key):
            return
        task = self.scheduler.tasks.get(key)
        if task is not None:
            task.suspicious = max(task.suspicious, self.scheduler.allowed_failures)


async def restart_worker(address: str, dask_scheduler=None) -> str:
    """Run on the scheduler: restart the worker at ``address`` through its nanny."""
    worker = dask_scheduler.workers.get(address)
    if worker is None:
        return "gone"
    for task in worker.processing:
        if is_ours(task.key):
            task.suspicious = 0
    done = await dask_scheduler.restart_workers(
        [address], stimulus_id=f"pyflow-stop-{time.time()}", on_error="return"
    )
    return str(done.get(address, "gone"))
