"""Executors kept between runs and lent to one run at a time.

A Dask client (with its local cluster) is expensive to connect, so the window keeps the
process and Dask executors it made. A run, or a Test, borrows one that fits its settings and
gives it back when it ends: an executor serves one run at a time, so a Test while a flow
runs gets an executor of its own (process executors share one pool of worker processes).
Thread executors cost nothing to make: each run gets a new one.

State: ``_idle`` (settings key → executors not lent now), ``_lent`` (id of a lent executor
→ its settings key), ``_made`` (every executor kept, for ``shutdown``).
"""

from __future__ import annotations

from pathlib import Path

from ...engine import Executor, make_executor
from ...engine.process_pool import total_memory
from ...engine.sandbox import Sandbox
from .settings import RunSettings


class ExecutorShelf:
    """Lends executors that fit run settings; GUI thread only."""

    def __init__(self) -> None:
        self._idle: dict[tuple, list[Executor]] = {}
        self._lent: dict[int, tuple] = {}
        self._made: list[Executor] = []

    def borrow(self, settings: RunSettings, folder: str | None = None) -> Executor:
        """An executor for a run with ``settings`` in ``folder`` (the flow's, for a
        sandbox), not lent to another run. Raises ``SandboxUnavailable`` for a sandbox
        where none can run."""
        workers = settings.workers or None
        if settings.executor == "thread" and not settings.sandbox:
            return make_executor("thread", workers)
        sandbox = None
        if settings.sandbox:
            sandbox = Sandbox(folder or str(Path.home()), settings.sandbox_writable)
        # Process executors share their workers: each sets the budget its run was asked for.
        memory = settings.memory * 2**20 or total_memory() // 4
        limit = settings.max_message * 2**20
        key = (settings.executor, workers, settings.scheduler, sandbox, memory, limit)
        idle = self._idle.get(key)
        if idle:
            executor = idle.pop()
        elif sandbox is not None:
            executor = make_executor(
                "process", workers, sandbox=sandbox, memory=memory, max_message=limit
            )
            self._made.append(executor)
        else:
            options: dict = {"scheduler_address": settings.scheduler} if settings.scheduler else {}
            if settings.executor == "process":
                options.update(memory=memory, max_message=limit)
            executor = make_executor(settings.executor, workers, **options)
            self._made.append(executor)
        self._lent[id(executor)] = key
        return executor

    def give_back(self, executor: Executor) -> None:
        """The run that borrowed ``executor`` has ended."""
        key = self._lent.pop(id(executor), None)
        if key is not None:
            self._idle.setdefault(key, []).append(executor)

    def shutdown(self) -> None:
        """Release every kept executor (closing Dask clients and their local clusters)."""
        for executor in self._made:
            executor.shutdown()
        self._made.clear()
        self._idle.clear()
        self._lent.clear()
