"""The one scheduling algorithm every executor shares (Kahn's, with a ready queue).

The scheduler's loop runs on a thread of its own, watched by the thread that calls
``Scheduler.run`` (``watchdog``); one loop thread at a time touches the run's state, which
``ledger`` describes (a ``Scheduler`` is a ``Ledger``), and ``messages`` (what executors
reported, a thread-safe queue) is read by it alone.

A node whose function ran in less than ``INLINE_BELOW`` last time is not handed to an
executor that allows it (``Executor.inline``: the thread executor) but run right here, on
the loop's thread: a hand-off to a worker thread and back costs ten times what a trivial
node does. Nodes that take time, and those never measured, go to the executor, so they run
in parallel; an inline node takes a slot of ``max_workers`` while it runs, and one that
turns out slow sends its spec's next nodes back to the executor. Between inline nodes the
scheduler handles what executors reported, so a long streak never delays them. When the
loop is needed while a node runs inline (a timeout, Stop), the watchdog leaves the node its
thread, as a node in flight, and the loop goes on on another thread.

``brief=True`` (a window's runs): a node expected to run inline reports only how it ended
(and its partial values), not that it was queued and started, states that last
microseconds and that a window cannot show (two of the three events a node reports).

Executors report back through ``messages``; ``cancel()`` may be called from any thread.
Events reach the sink one at a time, in decision order, from the loop's thread
(``RunFinished`` from the thread that called ``run``, once the loop ended). An executor is
started and closed on the thread that calls ``run``, and given nodes on the loop's.
"""

from __future__ import annotations

import heapq
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from functools import partial
from typing import Any

from .cache import ResultCache
from .call_convention import call_arguments
from .events import NodeOutput, NodeStarted, RunFinished
from .executor import Executor
from .folder import working_folder
from .held_values import HeldValues
from .ledger import Ledger, Sink
from .node_call import NodeOutcome, NodeTask, execute_node
from .pacing import Pacer, paced
from .plan import Plan
from .result import Rows, RunResult
from .views import Views, make_view
from .watchdog import HandedOver, InlineStop, Watchdog

_CANCEL = ("cancel",)
INLINE_BELOW = 0.0005  # seconds: a node quicker than this last time runs inline
_STREAK = 0.02  # seconds of inline nodes between two looks at the timeouts
_UNKILLABLE = " (a thread cannot be killed: it may go on in the background)"


