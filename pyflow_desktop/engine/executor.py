"""The executor interface: executors run nodes on behalf of the scheduler and report back.

The scheduler owns every decision; an executor only runs ``NodeTask``s and calls
``report(message)`` from any thread with ``("started", node_id)`` when the node really
begins (timeouts count from there, not from ``submit``: a node may wait for a worker first),
then ``("partial", node_id, value, index)`` for each streamed value and
``("done", node_id, outcome)``. An executor may keep what runs nodes between runs (worker
processes, a Dask client): ``connect`` reaches it before the first run, ``shutdown`` lets it
go when its owner is done. The concrete executors live in their own modules and
``executors.py`` picks one by name.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from .node_call import NodeTask

Report = Callable[[tuple[Any, ...]], None]


def default_workers() -> int:
    return min(32, (os.cpu_count() or 1) + 4)


class Executor(ABC):
    """Runs nodes; ``max_workers`` caps how many the scheduler keeps in flight.

    ``inline``: whether the scheduler may run a quick node itself, on its own thread, in
    place of submitting it (true only of an executor that runs nodes in this process)."""

    name = "executor"
    inline = False

    def __init__(self, max_workers: int | None = None) -> None:
        self.max_workers = max_workers or default_workers()

    def connect(self) -> object:
        """Reach what runs the nodes now rather than at the first run (a Dask scheduler at a
        wrong address fails here); returns what it reached, if anything."""
        return None

    def shutdown(self) -> None:
        """Let go of what is kept between runs (the owner is done: a window closes, a CLI
        run ends); a later run starts it again. Nothing is kept by default."""
        return None

    @abstractmethod
    def start(self, report: Report, cancelled: threading.Event) -> None:
        """Prepare for a run; messages go to ``report``; ``cancelled`` is set on Stop."""

    @abstractmethod
    def submit(self, task: NodeTask) -> None:
        """Start running ``task``; its outcome arrives later through ``report``."""

    def stop_node(self, node_id: str) -> bool:
        """Stop a running node if this executor can; returns whether it did."""
        return False

    @abstractmethod
    def close(self) -> None:
        """Release resources without waiting for nodes that were given up on."""
