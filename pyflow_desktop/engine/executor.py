"""The executor interface: executors run nodes on behalf of the scheduler and report back.

The scheduler owns every decision; an executor only runs ``NodeTask``s and calls
``report(message)`` from any thread with ``("started", node_id)`` when the node really
begins (timeouts count from there, not from ``submit``: a node may wait for a worker first;
a node that ends within moments may leave it out),
then ``("partial", node_id, value, index)`` for each streamed value and
``("done", node_id, outcome)``. An executor whose values stay in its workers
(``holds_values``) reports views for partial values and handles for outputs
(``handles``), and may give a node back unrun with ``("requeue", node_id)``. Messages that
arrive together may come as one, ``("many", [message, ...])``. An executor may keep what
runs nodes between runs (worker processes, a Dask client): ``connect`` reaches it before
the first run, ``shutdown`` lets it go when its owner is done. The concrete executors live
in their own modules and ``executors.py`` picks one by name.
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
    place of submitting it (true only of an executor that runs nodes in this process).
    ``holds_values``: whether values stay where they were made (the scheduler then keeps
    ``Handle``s and resolves arguments by halves: ``held_values``); ``batches``: whether it
    takes quick nodes as one job (``submit_batch``); ``runs_here``: whether nodes run in
    this process (the run then changes its folder: ``folder``)."""

    name = "executor"
    inline = False
    holds_values = False
    batches = False
    runs_here = False

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

    def submit_batch(self, tasks: list[NodeTask], follows: bool = False) -> None:
        """Run ``tasks`` in order in one worker (each may take what an earlier one made);
        ``follows``: they take values the previous batch makes, so they run after it, in
        its worker."""
        raise NotImplementedError(f"the {self.name} executor takes no batches")

    def release(self, scope: str) -> None:  # noqa: B027 — most executors keep nothing
        """Values of ``scope`` are no longer needed (a run's result is gone)."""

    def stop_node(self, node_id: str) -> bool:
        """Stop a running node if this executor can; returns whether it did."""
        return False

    @abstractmethod
    def close(self) -> None:
        """Release resources without waiting for nodes that were given up on."""
