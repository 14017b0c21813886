"""The one scheduling algorithm every executor shares (Kahn's, with a ready queue).

The scheduler runs on the thread that calls ``Scheduler.run``; it alone touches this state:

- ``waiting``: node id → number of upstream nodes not yet finished;
- ``ready``: a heap of ``(rank, node id)`` whose inputs are all available; the rank puts
  nodes the user watches (``first``) and their ancestors before the others, then plan order;
- ``in_flight``: the nodes handed to the executor and not finished;
- ``running``: node id → ``perf_counter`` time its executor reported it started (a node may
  wait in the executor first, e.g. for a Dask worker): ``timeout`` counts from here;
- ``outputs``: node id → its output values, once it succeeded;
- ``inputs``: node id → the argument values it was (or would have been) called with;
- ``status``: node id → pending | queued | running | success | cached | fail | skip |
  cancelled;
- ``keys``: node id → its cache key (``None`` when it has none), when a cache is used, and
  ``digests`` (spec id → what the spec gives its nodes' keys); ``known``: the keys the caller
  gave, as ``plan_keys`` makes them (a window has them already): those are not made again;
- ``fresh``: node id → a snapshot of the outputs it computed in this run, added to the
  cache when the run ends (so two identical nodes of one run both run: caching is across
  runs);
- ``errors``: node id → the message shown in the result's ``error``;
- ``cost``: a spec's function source → the seconds its last node took to run.

A node whose function ran in less than ``INLINE_BELOW`` last time is not handed to an
executor that allows it (``Executor.inline``: the thread executor) but run right here, on
the scheduler's thread: a hand-off to a worker thread and back costs ten times what a
trivial node does. Nodes that take time, and those never measured, go to the executor, so
they run in parallel; an inline node takes a slot of ``max_workers`` while it runs, and one
that turns out slow sends its spec's next nodes back to the executor. Between inline nodes
the scheduler handles what executors reported, so a long streak never delays them.

``brief=True`` (a window's runs): a node expected to run inline reports only how it ended
(and its partial values), not that it was queued and started, states that last
microseconds and that a window cannot show; they were two of its three events.

Executors report back through ``messages`` (a thread-safe queue); ``cancel()`` may be called
from any thread. Events reach the sink in the scheduler's thread, in decision order.
"""

from __future__ import annotations

import heapq
import queue
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from functools import partial
from typing import Any

from .cache import ResultCache, key_parts, node_key
from .events import (
    NodeCached,
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeOutput,
    NodeQueued,
    NodeSkipped,
    NodeStarted,
    RunEvent,
    RunFinished,
)
from .executor import Executor
from .flatten import is_pass_through
from .inputs import call_arguments
from .node_call import NodeOutcome, NodeTask, execute_node
from .pacing import Pacer, paced
from .plan import Plan
from .result import RunResult, node_row

Sink = Callable[[RunEvent], None]
_CANCEL = ("cancel",)
INLINE_BELOW = 0.0005  # seconds: a node quicker than this last time runs inline
_STREAK = 0.02  # seconds of inline nodes between two looks at the timeouts


