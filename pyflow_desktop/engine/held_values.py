"""Dispatching nodes whose values stay in worker processes (``Executor.holds_values``).

The ``Scheduler`` is a ``HeldValues``: with such an executor its ``outputs`` hold
``Handle``s, not values. A node's arguments are resolved in two halves: the owner converts
its typed-in values (``manual_argument``) and passes each linked value as a ``Linked`` (the
value's key and the port that takes it), which the worker converts where the value is.

- **Batches** (``Executor.batches``): a node whose spec was quick earlier in the run (as
  the thread executor runs inline) goes with the quick nodes that follow from it, and the
  quick ready nodes whose inputs are in the same worker, as one job: each task names the
  key of the value an earlier task of the job makes. The nodes that follow are ``boarded``:
  they stay pending, and are told queued and started once the nodes before them end (in
  ``_make_ready``), so every node's events come in the order they would otherwise.
- **Lost values**: a handle no live worker holds (its worker died, or dropped it under its
  memory budget) is made again by running its node again when a node needs it (as Dask
  recomputes lost keys), recursively. ``awaiting`` (node id → the nodes waiting for it to
  be made again) releases just those when it is; ``remade`` counts how often a node's
  values had to be made again, and a value lost ``MAX_REMAKES`` times fails its consumer.
- A job takes one worker: the scheduler counts it once against ``max_workers``
  (``Ledger.extra``).

``run_id`` scopes the outputs of a run's nodes that have no cache key (a node's cache key is
its scope when the run caches, so a cached result is a key in a worker's store). The state
these use is the ``Ledger``'s.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from typing import Any

from .call_convention import manual_argument
from .events import NodeStarted
from .executor import Executor
from .handles import Handle, Linked
from .ledger import Ledger
from .node_call import NodeOutcome, NodeTask
from .plan import PlannedNode

BATCH_SECONDS = 0.05  # expected time of a job of quick nodes at most: events come this late
BATCH_NODES = 5000  # nodes in a job at most
CHUNK = 256  # tasks sent at once: the worker starts on them while the next ones are made
MAX_REMAKES = 3
_LOOK_AHEAD = 64  # ready nodes passed over, at most, looking for a job's other quick nodes


class HeldValues(Ledger):
    """The ``Scheduler``'s half for values held in workers; see the module's docstring."""

    # set by the ``Scheduler``
    executor: Executor
    folder: str | None

    def _requeue(self, node_id: str) -> None:
        """The executor gives a node back, not run: it goes again once its inputs are there."""
        if node_id not in self.in_flight:
            return
        self._leave(node_id)
        self.running.pop(node_id, None)
        if self.status[node_id] != "pending":  # a boarded node not released stays pending
            self._make_ready(node_id)

    def _dispatch_held(self, node_id: str) -> None:
        planned = self.plan.nodes[node_id]
        args, lost, problem = self._held_arguments(planned)
        if problem:
            self.inputs[node_id] = args
            self._fail(node_id, problem, "", 0.0)
            return
        if lost:
            self._make_again(node_id, lost)
            return
        self.inputs[node_id] = args
        if self.lookups and self._from_cache(node_id, args, _handle_views):
            return
        self.status[node_id] = "running"
        if planned.passing:  # a subflow node hands on what its inside gave
            handed = [arg.handle if type(arg) is Linked else Handle.local(arg) for arg in args]
            self._settle(node_id, NodeOutcome(node_id, dict(zip(planned.output_names, handed))))
            return
        task = self._task(node_id, args)
        quick = self.cost.get(planned.spec.func, 1.0) < self.inline_below
        if self.sink is not None and not (self.brief and quick):
            self.sink(NodeStarted(node_id))
        if not (quick and self.executor.batches):
            self.in_flight.add(node_id)
            self.executor.submit(task)
            return
        members: set[str] = set()  # one job's worth of a worker, however many chunks
        for index, chunk in enumerate(self._batch(task)):
            for each in chunk:
                self.in_flight.add(each.node_id)
                self.batch_of[each.node_id] = members
                members.add(each.node_id)
            self.executor.submit_batch(chunk, follows=index > 0)
        self.extra += len(members) - 1
        if len(members) == 1:
            del self.batch_of[node_id]

    def _task(self, node_id: str, args: list[Any]) -> NodeTask:
        planned = self.plan.nodes[node_id]
        return NodeTask(
            node_id,
            planned.spec.func,
            args,
            planned.output_names,
            planned.spec.id,
            self.keys.get(node_id) or self.run_id,
            self.folder,
            self.sink is not None,
            self.cost.get(planned.spec.func),
        )

    def _held_arguments(
        self, planned: PlannedNode, made: dict[str, str] | None = None
    ) -> tuple[list[Any], list[str], str | None]:
        """The owner's half of a node's arguments, the nodes whose values it needs are lost,
        and the first conversion problem. ``made`` (node id → scope): nodes of the job being
        built, whose values are made before this one runs."""
        args: list[Any] = []
        lost: list[str] = []
        problem = None
        for port in planned.inputs:
            link = planned.links.get(port.name)
            if link is None:
                arg, found = manual_argument(planned.values.get(port.name, port.default), port)
                problem = problem or found
            elif made is not None and link.source in made:
                key = (made[link.source], link.source, link.source_port)
                arg = Linked(key, port, link.source, link.source_port)
            else:
                source = self.outputs.get(link.source)
                handle = source.get(link.source_port) if source is not None else None
                if handle is None:
                    handle = Handle.local(None)
                elif not handle.available:
                    lost.append(link.source)
                arg = Linked(handle.key, port, link.source, link.source_port, handle)
            args.append(arg)
        return args, lost, problem

    def _make_again(self, node_id: str, lost: list[str]) -> None:
        """``node_id`` needs values that are lost: it waits while their nodes run again."""
        sources = set(lost)
        for source in sources:
            self.remade[source] = self.remade.get(source, 0) + 1
            if self.remade[source] > MAX_REMAKES:
                self._fail(
                    node_id,
                    f"its input from {source!r} was lost {MAX_REMAKES} times (its worker "
                    "process ended, or let it go under its memory budget)",
                    "",
                    0.0,
                )
                return
        self.status[node_id] = "pending"
        self.waiting[node_id] = len(sources)
        for source in sources:
            self.awaiting.setdefault(source, set()).add(node_id)
            if self.status[source] in ("success", "cached"):  # not being made again already
                self.status[source] = "pending"
                self._make_ready(source)

    def _batch(self, first: NodeTask) -> Iterator[list[NodeTask]]:
        """``first`` and the quick nodes that can go with it (see the module's docstring),
        in chunks of ``CHUNK`` tasks: each goes to the worker as soon as it is made."""
        tasks = [first]
        made = {first.node_id: first.scope}
        spent = first.expected or 0.0
        home = _home(first)
        passed: list[tuple[int, str]] = []
        sent = 0
        while self.ready and len(passed) < _LOOK_AHEAD and len(tasks) < BATCH_NODES:
            item = heapq.heappop(self.ready)
            task = None if spent > BATCH_SECONDS else self._quick_task(item[1], None)
            if task is None or _home(task) is not home:
                passed.append(item)
                continue
            self.status[task.node_id] = "running"
            if self.sink is not None and not self.brief:
                self.sink(NodeStarted(task.node_id))
            tasks.append(task)
            made[task.node_id] = task.scope
            spent += task.expected or 0.0
            if len(tasks) - sent >= CHUNK:
                yield tasks[sent:]
                sent = len(tasks)
        for item in passed:
            heapq.heappush(self.ready, item)
        index = 0
        nodes, status = self.plan.nodes, self.status
        while index < len(tasks) and len(tasks) < BATCH_NODES and spent <= BATCH_SECONDS:
            if len(tasks) - sent >= CHUNK:
                yield tasks[sent:]
                sent = len(tasks)
            for child in nodes[tasks[index].node_id].downstream:
                if child in made or status[child] != "pending":
                    continue
                for up in nodes[child].upstream:  # (a loop: all() over a generator costs more)
                    if up not in made and status[up] not in ("success", "cached"):
                        break
                else:
                    task = self._quick_task(child, made)
                    if task is not None:
                        tasks.append(task)
                        made[child] = task.scope
                        spent += task.expected or 0.0
            index += 1
        if sent < len(tasks):
            yield tasks[sent:]

    def _quick_task(self, node_id: str, made: dict[str, str] | None) -> NodeTask | None:
        """The task of a quick node that can join a job (its inputs there or made by the
        job, no problem, no cached result), else ``None``."""
        planned = self.plan.nodes[node_id]
        if planned.passing:
            return None
        if self.cost.get(planned.spec.func, 1.0) >= self.inline_below:
            return None
        args, lost, problem = self._held_arguments(planned, made)
        if lost or problem:
            return None
        if self.cache is not None and node_id not in self.misses:  # (a miss is keyed already)
            key = self.known.get(node_id) or self._key(node_id, args)
            if key is not None and self.cache.get(key) is not None:
                return None
            self.keys[node_id] = key
        self.inputs[node_id] = args
        return self._task(node_id, args)


def _handle_views(handles: Mapping[str, Any]) -> dict[str, Any]:
    """Output port → the view its handle carries."""
    return {port: handle.view for port, handle in handles.items()}


def _home(task: NodeTask) -> Any:
    """The worker holding the most bytes of the task's inputs (``None``: it needs none)."""
    best, size = None, -1
    for arg in task.args:
        handle = arg.handle if type(arg) is Linked else None
        if handle is not None and handle.holders and handle.size > size:
            best, size = handle.holders[0], handle.size
    return best
