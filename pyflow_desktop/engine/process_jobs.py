"""A job: tasks a process-executor worker runs in order, sent in one message.

A job is one node, or a batch of quick nodes (the scheduler's). Before it is sent, the values
its tasks need from other workers are exported by their holders into shared memory
(``transfer``); the job carries the segments' names (``imports``), and the worker loads them.
The owner never maps a segment. Once the job ends, its segments are freed, and its worker is
one more holder of the values it imported.

What the worker says about the job's nodes becomes the executor's report messages (those of
one frame as one, ``("many", messages)``):
``("started", node)``, ``("partial", node, view, index)``, ``("done", node, outcome)`` (the
outcome's outputs are ``Handle``s) and ``("requeue", node)`` for a node the job did not run
after all (its worker died or was stopped running another node of the job, an input was no
longer there): the scheduler gives it another go, making lost inputs again first.

State (guarded by the pool's lock): ``left`` (node id → task, not reported done), ``running``
(the node the worker said it started last), ``sent``, ``closed`` (ended, failed or given
back), ``imports`` (key → segment), ``producers`` (key → the worker that exported it),
``waiting`` (exports not answered yet), ``missing`` (keys the worker said it lacked).
"""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any, cast

from .handles import Handle, Key, Linked
from .node_call import NodeOutcome, NodeTask
from .process_pool import WorkerPool
from .worker_proxy import MISSING, Worker

_ids = itertools.count(1)


def wire(task: NodeTask) -> tuple:
    """A task as a worker gets it: ``NodeTask``'s fields (a tuple pickles at a third of
    the cost)."""
    return (
        task.node_id,
        task.func_source,
        task.args,
        task.output_names,
        task.label,
        task.scope,
        task.folder,
        task.views,
    )


