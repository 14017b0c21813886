"""What runs on a Dask worker (and scheduler) for ``DaskExecutor``: one node per task.

A task runs ``run_node_on_worker``: it tells the client through the cluster's event broker,
under the run's topic, that the node started (and on which worker, with or without a nanny),
then sends each partial value the same way, in the run's folder when the worker has it; a
``_StopFlag`` polls the node's
``distributed.Event`` so that a streaming generator stops at its next ``yield`` once the
client asks.
"""

from __future__ import annotations

import os
import pickle
import time
from typing import Any

from .node_call import NodeOutcome, NodeTask, execute_node

STOP_CHECK_INTERVAL = 0.1
KEY_PREFIX = "pyflow-node-"  # every task key of ours starts so (see dask_scheduler)


class _StopFlag:
    """A ``threading.Event``-like view of a ``distributed.Event``, checked at most every
    ``STOP_CHECK_INTERVAL`` seconds so that a fast generator does not flood the scheduler."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._event = None
        self._set = False
        # The first check waits one interval: short generators never contact the scheduler.
        self._next_check = time.monotonic() + STOP_CHECK_INTERVAL

    def is_set(self) -> bool:
        if self._set:
            return True
        now = time.monotonic()
        if now < self._next_check:
            return False
        self._next_check = now + STOP_CHECK_INTERVAL
        try:
            if self._event is None:
                from distributed import Event

                self._event = Event(self._name)
            self._set = bool(self._event.is_set())
        except Exception:  # noqa: BLE001
            # The task was cancelled (it is cut off from the scheduler) or the scheduler is
            # gone: either way nobody will receive this node's values any more.
            self._set = True
        return self._set


def _dump_value(value: Any) -> bytes:
    try:
        import cloudpickle

        return cloudpickle.dumps(value)
    except Exception as exc:  # noqa: BLE001 — a value that cannot travel is shown as text
        return pickle.dumps(f"<partial value could not be sent: {type(exc).__name__}: {exc}>")


def stop_event_name(key: str) -> str:
    return f"pyflow-stop-{key}"


def run_node_on_worker(task: NodeTask, topic: str, run_id: str, key: str) -> NodeOutcome:
    """The dask task ``key``: run one node, publishing its start and partial values to
    ``topic``."""
    from distributed import get_worker

    worker = get_worker()
    if task.folder and os.path.isdir(task.folder) and task.folder != os.getcwd():
        os.chdir(task.folder)  # a worker on another machine without it stays where it is
    started = [run_id, task.node_id, key, worker.address, worker.nanny is not None]
    worker.log_event(topic, ["started", *started])

    def on_partial(value: Any, index: int) -> None:
        worker.log_event(topic, ["partial", run_id, task.node_id, index, _dump_value(value)])

    return execute_node(task, on_partial, _StopFlag(stop_event_name(key)))


def truncate_topic(topic: str, dask_scheduler=None) -> None:
    """Run on the scheduler: forget the topic's logged events (they hold partial values)."""
    broker = getattr(dask_scheduler, "_broker", None)
    if broker is not None:
        broker.truncate(topic)
