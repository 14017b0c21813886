"""The thread executor: nodes run on daemon threads of this process."""

from __future__ import annotations

import threading
from queue import SimpleQueue
from typing import Any

from .executor import Executor, Report
from .node_call import NodeTask, execute_node


class ThreadExecutor(Executor):
    """Runs nodes on daemon threads in this process: cheapest, but a running function cannot
    be killed; a streaming generator does stop at its next ``yield``.

    Threads are daemons so that a node abandoned after a timeout or Stop never keeps the
    program from exiting. State: ``_tasks`` (work for the threads; ``None`` tells one to
    leave), ``_threads`` (those that count as workers), ``_abandoned`` (threads left running a
    timed-out node: they leave when it returns), ``_busy`` (node id → its thread), ``_stops``
    (node id → the event that asks its generator to stop).
    """

    name = "thread"
    inline = True
    runs_here = True

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers)
        self._tasks: SimpleQueue = SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._stops: dict[str, threading.Event] = {}
        self._busy: dict[str, threading.Thread] = {}  # node id → the thread running it
        self._abandoned: set[threading.Thread] = set()  # they leave once their node returns
        self._report: Report | None = None
        self._cancelled: threading.Event | None = None

    def start(self, report: Report, cancelled: threading.Event) -> None:
        self._report, self._cancelled = report, cancelled

    def submit(self, task: NodeTask) -> None:
        if len(self._threads) < self.max_workers:
            thread = threading.Thread(target=self._work, name="pyflow-node", daemon=True)
            self._threads.append(thread)
            thread.start()
        self._stops[task.node_id] = _AnyEvent(self._cancelled)
        self._tasks.put(task)

    def stop_node(self, node_id: str) -> bool:
        """Ask a streaming node to stop; returns False: a plain function runs on regardless.

        Its thread no longer counts as a worker (it leaves when the node returns), so the
        nodes still to run get a fresh thread instead of waiting behind a hung one."""
        stop = self._stops.get(node_id)
        if stop is not None:
            stop.set()
        thread = self._busy.pop(node_id, None)
        if thread in self._threads:
            self._threads.remove(thread)
            self._abandoned.add(thread)
        return False

    def _work(self) -> None:
        me = threading.current_thread()
        while me not in self._abandoned and (task := self._tasks.get()) is not None:
            report = self._report
            assert report is not None, "nodes are submitted after start"
            node_id = task.node_id
            self._busy[node_id] = me

            def partial(value: Any, index: int, node_id: str = node_id, report=report) -> None:
                report(("partial", node_id, value, index))

            report(("started", node_id))
            outcome = execute_node(task, partial, self._stops.get(node_id))
            self._stops.pop(node_id, None)
            self._busy.pop(node_id, None)
            report(("done", node_id, outcome))

    def close(self) -> None:
        for _ in self._threads:
            self._tasks.put(None)
        self._threads = []


class _AnyEvent(threading.Event):
    """Set by itself (this node was stopped) or through the run's cancel event."""

    def __init__(self, run_cancelled: threading.Event | None) -> None:
        super().__init__()
        self._run_cancelled = run_cancelled

    def is_set(self) -> bool:
        return super().is_set() or bool(self._run_cancelled and self._run_cancelled.is_set())
