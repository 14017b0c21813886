"""What a run knows of each node, and how a node's end is recorded (``Ledger``).

``Scheduler`` (the loop and dispatching) is a ``Ledger``; one loop thread at a time touches
this state:

- ``waiting``: node id → number of upstream nodes not yet finished;
- ``ready``: a heap of ``(rank, node id)`` whose inputs are all available; ``rank`` (node
  id → rank) puts nodes the user watches (``first``) and their ancestors before the others,
  then plan order;
- ``in_flight``: the nodes handed to the executor (or, run inline, handed over by the
  watchdog) and not finished;
- ``running``: node id → ``perf_counter`` time its executor reported it started (a node may
  wait in the executor first, e.g. for a Dask worker): ``timeout`` counts from here;
- ``outputs``: node id → its output values, once it succeeded (``Handle``s where the
  executor keeps values in workers: ``held``);
- ``inputs``: node id → the argument values it was (or would have been) called with;
- ``status``: node id → pending | queued | running | success | cached | fail | skip |
  cancelled;
- ``keys``: node id → its cache key (``None`` when it has none), when a cache is used, and
  ``digests`` (spec id → what the spec gives its nodes' keys);
- ``fresh``: cache key → a snapshot of the outputs a node computed in this run, added to
  the cache when the run ends (so two identical nodes of one run both run: caching is across
  runs);
- ``errors``: node id → the message shown in the result's ``error``;
- ``cost``: a spec's function source → the seconds its last node took to run;
- where values stay in workers (``held``, see ``held_values``): ``run_id`` (the scope of
  outputs that have no cache key), ``batch_of`` (node id → the ids of its job's nodes still
  in flight, one set per job of several nodes), ``extra`` (in-flight nodes beyond the first
  of each job: a job takes one worker), ``awaiting`` (node id → the nodes waiting for it to
  be made again, its values lost) and ``remade`` (node id → how often that happened);
- ``cancelled``: set when the run is stopped (from any thread).

A node ends in success (its children whose inputs are then all there become ready), fail
(its descendants are skipped, the reason naming it) or cancelled. Each change is told to the
sink as an event; ``brief`` runs leave out that a node expected to run inline (its spec took
less than ``inline_below`` last time) was queued.
"""

from __future__ import annotations

import heapq
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .cache import Frozen, ResultCache, freeze, key_parts, node_key
from .events import (
    NodeCached,
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeQueued,
    NodeSkipped,
    NodeStarted,
    RunEvent,
)
from .node_call import NodeOutcome
from .plan import Plan
from .views import Views

Sink = Callable[[RunEvent], None]