class Scheduler(HeldValues, Ledger):
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
        folder: str | None = None,
        keys: dict[str, str | None] | None = None,
    ) -> None:
        """``gate``: a window's, which paces the run (``pacing``); ``brief``: see above;
        ``folder``: where nodes run (``folder``; ``None``: where they are); ``keys``:
        ``plan_keys(plan)``, when the caller has made it (a window has): the nodes that have
        one are not hashed again."""
        brief = brief and (executor.inline or executor.batches)
        super().__init__(plan, sink, cache, first, brief, INLINE_BELOW, executor.holds_values)
        self.folder = folder
        self.known = keys or {}
        # Those will miss (what this run makes goes in at its end): not looked up, keyed now.
        self.misses: set[str] = set()
        if cache is not None:
            self.misses = cache.misses(self.known)
            self.keys.update(self.known)  # (a node without one gets one from its values)
        self.lookups = cache is not None and len(self.misses) < len(plan)
        self.pacer = Pacer(gate) if gate is not None else None
        self.executor = executor
        self.timeout = timeout
        self.messages: queue.SimpleQueue = queue.SimpleQueue()
        self.watchdog = Watchdog(
            self._run_loop, self.cancelled, timeout, self.running, self._interrupt
        )
        self._stop = InlineStop(self.watchdog, self.in_flight)  # see ``_run_loop``
        self._teller: Callable[[Any, int], None] | None = None
        self._interrupted = False

    def cancel(self) -> None:
        """Stop the run: queued nodes are cancelled at once, running ones as they can be."""
        self.cancelled.set()
        self.messages.put(_CANCEL)
        self.watchdog.wake.set()

    def _interrupt(self) -> None:
        """Ctrl+C: the run stops, is reported to its end, and ``run`` raises it again."""
        self._interrupted = True
        self.cancel()

    def run(self) -> RunResult:
        start = time.perf_counter()
        plan = self.plan
        self.executor.start(self.messages.put, self.cancelled)
        try:
            with (
                paced() if self.pacer is not None else nullcontext(),
                working_folder(self.folder if self.executor.runs_here else None),
            ):
                self.watchdog.watch()
        finally:
            self._teller = None  # it holds this scheduler: a run is freed without the collector
            self.executor.close()
            if self.cache is not None:  # what this run made is for later runs, not this one
                self.cache.put_many(self.fresh)
        rows = Rows(plan, self.inputs, self.outputs, self.status, self.errors)
        result = RunResult(plan.flow.id, self.status, time.perf_counter() - start, rows)
        if self.held:  # a run's own values go when its result does (cached ones stay)
            weakref.finalize(result, self.executor.release, self.run_id)
        if self.sink is not None:  # counting every node's status is work for a listener only
            self.sink(RunFinished("", counts=result.counts(), elapsed=result.elapsed, ok=result.ok))
        if self._interrupted:
            raise KeyboardInterrupt
        return result

    def _run_loop(self, adopted: tuple[str, float] | None) -> None:
        """The loop, on a loop thread; ``adopted``: the inline node handed over, to take in
        first (see ``watchdog``)."""
        # Each loop thread has a stop flag of its own: one handed over keeps what it had; and
        # a teller of its inline nodes' partial values, who asks that flag which node runs.
        self._stop = InlineStop(self.watchdog, self.in_flight)
        self._teller = None if self.sink is None else partial(self._tell_partial, self._stop)
        try:
            if adopted is None:  # the first loop thread
                for node_id in self.plan.order:
                    if self.waiting[node_id] == 0:
                        self._make_ready(node_id)
            else:
                self._take_in(*adopted)
            self._loop()
        except HandedOver:
            raise
        except KeyboardInterrupt:  # raised by the sink: as Ctrl+C
            self._interrupted = True
            self.cancelled.set()
            self._cancel_all()
        except BaseException:  # a bug: stop what runs before giving up
            for node_id in list(self.in_flight):
                self.executor.stop_node(node_id)
            raise

    def _loop(self) -> None:
        limit = self.executor.max_workers
        messages = self.messages
        while self.ready or self.in_flight:
            if self.cancelled.is_set():
                self._cancel_all()
                return
            self._dispatch_ready(limit)
            can_dispatch = self.ready and len(self.in_flight) - self.extra < limit
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
            self._drain()
            if self.timeout is not None:  # a node streaming partials never lets get() time out
                self._expire_timeouts()

    def _drain(self) -> None:
        """Handle whatever else arrived, so bursts cost one wake-up."""
        messages = self.messages
        while not self.cancelled.is_set():
            try:
                self._handle(messages.get_nowait())
            except queue.Empty:
                return

    def _dispatch_ready(self, limit: int) -> None:
        """Dispatch ready nodes while workers are free, until executors report something or
        a streak of inline nodes has run for ``_STREAK`` seconds."""
        ready, in_flight, messages, pacer = self.ready, self.in_flight, self.messages, self.pacer
        if pacer is not None and not pacer.may_go():
            return
        until = time.perf_counter() + _STREAK
        while ready and len(in_flight) - self.extra < limit and messages.empty():
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
            view = message[2] if self.held else make_view(message[2])
            self._emit(NodeOutput, message[1], value=view, index=message[3])
        elif kind == "many":  # what a worker said at once
            for each in message[1]:
                self._handle(each)
        elif kind == "requeue":
            self._requeue(message[1])

    def _dispatch(self, node_id: str) -> None:
        if self.held:
            self._dispatch_held(node_id)
            return
        planned = self.plan.nodes[node_id]
        args, problem = call_arguments(planned.inputs, planned.links, planned.values, self.outputs)
        self.inputs[node_id] = args
        if problem:
            self._fail(node_id, problem, "", 0.0)
            return
        if self.lookups and self._from_cache(node_id, args, Views):
            return
        self.status[node_id] = "running"
        passing = planned.passing
        inline = self.executor.inline and self.cost.get(planned.spec.func, 1.0) < self.inline_below
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
        """Run a node known to be quick on this thread, as its executor would have. If the
        watchdog hands it over meanwhile, its end is told as a worker's would be, and this
        thread ends (``HandedOver``)."""
        node_id = task.node_id
        claims, stop = self.watchdog.claims, self._stop
        stop.node_id = node_id
        claims[node_id] = time.perf_counter()
        try:
            outcome = execute_node(task, self._teller, stop)
        except BaseException:  # what the node raised past execute_node (KeyboardInterrupt)
            if claims.pop(node_id, None) is None:
                raise HandedOver from None
            raise
        if claims.pop(node_id, None) is None:  # handed over: the loop goes on elsewhere
            self.messages.put(("done", node_id, outcome))
            raise HandedOver
        self.cost[task.func_source] = outcome.elapsed
        if self.timeout is not None and outcome.elapsed >= self.timeout:
            outcome = NodeOutcome(
                node_id, error=f"timed out after {self.timeout:g} s", elapsed=outcome.elapsed
            )
        self._settle(node_id, outcome)

    def _finish(self, node_id: str, outcome: NodeOutcome) -> None:
        if node_id not in self.in_flight:
            return  # timed out or cancelled earlier; its late result is ignored
        self._leave(node_id)
        self.running.pop(node_id, None)
        self.cost[self.plan.nodes[node_id].spec.func] = outcome.elapsed
        self._settle(node_id, outcome)

    def _tell_partial(self, stop: InlineStop, value: Any, index: int) -> None:
        """A partial value of the inline node of ``stop``'s loop thread: to the sink while it
        runs inline (the watchdog's lock keeps it from being handed over meanwhile), then as a
        worker's."""
        assert self.sink is not None, "partial values are told only to a listener"
        node_id = stop.node_id
        with self.watchdog.lock:
            if node_id in self.watchdog.claims:
                self.sink(NodeOutput(node_id, value=make_view(value), index=index))
                return
        self.messages.put(("partial", node_id, value, index))

    def _take_in(self, node_id: str, started: float) -> None:
        """Take in a node the watchdog handed over: in flight from now on, timed from its
        start; then what executors reported meanwhile, and the nodes now past their time."""
        self.in_flight.add(node_id)
        self.running[node_id] = started
        del self.watchdog.adopted[node_id]  # once it is in flight: see ``InlineStop``
        self._drain()
        if self.timeout is not None:
            self._expire_timeouts()

    def _expire_timeouts(self) -> None:
        timeout = self.timeout
        assert timeout is not None, "called only when the run has a timeout"
        now = time.perf_counter()
        for node_id, started in list(self.running.items()):
            if now - started >= timeout:
                self._leave(node_id)
                del self.running[node_id]
                self.cost[self.plan.nodes[node_id].spec.func] = now - started
                note = "" if self.executor.stop_node(node_id) else _UNKILLABLE
                self._fail(node_id, f"timed out after {timeout:g} s{note}", "", now - started)

    def _cancel_all(self) -> None:
        for node_id in list(self.in_flight):
            self.executor.stop_node(node_id)
        self.in_flight.clear()
        self.batch_of.clear()
        self.extra = 0
        self.running.clear()
        for node_id in self.plan.order:  # "running" too: one may be caught mid-dispatch
            if self.status[node_id] in ("pending", "queued", "running"):
                self._cancel(node_id)
        self.ready.clear()