class Scheduler:
    """Runs a ``Plan`` on an ``Executor`` once; create a new one per run."""

    def __init__(
        self,
        plan: Plan,
        executor: Executor,
        sink: Sink | None = None,
        timeout: float | None = None,
        cache: ResultCache | None = None,
        first: Iterable[str] = (),
        gate: threading.Event | None = None,
        brief: bool = False,
        keys: dict[str, str | None] | None = None,
    ) -> None:
        """``gate``: a window's, which paces the run (``pacing``); ``brief``: see above;
        ``keys``: ``plan_keys(plan)``, when the caller has made it."""
        self.plan = plan
        self.brief = brief and executor.inline
        self.pacer = Pacer(gate) if gate is not None else None
        self.executor = executor
        self.sink = sink
        self.timeout = timeout
        self.cache = cache
        self.keys: dict[str, str | None] = {}
        self.known = keys or {}
        self.digests: dict[str, str] = {}  # spec id → the part of its nodes' keys it gives
        self.fresh: dict[str, bytes | None] = {}
        self.messages: queue.SimpleQueue = queue.SimpleQueue()
        self.cancelled = threading.Event()
        self.waiting = {node_id: len(plan.nodes[node_id].upstream) for node_id in plan.order}
        self.ready: list[tuple[tuple[int, int], str]] = []
        self.rank = _ranks(plan, first)
        self.in_flight: set[str] = set()
        self.running: dict[str, float] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.inputs: dict[str, list[Any]] = {}
        self.status: dict[str, str] = dict.fromkeys(plan.order, "pending")
        self.errors: dict[str, str | None] = dict.fromkeys(plan.order)
        self.cost: dict[str, float] = {}

    def cancel(self) -> None:
        """Stop the run: queued nodes are cancelled at once, running ones as they can be."""
        self.cancelled.set()
        self.messages.put(_CANCEL)

    def _emit(self, event_type: type[RunEvent], node: str, **fields: Any) -> None:
        if self.sink is not None:
            self.sink(event_type(node, **fields))

    def run(self) -> RunResult:
        start = time.perf_counter()
        plan = self.plan
        for node_id in plan.order:
            if self.waiting[node_id] == 0:
                self._make_ready(node_id)
        self.executor.start(self.messages.put, self.cancelled)
        interrupted = False
        try:
            with paced() if self.pacer is not None else nullcontext():
                self._loop()
        except KeyboardInterrupt:  # Ctrl+C: a stopped run, reported to the end, then re-raised
            interrupted = True
            self.cancelled.set()
            self._cancel_all()
        except BaseException:  # a bug: stop what runs before giving up
            for node_id in list(self.in_flight):
                self.executor.stop_node(node_id)
            raise
        finally:
            self.executor.close()
            for node_id, outputs in self.fresh.items():  # reused by later runs, not this one
                self.cache.put(self.keys.get(node_id), outputs)
        row = partial(node_row, plan, self.inputs, self.outputs, self.status, self.errors)
        result = RunResult(plan.flow.id, self.status, time.perf_counter() - start, row)
        if self.sink is not None:  # counting every node's status is work for a listener only
            self.sink(RunFinished("", counts=result.counts(), elapsed=result.elapsed, ok=result.ok))
        if interrupted:
            raise KeyboardInterrupt
        return result

    def _loop(self) -> None:
        limit = self.executor.max_workers
        messages = self.messages
        while self.ready or self.in_flight:
            if self.cancelled.is_set():
                self._cancel_all()
                return
            self._dispatch_ready(limit)
            can_dispatch = self.ready and len(self.in_flight) < limit
            if not self.in_flight and not can_dispatch and messages.empty():
                continue
            try:  # with nodes still to dispatch, only look at what has arrived
                message = (
                    messages.get_nowait()
                    if can_dispatch
                    else messages.get(timeout=self._wait_time())
                )
            except queue.Empty:
                if self.timeout is not None:
                    self._expire_timeouts()
                continue
            self._handle(message)
            # Drain whatever else arrived, so bursts cost one wake-up.
            while not self.cancelled.is_set():
                try:
                    self._handle(messages.get_nowait())
                except queue.Empty:
                    break
            if self.timeout is not None:  # a node streaming partials never lets get() time out
                self._expire_timeouts()

    def _dispatch_ready(self, limit: int) -> None:
        """Dispatch ready nodes while workers are free, until executors report something or
        a streak of inline nodes has run for ``_STREAK`` seconds."""
        ready, in_flight, messages, pacer = self.ready, self.in_flight, self.messages, self.pacer
        if pacer is not None and not pacer.may_go():
            return
        until = time.perf_counter() + _STREAK
        while ready and len(in_flight) < limit and messages.empty():
            self._dispatch(heapq.heappop(ready)[1])
            now = time.perf_counter()
            if now > until or (pacer is not None and now > pacer.due and not pacer.may_go()):
                return

    def _wait_time(self) -> float | None:
        if self.timeout is None or not self.running:
            return None
        oldest = min(self.running.values())
        return max(0.0, oldest + self.timeout - time.perf_counter())

    def _handle(self, message: tuple) -> None:
        kind = message[0]
        if kind == "done":
            self._finish(message[1], message[2])
        elif kind == "started" and message[1] in self.in_flight:
            self.running.setdefault(message[1], time.perf_counter())  # a rerun keeps its start
        elif kind == "partial" and message[1] in self.in_flight:
            self._emit(NodeOutput, message[1], value=message[2], index=message[3])

    def _make_ready(self, node_id: str) -> None:
        self.status[node_id] = "queued"
        heapq.heappush(self.ready, (self.rank[node_id], node_id))
        if self.sink is not None and not (
            self.brief and self.cost.get(self.plan.nodes[node_id].spec.func, 1.0) < INLINE_BELOW
        ):  # a brief run does not tell that a node it is to run inline was queued
            self.sink(NodeQueued(node_id))

    def _dispatch(self, node_id: str) -> None:
        planned = self.plan.nodes[node_id]
        args, problem = call_arguments(planned, self.outputs)
        self.inputs[node_id] = args
        if problem:
            self._fail(node_id, problem, "", 0.0)
            return
        if self.cache is not None:
            key = self.keys[node_id] = self.known.get(node_id) or self._key(node_id, args)
            outputs = self.cache.get(key)
            if outputs is not None:
                self.status[node_id] = "cached"
                self.outputs[node_id] = outputs
                self._emit(NodeCached, node_id, outputs=outputs)
                self._release_children(node_id)
                return
        self.status[node_id] = "running"
        passing = is_pass_through(planned.node)
        inline = self.executor.inline and self.cost.get(planned.spec.func, 1.0) < INLINE_BELOW
        if self.sink is not None and not (self.brief and (inline or passing)):
            self.sink(NodeStarted(node_id))
        if passing:  # a subflow node: it hands on what its inside gave
            self._settle(node_id, NodeOutcome(node_id, dict(zip(planned.output_names, args))))
            return
        task = NodeTask(node_id, planned.spec.func, args, planned.output_names, planned.spec.id)
        if inline:
            self._run_inline(task)
        else:
            self.executor.submit(task)
            self.in_flight.add(node_id)  # timed from its "started" message, not from here

    def _run_inline(self, task: NodeTask) -> None:
        """Run a node known to be quick on this thread, as its executor would have."""
        node_id = task.node_id
        sink = self.sink

        def on_partial(value: Any, index: int) -> None:
            sink(NodeOutput(node_id, value=value, index=index))

        outcome = execute_node(task, None if sink is None else on_partial, self.cancelled)
        self.cost[task.func_source] = outcome.elapsed
        if self.timeout is not None and outcome.elapsed >= self.timeout:
            outcome = NodeOutcome(
                node_id, error=f"timed out after {self.timeout:g} s", elapsed=outcome.elapsed
            )
        self._settle(node_id, outcome)

    def _key(self, node_id: str, args: list[Any]) -> str | None:
        planned = self.plan.nodes[node_id]
        return node_key(planned, key_parts(planned, self.keys, args.__getitem__), self.digests)

    def _release_children(self, node_id: str) -> None:
        waiting, status = self.waiting, self.status
        for child in self.plan.nodes[node_id].downstream:
            waiting[child] -= 1
            if waiting[child] == 0 and status[child] == "pending":
                self._make_ready(child)

    def _finish(self, node_id: str, outcome: NodeOutcome) -> None:
        if node_id not in self.in_flight:
            return  # timed out or cancelled earlier; its late result is ignored
        self.in_flight.discard(node_id)
        self.running.pop(node_id, None)
        self.cost[self.plan.nodes[node_id].spec.func] = outcome.elapsed
        self._settle(node_id, outcome)

    def _settle(self, node_id: str, outcome: NodeOutcome) -> None:
        """Record a node's outcome and release (or skip) what depends on it."""
        if outcome.ok:
            self.status[node_id] = "success"
            self.outputs[node_id] = outcome.outputs
            if self.cache is not None:
                self.fresh[node_id] = self.cache.freeze(outcome.outputs)
            if self.sink is not None:
                self.sink(  # outputs, elapsed, stdout, stderr: by position, which costs less
                    NodeFinished(
                        node_id, outcome.outputs, outcome.elapsed, outcome.stdout, outcome.stderr
                    )
                )
            self._release_children(node_id)
        elif self.cancelled.is_set():
            self._cancel(node_id)
        else:
            self._fail(
                node_id,
                outcome.error or "failed",
                outcome.traceback,
                outcome.elapsed,
                outcome.stdout,
                outcome.stderr,
            )

    def _fail(
        self,
        node_id: str,
        error: str,
        trace: str,
        elapsed: float,
        stdout: str = "",
        stderr: str = "",
    ) -> None:
        self.status[node_id] = "fail"
        self.errors[node_id] = error
        self._emit(
            NodeFailed,
            node_id,
            error=error,
            traceback=trace,
            elapsed=elapsed,
            stdout=stdout,
            stderr=stderr,
        )
        self._skip_descendants(node_id)

    def _skip_descendants(self, failed: str) -> None:
        name = self.plan.nodes[failed].node.name
        reason = f"skipped: upstream node {failed!r}{f' ({name})' if name else ''} failed"
        stack = list(self.plan.nodes[failed].downstream)
        while stack:
            node_id = stack.pop()
            if self.status[node_id] != "pending":
                continue
            self.status[node_id] = "skip"
            self.errors[node_id] = reason
            self._emit(NodeSkipped, node_id, reason=reason, failed_ancestor=failed)
            stack.extend(self.plan.nodes[node_id].downstream)

    def _expire_timeouts(self) -> None:
        now = time.perf_counter()
        for node_id, started in list(self.running.items()):
            if now - started >= self.timeout:
                self.in_flight.discard(node_id)
                del self.running[node_id]
                self.cost[self.plan.nodes[node_id].spec.func] = now - started
                stopped = self.executor.stop_node(node_id)
                note = (
                    ""
                    if stopped
                    else " (a thread cannot be killed: it may go on in the background)"
                )
                self._fail(node_id, f"timed out after {self.timeout:g} s{note}", "", now - started)

    def _cancel(self, node_id: str) -> None:
        self.status[node_id] = "cancelled"
        self.errors[node_id] = "cancelled: the run was stopped"
        self._emit(NodeCancelled, node_id)

    def _cancel_all(self) -> None:
        for node_id in list(self.in_flight):
            self.executor.stop_node(node_id)
        self.in_flight.clear()
        self.running.clear()
        for node_id in self.plan.order:  # "running" too: one may be caught mid-dispatch
            if self.status[node_id] in ("pending", "queued", "running"):
                self._cancel(node_id)
        self.ready.clear()


def _ranks(plan: Plan, first: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Dispatch order among ready nodes: ancestors of ``first`` (and they) come first."""
    watched: set[str] = set()
    stack = [node_id for node_id in first if node_id in plan.nodes]
    while stack:
        node_id = stack.pop()
        if node_id not in watched:
            watched.add(node_id)
            stack.extend(plan.nodes[node_id].upstream)
    return {
        node_id: (0 if node_id in watched else 1, position)
        for position, node_id in enumerate(plan.order)
    }