class Ledger:
    """The state of one run's nodes; see the module's docstring."""

    known: dict[str, str | None]  # node id → its cache key, made by the caller; set by subclasses
    misses: set[str]  # nodes of ``known`` whose key the cache did not hold as the run began
    lookups: bool  # whether a node may come from the cache: it has one, and not only misses

    def __init__(
        self,
        plan: Plan,
        sink: Sink | None,
        cache: ResultCache | None,
        first: Iterable[str],
        brief: bool,
        inline_below: float,
        held: bool = False,
    ) -> None:
        self.plan = plan
        self.held = held
        self.sink = sink
        self.cache = cache
        self.brief = brief
        self.inline_below = inline_below
        self.keys: dict[str, str | None] = {}
        self.digests: dict[str, str] = {}  # spec id → the part of its nodes' keys it gives
        self.fresh: dict[str, Frozen] = {}  # see ``ResultCache.put``
        self.waiting = dict(plan.in_degree)
        self.ready: list[tuple[int, str]] = []
        self.rank = _ranks(plan, first)
        self.in_flight: set[str] = set()
        self.running: dict[str, float] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.inputs: dict[str, list[Any]] = {}
        self.status: dict[str, str] = dict.fromkeys(plan.order, "pending")
        self.errors: dict[str, str | None] = dict.fromkeys(plan.order)
        self.cost: dict[str, float] = {}
        self.cancelled = threading.Event()
        self.run_id = uuid.uuid4().hex if held else ""
        self.batch_of: dict[str, set[str]] = {}
        self.extra = 0
        self.awaiting: dict[str, set[str]] = {}
        self.remade: dict[str, int] = {}

    def _key(self, node_id: str, args: list[Any]) -> str | None:
        planned = self.plan.nodes[node_id]
        parts = key_parts(planned, self.keys, args.__getitem__)
        assert parts is not None, "given the linked values, every input has a part"
        return node_key(planned, parts, self.digests)

    def _from_cache(
        self, node_id: str, args: list[Any], shown: Callable[[Mapping[str, Any]], Mapping]
    ) -> bool:
        """Whether ``node_id``'s result comes from the cache: it is then the node's, told with
        its outputs as ``shown`` makes them, and the node's children go on."""
        assert self.cache is not None, "asked only of a run that looks things up"
        if node_id in self.misses:  # keyed as the run began, when the cache did not hold it
            return False
        key = self.keys[node_id] = self.known.get(node_id) or self._key(node_id, args)
        outputs = self.cache.get(key)
        if outputs is None:
            return False
        self.status[node_id] = "cached"
        self.outputs[node_id] = outputs
        if self.sink is not None:
            self.sink(NodeCached(node_id, outputs=shown(outputs)))
        self._release_children(node_id)
        return True

    def _emit(self, event_type: type[RunEvent], node: str, **fields: Any) -> None:
        if self.sink is not None:
            self.sink(event_type(node, **fields))

    def _make_ready(self, node_id: str) -> None:
        if node_id in self.batch_of:  # its job has it already
            self._board(node_id)
            return
        self.status[node_id] = "queued"
        heapq.heappush(self.ready, (self.rank[node_id], node_id))
        if self.sink is not None and not (
            self.brief
            and self.cost.get(self.plan.nodes[node_id].spec.func, 1.0) < self.inline_below
        ):  # a brief run does not tell that a node it is to run inline was queued
            self.sink(NodeQueued(node_id))

    def _board(self, node_id: str) -> None:
        """A node of a job whose inputs are now made: it runs next in its worker."""
        self.status[node_id] = "running"
        if self.sink is not None and not self.brief:
            self.sink(NodeQueued(node_id))
            self.sink(NodeStarted(node_id))

    def _leave(self, node_id: str) -> None:
        """``node_id`` is no longer in flight."""
        self.in_flight.discard(node_id)
        if self.batch_of:
            job = self.batch_of.pop(node_id, None)
            if job is not None:
                job.discard(node_id)
                if job:
                    self.extra -= 1

    def _release_children(self, node_id: str) -> None:
        waiting, status = self.waiting, self.status
        children = self.awaiting.pop(node_id, None) if self.awaiting else None
        for child in self.plan.nodes[node_id].downstream if children is None else children:
            waiting[child] -= 1
            if waiting[child] == 0 and status[child] == "pending":
                self._make_ready(child)

    def _settle(self, node_id: str, outcome: NodeOutcome) -> None:
        """Record a node's outcome and release (or skip) what depends on it."""
        if outcome.error is None:  # ok, without a call
            outputs = outcome.outputs
            self.status[node_id] = "success"
            self.outputs[node_id] = outputs
            key = self.keys.get(node_id) if self.cache is not None else None
            if key is not None:  # frozen now, before a node downstream could change a value
                frozen = outputs if self.held else freeze(outputs)  # (handles are what they are)
                if frozen is not None:
                    self.fresh[key] = frozen
            if self.sink is not None:
                views: Mapping[str, Any]
                if self.held:
                    views = {port: handle.view for port, handle in outputs.items()}
                else:
                    views = Views(outputs)
                self.sink(  # outputs, elapsed, stdout, stderr: by position, which costs less
                    NodeFinished(node_id, views, outcome.elapsed, outcome.stdout, outcome.stderr)
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
        self.awaiting.pop(node_id, None)
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
            if node_id in self.in_flight:  # a node of a job, given to its worker
                self._leave(node_id)
            self.status[node_id] = "skip"
            self.errors[node_id] = reason
            self._emit(NodeSkipped, node_id, reason=reason, failed_ancestor=failed)
            stack.extend(self.plan.nodes[node_id].downstream)

    def _cancel(self, node_id: str) -> None:
        self.status[node_id] = "cancelled"
        self.errors[node_id] = "cancelled: the run was stopped"
        self._emit(NodeCancelled, node_id)


def _ranks(plan: Plan, first: Iterable[str]) -> dict[str, int]:
    """Dispatch order among ready nodes: ancestors of ``first`` (and they) come first, each
    group in plan order (a watched node's rank is its place less the plan's length); with
    none, the plan's own places."""
    stack = [node_id for node_id in first if node_id in plan.nodes]
    if not stack:
        return plan.places
    rank = dict(plan.places)
    while stack:
        node_id = stack.pop()
        if rank[node_id] >= 0:
            rank[node_id] -= len(plan.order)
            stack.extend(plan.nodes[node_id].upstream)
    return rank