class Job:
    """Tasks for one worker (see the module's docstring)."""

    def __init__(self, tasks: list[NodeTask], report, pool: WorkerPool) -> None:
        self.id = next(_ids)
        self.tasks, self.report, self.pool = tasks, report, pool
        self.left = {task.node_id: task for task in tasks}
        self.running: str | None = None
        self.sent = self.closed = False
        self.worker: Worker | None = None
        self.imports: dict[Key, str] = {}
        self.producers: dict[Key, Worker] = {}
        self.waiting = 0
        self.missing: set[Key] = set()
        self.gathered: list | None = None  # messages held back to go as one (``gather``)

    def gather(self) -> None:
        """Hold back what the job reports until ``hand_over``: the items of one frame go to
        the scheduler as one message."""
        self.gathered = []

    def hand_over(self) -> None:
        gathered, self.gathered = self.gathered, None
        if gathered:
            self.report(gathered[0] if len(gathered) == 1 else ("many", gathered))

    def _tell(self, message: tuple) -> None:
        if self.gathered is None:
            self.report(message)
        else:
            self.gathered.append(message)

    def needs(self) -> dict[Key, Handle]:
        """The values its tasks take from other nodes' handles (not from each other)."""
        found: dict[Key, Handle] = {}
        for task in self.tasks:
            for arg in task.args:
                if type(arg) is Linked and arg.handle is not None and arg.key is not None:
                    found[arg.key] = arg.handle
        return found

    def begin(self, worker: Worker) -> None:
        """Have the values it lacks exported to ``worker``, then send it."""
        self.worker = worker
        needed = {key: h for key, h in self.needs().items() if worker not in h.holders}
        self.waiting = len(needed)
        if not needed:
            self._send()
        for key, handle in needed.items():
            self._export(key, handle)

    def _export(self, key: Key, handle: Handle) -> None:
        # the holders of this executor's handles are its workers
        holders = [cast(Worker, holder) for holder in handle.holders if holder.alive]
        if not holders:
            self._give_back()  # lost: its node is made again first
            return
        holders.sort(key=lambda holder: holder.busy)  # an idle one answers sooner
        producer = holders[0]
        producer.request("export", key, callback=partial(self._exported, key, handle, producer))

    def _exported(self, key: Key, handle: Handle, producer: Worker, ok: bool, answer: Any) -> None:
        if self.closed:
            if ok:
                self.pool.release_segment(answer[0], producer)
            return
        if ok:
            self.imports[key], self.producers[key] = answer[0], producer
            self.waiting -= 1
            if self.waiting == 0:
                self._send()
        elif answer == MISSING:
            if producer in handle.holders:
                handle.holders.remove(producer)
            producer.held.pop(key, None)
            self._export(key, handle)
        else:
            self._unsendable(key, answer)

    def _send(self) -> None:
        assert self.worker is not None, "a job is sent once it has begun in its worker"
        try:
            self.worker.send(("run", self.id, self.imports, [wire(task) for task in self.tasks]))
        except OSError:
            return  # the worker is gone: its death gives the job back
        except Exception as exc:  # noqa: BLE001 — an argument that does not pickle
            reason = f"{type(exc).__name__}: {exc}"
            for node_id in list(self.left):
                self._fail(node_id, f"its inputs cannot be sent to a worker process ({reason})")
            self._close()
            return
        self.sent = True

    def _unsendable(self, key: Key, error: str) -> None:
        """A value the job needs cannot be pickled: its direct consumers fail, saying so."""
        for task in self.tasks:
            for arg in task.args:
                if type(arg) is Linked and arg.key == key and task.node_id in self.left:
                    where = f"{arg.source}:{arg.source_port}"
                    self._fail(
                        task.node_id,
                        f"input {arg.port.name!r} cannot be sent between processes "
                        f"(from {where}: {error})",
                    )
        self._give_back()

    def take(self, item: list) -> None:
        """An item of the worker's about one of the job's nodes."""
        kind, node_id = item[0], item[1]
        if kind == "started":
            self.running = node_id
            self._tell(("started", node_id))
        elif kind == "partial":
            self._tell(("partial", node_id, item[3], item[2]))
        else:
            self._done(node_id, item[2])

    def _done(self, node_id: str, fields: dict) -> None:
        task = self.left.pop(node_id)
        worker = self.worker
        assert worker is not None, "only a job that has begun hears of its nodes"
        missing = fields.get("missing")
        if missing:
            for key in map(tuple, missing):
                self.missing.add(key)
                handle = worker.held.pop(key, None) or self.needs().get(key)
                if handle is not None and worker in handle.holders:
                    handle.holders.remove(worker)
            self._tell(("requeue", node_id))
            return
        outputs = {}
        held, scope = worker.held, task.scope
        for port, (view, size) in fields.get("outputs", {}).items():
            key = (scope, node_id, port)
            outputs[port] = held[key] = Handle(key, [worker], size, view)
        if len(fields) == 2 and outputs:  # the usual: outputs and time, nothing printed
            outcome = NodeOutcome(node_id, outputs, None, "", "", "", fields["elapsed"])
        else:
            get = fields.get
            outcome = NodeOutcome(
                node_id,
                outputs,
                get("error"),
                get("traceback", ""),
                get("stdout", ""),
                get("stderr", ""),
                get("elapsed", 0.0),
                get("error_line"),
            )
        self._tell(("done", node_id, outcome))

    def end(self) -> None:
        """The worker is done with the job: the values it imported are its too now."""
        worker = self.worker
        assert worker is not None, "only a job that has begun ends"
        for key, handle in self.needs().items():
            if key in self.imports and key not in self.missing and worker not in handle.holders:
                handle.holders.append(worker)
                worker.held[key] = handle
        self._give_back()

    def fail_running(self, error: str) -> None:
        """Fail the node the worker runs (its messages were forged); the rest go back."""
        node_id = self.running if self.running in self.left else next(iter(self.left), None)
        if node_id is not None:
            self._fail(node_id, error)

    def died(self, reason: str | None) -> None:
        """Its worker is gone: the node it ran fails for ``reason`` (none when we stopped
        it); the others go back to the scheduler."""
        if self.sent and reason is not None:
            self.fail_running(reason)
        self._give_back(free_worker=False)

    def stop(self, node_id: str) -> bool:
        """Take ``node_id`` out before the job is sent; ``False`` once it is (its worker must
        be stopped)."""
        if self.sent:
            return False
        task = self.left.pop(node_id, None)
        if task is not None:
            self.tasks.remove(task)
        if not self.left:
            self._close()
        return True

    def _fail(self, node_id: str, error: str) -> None:
        del self.left[node_id]
        self._tell(("done", node_id, NodeOutcome(node_id, error=error)))

    def _give_back(self, free_worker: bool = True) -> None:
        for node_id in self.left:
            self._tell(("requeue", node_id))
        self.left = {}
        self._close(free_worker)

    def _close(self, free_worker: bool = True) -> None:
        if self.closed:
            return
        self.closed = True
        for key, segment in self.imports.items():
            self.pool.release_segment(segment, self.producers[key])
        worker = self.worker
        if worker is None:
            return
        if worker.job is self:
            worker.job = None
            if free_worker:
                worker.next_job()
        elif self in worker.queue:
            worker.queue.remove(self)
