"""What runs on a Dask worker (and scheduler) for ``DaskExecutor``: one node per task.

A task runs ``run_node_on_worker``: it tells the client through the cluster's event broker,
under the run's topic, that the node started (and on which worker, with or without a nanny),
then sends each partial value's view the same way, and the node's outcome with its outputs'
views, in the run's folder when the worker has it; its outputs stay on the worker
(``dask_values``). Views and outcomes go as the process executor's worker frames
(``worker_messages``: msgpack, read by the client with ``parse_frame``), which keep JSON's
lists lists where dask's own messages would make them tuples. A ``_StopFlag`` polls the
node's ``distributed.Event`` so that a streaming generator stops at its next ``yield`` once
the client asks.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from .dask_values import node_meta, resolve_arguments
from .node_call import NodeOutcome, NodeTask, execute_node
from .views import make_view
from .worker_messages import pack_frame

if TYPE_CHECKING:  # a worker has distributed; the owner imports this module without it
    from distributed import Event

STOP_CHECK_INTERVAL = 0.1
KEY_PREFIX = "pyflow-node-"  # every task key of ours starts so (see dask_scheduler)


class _StopFlag:
    """A ``threading.Event``-like view of a ``distributed.Event``, checked at most every
    ``STOP_CHECK_INTERVAL`` seconds so that a fast generator does not flood the scheduler."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._event: Event | None = None
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


def stop_event_name(key: str) -> str:
    return f"pyflow-stop-{key}"


def run_node_on_worker(
    task: NodeTask, topic: str, run_id: str, key: str, inputs: dict[str, dict]
) -> dict[str, Any]:
    """The dask task ``key``: run one node on the values of ``inputs`` (node id → its
    outputs, resolved by dask from their futures), publishing to ``topic`` its start, the
    views of its partial values and its ``meta`` (``dask_values``); returns its outputs,
    which stay on the cluster."""
    from distributed import get_worker

    worker = get_worker()
    if task.folder and os.path.isdir(task.folder) and task.folder != os.getcwd():
        os.chdir(task.folder)  # a worker on another machine without it stays where it is
    started = [run_id, task.node_id, key, worker.address, worker.nanny is not None]
    worker.log_event(topic, ["started", *started])
    args, problem = resolve_arguments(task.args, inputs)
    if problem:
        outcome = NodeOutcome(task.node_id, error=problem)
    else:

        def on_partial(value: Any, index: int) -> None:
            frame = pack_frame([["partial", task.node_id, index, make_view(value)]])
            worker.log_event(topic, ["partial", run_id, task.node_id, index, frame])

        call = NodeTask(task.node_id, task.func_source, args, task.output_names, task.label)
        stop = _StopFlag(stop_event_name(key))
        outcome = execute_node(call, on_partial if task.views else None, stop)
    frame = pack_frame([["done", task.node_id, node_meta(outcome, task.views)]])
    worker.log_event(topic, ["done", run_id, task.node_id, key, frame])  # before the result
    return outcome.outputs


def truncate_topic(topic: str, dask_scheduler=None) -> None:
    """Run on the scheduler: forget the topic's logged events (they hold partial values)."""
    broker = getattr(dask_scheduler, "_broker", None)
    if broker is not None:
        broker.truncate(topic)
