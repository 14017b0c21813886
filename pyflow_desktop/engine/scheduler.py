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
- ``keys``: node id → its cache key (``None`` when it has none), when a cache is used;
- ``fresh``: node id → a snapshot of the outputs it computed in this run, added to the
  cache when the run ends (so two identical nodes of one run both run: caching is across
  runs);
- ``errors``: node id → the message shown in the result's ``error``.

Executors report back through ``messages`` (a thread-safe queue); ``cancel()`` may be called
from any thread. Events reach the sink in the scheduler's thread, in decision order.
"""

from __future__ import annotations

import heapq
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from ..repository import ConversionError, convert_linked, convert_value
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
from .node_call import NodeOutcome, NodeTask
from .plan import Plan
from .result import RunResult, node_result

Sink = Callable[[RunEvent], None]
_CANCEL = ("cancel",)


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
    ) -> None:
        self.plan = plan
        self.executor = executor
        self.sink = sink
        self.timeout = timeout
        self.cache = cache
        self.keys: dict[str, str | None] = {}
        self.fresh: dict[str, bytes | None] = {}
        self.messages: queue.SimpleQueue = queue.SimpleQueue()
        self.cancelled = threading.Event()
        self.waiting: dict[str, int] = {}
        self.ready: list[tuple[tuple[int, int], str]] = []
        self.rank = _ranks(plan, first)
        self.in_flight: set[str] = set()
        self.running: dict[str, float] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.inputs: dict[str, list[Any]] = {}
        self.status: dict[str, str] = {}
        self.errors: dict[str, str | None] = {}

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
            self.waiting[node_id] = len(plan.nodes[node_id].upstream)
            self.status[node_id] = "pending"
            self.errors[node_id] = None
        for node_id in plan.order:
            if self.waiting[node_id] == 0:
                self._make_ready(node_id)
        self.executor.start(self.messages.put, self.cancelled)
        interrupted = False
        try:
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
        result = RunResult(
            flow_id=plan.flow.id,
            nodes=[
                node_result(
                    plan.nodes[n],
                    self._inputs_of(n),
                    self.outputs.get(n),
                    self.status[n],
                    self.errors[n],
                )
                for n in plan.order
            ],
            elapsed=time.perf_counter() - start,
        )
        self._emit(RunFinished, "", counts=result.counts(), elapsed=result.elapsed, ok=result.ok)
        if interrupted:
            raise KeyboardInterrupt
        return result

    def _inputs_of(self, node_id: str) -> list[Any]:
        if node_id in self.inputs:
            return self.inputs[node_id]
        return self._arguments(node_id)[0]

    def _loop(self) -> None:
        limit = self.executor.max_workers
        while self.ready or self.in_flight:
            if self.cancelled.is_set():
                self._cancel_all()
                return
            while self.ready and len(self.in_flight) < limit:
                self._dispatch(heapq.heappop(self.ready)[1])
            if not self.in_flight:
                continue
            try:
                message = self.messages.get(timeout=self._wait_time())
            except queue.Empty:
                self._expire_timeouts()
                continue
            self._handle(message)
            # Drain whatever else arrived, so bursts cost one wake-up.
            while not self.cancelled.is_set():
                try:
                    self._handle(self.messages.get_nowait())
                except queue.Empty:
                    break
            if self.timeout is not None:  # a node streaming partials never lets get() time out
                self._expire_timeouts()

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
        self._emit(NodeQueued, node_id)

    def _dispatch(self, node_id: str) -> None:
        planned = self.plan.nodes[node_id]
        args, problem = self._arguments(node_id)
        self.inputs[node_id] = args
        if problem:
            self._fail(node_id, problem, "", 0.0)
            return
        if self.cache is not None:
            key = self.keys[node_id] = self._key(node_id, args)
            outputs = self.cache.get(key)
            if outputs is not None:
                self.status[node_id] = "cached"
                self.outputs[node_id] = outputs
                self._emit(NodeCached, node_id, outputs=outputs)
                self._release_children(node_id)
                return
        self.status[node_id] = "running"
        self._emit(NodeStarted, node_id)
        if is_pass_through(planned.node):  # a subflow node: it hands on what its inside gave
            self.in_flight.add(node_id)
            self._finish(node_id, NodeOutcome(node_id, dict(zip(planned.output_names, args))))
            return
        self.executor.submit(
            NodeTask(
                node_id=node_id,
                func_source=planned.spec.func,
                args=args,
                output_names=list(planned.output_names),
                label=planned.spec.id,
            )
        )
        self.in_flight.add(node_id)  # timed from its "started" message, not from here

    def _arguments(self, node_id: str) -> tuple[list[Any], str | None]:
        """Positional arguments by port order: link, else manual value, else default.

        Every value is converted by the input's type (a linked one too, as the original
        did); a linked ``None`` falls back to the default. Returns the arguments and the
        first conversion problem; a link whose source has no value yet gives ``None`` (used
        to show what a skipped node would have received).
        """
        planned = self.plan.nodes[node_id]
        args: list[Any] = []
        problem = None
        for port in planned.inputs:
            link = planned.links.get(port.name)
            value = None
            if link is not None:
                value = self.outputs.get(link.source, {}).get(link.source_port)
            if value is not None and not port.typed:  # no declared type: taken as it is
                args.append(value)
            elif value is not None:
                try:
                    args.append(convert_linked(value, port.type))
                except ConversionError as exc:
                    args.append(value)
                    problem = problem or f"input {port.name!r} {exc} (from {link.source_ref})"
            else:
                raw = (
                    port.default
                    if link is not None
                    else planned.values.get(port.name, port.default)
                )
                try:
                    args.append(convert_value(raw, port.type))
                except ConversionError as exc:
                    args.append(raw)
                    problem = problem or f"input {port.name!r}: {exc}"
        return args, problem

    def _key(self, node_id: str, args: list[Any]) -> str | None:
        planned = self.plan.nodes[node_id]
        return node_key(planned, key_parts(planned, self.keys, args.__getitem__))

    def _release_children(self, node_id: str) -> None:
        for child in self.plan.nodes[node_id].downstream:
            self.waiting[child] -= 1
            if self.waiting[child] == 0 and self.status[child] == "pending":
                self._make_ready(child)

    def _finish(self, node_id: str, outcome: NodeOutcome) -> None:
        if node_id not in self.in_flight:
            return  # timed out or cancelled earlier; its late result is ignored
        self.in_flight.discard(node_id)
        self.running.pop(node_id, None)
        if outcome.ok:
            self.status[node_id] = "success"
            self.outputs[node_id] = outcome.outputs
            if self.cache is not None:
                self.fresh[node_id] = self.cache.freeze(outcome.outputs)
            self._emit(
                NodeFinished,
                node_id,
                outputs=outcome.outputs,
                elapsed=outcome.elapsed,
                stdout=outcome.stdout,
                stderr=outcome.stderr,
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
