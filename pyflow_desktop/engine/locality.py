"""Which worker process runs a job: where it can start soonest, moving values included.

As Dask's scheduler weighs it (``decide_worker``): for each worker, the time until it is
free (what it runs and has queued, each task at its expected time, ``UNKNOWN_SECONDS`` when
never measured) plus the time to bring it the input values it does not hold
(``MOVE_BYTES_PER_SECOND``). A node whose large inputs are in a busy worker thus waits for
it, unless that worker is busy for longer than moving them takes; small values move to an
idle worker at once. A new worker is started when every worker is busy and the pool has
fewer than the executor's ``max_workers``, at ``START_SECONDS`` plus moving every value.
"""

from __future__ import annotations

from typing import Any

MOVE_BYTES_PER_SECOND = 1e9  # through shared memory: pickled in, copied out, about 1 GB/s
UNKNOWN_SECONDS = 0.5  # what a task never measured is expected to take (as Dask assumes)
START_SECONDS = 0.2  # starting a worker process and its interpreter


def choose_worker(job: Any, workers: list, limit: int) -> Any:
    """The worker to run ``job`` (a ``process_jobs.Job``), or ``None`` to start a new one."""
    needs = job.needs()
    total = sum(handle.size for handle in needs.values())
    best, best_cost = None, START_SECONDS + total / MOVE_BYTES_PER_SECOND
    if len(workers) >= limit:
        best_cost = float("inf")
    for worker in workers:
        held = sum(handle.size for handle in needs.values() if worker in handle.holders)
        cost = busy_seconds(worker) + (total - held) / MOVE_BYTES_PER_SECOND
        if cost < best_cost or (cost == best_cost and best is not None and not worker.busy):
            best, best_cost = worker, cost
    return best


def busy_seconds(worker: Any) -> float:
    """How long until ``worker`` is free, from the tasks it runs and has queued."""
    jobs = ([worker.job] if worker.job is not None else []) + list(worker.queue)
    return sum(_expected(task) for job in jobs for task in job.left.values())


def _expected(task: Any) -> float:
    return UNKNOWN_SECONDS if task.expected is None else task.expected
