"""What a flow's runs said of each of its nodes, and whether each result still matches the flow.

``RunState`` folds the events of one flow's runs, one run after the other, into what the
window shows: per node its status, outputs (the values streamed so far while it runs), error
with traceback and the line of its code where it failed, captured stdout and stderr, and
time (``node(node_id)``, a ``NodeState``); the last event that says what the node shows
(``last``); how many inner nodes each subflow node has ended (``inside``); which results are
stale; the last run's ``RunResult`` (``outcome``), and per node the result that holds the
value it shows (``source(node_id)``: the window asks it for more of the value). ``RunStates`` keeps one per flow of a
repository. The canvas, the Inspector, the viewers and the Run menu read them and keep no
copy; ``later`` (given by the owner: the window's event loop) runs the staleness check once
a burst of edits is over.

A result is **stale** when the node's Merkle key now (its function source, port types,
manual values and upstream keys, as ``plan_keys`` makes it from the flow alone) differs from
the key of the run that produced the result. Undoing back to the inputs of a result makes it
fresh again, and a run makes what it ran fresh. A deleted node's result, and whether it was
stale, come back with it when an undo puts the same node back.

A run of trivial nodes reports thousands of events a second: ``apply`` does per event only
what staleness and the canvas need at once, and keeps each batch as it is; a node's full
state is folded from its events when it is first asked for.

Outputs are held as their events carried them (see ``node_state``).

State: ``result_keys`` (node id → the key of the result it shows), ``current_keys`` (node
id → its key now), ``stale`` (the nodes whose result is stale), ``cancelled`` (nodes
stopped before they had a result), ``plan`` (of every node, as the last staleness check
made it: a run of the whole flow starts from it), ``running``, ``outcome``, ``last`` (node
id → the last event of a run that it shows: a result, a cancel or a streamed value),
``inside`` (subflow node id → [inner nodes ended, inner nodes planned, their seconds]: its
inner nodes are ``u1/m`` and deeper), ``_run_keys`` (the nodes' keys when the run in
progress started), ``_removed`` (node id → a deleted node, its last event, its result's
key and whether it was cancelled), ``_batches`` (batches not yet filed by node),
``_unread`` (node id → events filed but not yet folded), ``_nodes`` (node id → its folded
``NodeState``), ``_sources`` (node id → the ``RunResult`` holding its values) and
``_refresh_due`` (an edit came since the last staleness check, or none was made yet).

Notifications go out through ``events`` (an ``Observable``, shared by every state of a
``RunStates``), each with the ``flow_id`` it is about; see ``RunChange``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from enum import StrEnum
from typing import Any, cast

from ..repository import Flow, ModelEvent, NodeInstance, Observable, Repository, RepositoryError
from .cache import plan_keys
from .events import (
    NodeCached,
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeOutput,
    NodeSkipped,
    RunEvent,
    RunFinished,
)
from .node_state import NodeState, fold
from .plan import Plan, Targets, end_nodes, plan_run
from .result import OK_STATUSES, RunResult

Later = Callable[[Callable[[], None]], None]  # calls a function soon, once the caller is done

# What a node's key depends on: its values, links and spec (a rename or a move changes none).
_KEY_EVENTS = (
    ModelEvent.VALUE_CHANGED,
    ModelEvent.LINK_ADDED,
    ModelEvent.LINK_REMOVED,
    ModelEvent.NODE_ADDED,
    ModelEvent.NODE_REMOVED,
)
_SPEC_EVENTS = (ModelEvent.SPEC_CHANGED, ModelEvent.SPEC_ADDED, ModelEvent.SPEC_REMOVED)
RESULTS = frozenset({NodeFinished, NodeCached, NodeFailed, NodeSkipped})  # can be stale
ENDS = RESULTS | {NodeCancelled}  # how a node's run ends
_NO_KEY = object()  # a node the flow's keys do not know: its result is stale


class RunChange(StrEnum):
    """What a ``RunState`` tells its readers, each with ``flow_id`` and the payload named."""

    RUN_BEGUN = "run_begun"  # nodes: the ids of the run's nodes (what they showed is gone)
    EVENTS_APPLIED = "events_applied"  # events (a batch), counted (subflow nodes whose
    # inner count moved), ended (the batch holds the run's end)
    STALE_CHANGED = "stale_changed"  # stale: the nodes whose result is stale now
    KEYS_REFRESHED = "keys_refreshed"  # every result was checked against the flow again
    VALUES_READY = "values_ready"  # nodes: whose values can now be asked of their source
    NODE_RESTORED = "node_restored"  # node_id, last (its last event): an undo of its
    # delete put the node back, showing that again


class RunState:
    """The run state of one flow of ``repo``, from its events and its edits."""

    def __init__(
        self, repo: Repository, flow: Flow, later: Later, events: Observable | None = None
    ) -> None:
        self.repo, self.flow, self._later = repo, flow, later
        self.events = events if events is not None else Observable()
        self.result_keys: dict[str, str | None] = {}
        self.current_keys: dict[str, str | None] = {}
        self.stale: set[str] = set()
        self.cancelled: set[str] = set()
        self.plan: Plan | None = None
        self.running = False
        self.outcome: RunResult | None = None
        self._sources: dict[str, RunResult] = {}
        self.last: dict[str, RunEvent] = {}
        self.inside: dict[str, list] = {}
        self._run_keys: dict[str, str | None] = {}
        self._removed: dict[str, tuple[NodeInstance, RunEvent | None, object, bool]] = {}
        self._batches: list[list[RunEvent]] = []
        self._unread: dict[str, list[RunEvent]] = {}
        self._nodes: dict[str, NodeState] = {}
        self._refresh_due = False
        self._follow(flow.events.connect, repo.events.connect)
        self.schedule_refresh()  # the keys of the flow as it is

    def detach(self) -> None:
        """Stop following the flow's edits (its repository is gone)."""
        self._follow(self.flow.events.disconnect, self.repo.events.disconnect)

    def _follow(self, on_flow: Callable, on_repo: Callable) -> None:
        for name in _KEY_EVENTS:
            on_flow(name, self._edited)
        for name in _SPEC_EVENTS:
            on_repo(name, self._edited)
        on_flow(ModelEvent.NODE_REMOVED, self._node_removed)
        on_flow(ModelEvent.NODE_ADDED, self._node_added)

    def _emit(self, change: RunChange, **payload: Any) -> None:
        self.events.emit(change, flow_id=self.flow.id, **payload)

    # -- a node's state ---------------------------------------------------------------------

    def node(self, node_id: str) -> NodeState:
        """What the runs said of ``node_id`` (``pending`` if none ran it): an inner node of
        a subflow node (``u1/m``) too."""
        self._file()
        events = self._unread.pop(node_id, None)
        if events:
            node = self.flow.nodes.get(node_id)
            spec_id = node.spec_id if node is not None and node.subflow is None else None
            for event in events:
                fold(self._nodes, event, spec_id)
        return self._nodes.get(node_id) or NodeState()

    def _file(self) -> None:
        """File the batches kept so far by node."""
        unread = self._unread
        for events in self._batches:
            for event in events:
                if event.node:
                    unread.setdefault(event.node, []).append(event)
        self._batches.clear()

    # -- runs -------------------------------------------------------------------------------

    def plan_for(self, targets: Targets) -> Plan | None:
        """The kept plan, when it is what a run for ``targets`` would plan now (every node,
        and nothing changed since it was made); ``None`` otherwise."""
        if self._refresh_due or self.plan is None:
            return None
        every = targets == "all" or (targets is None and not end_nodes(self.flow))
        return self.plan if every else None

    def begin(self, node_ids: Iterable[str]) -> None:
        """A run of ``node_ids`` starts: what they showed goes; their results will get the
        keys the nodes have now."""
        if self._refresh_due:  # an edit just before the run: its keys are not known yet
            self.refresh()
        node_ids = tuple(node_ids)
        run = self._run_keys = dict(zip(node_ids, map(self.current_keys.get, node_ids)))
        self.running = True
        self.inside = {}
        for node_id in node_ids:
            if "/" in node_id:  # an inner node of a subflow node: u1/m
                outer = node_id.partition("/")[0]
                if outer in self.flow.nodes:
                    self.inside.setdefault(outer, [0, 0, 0.0])[1] += 1
        self._file()
        # Set operations: a run of thousands of nodes forgets what the last one said.
        for table in (self.last, self.result_keys, self._nodes, self._unread, self._sources):
            for node_id in run.keys() & table.keys():
                del table[node_id]
        if not self.stale.isdisjoint(run):
            self.stale.difference_update(run)
            self._emit(RunChange.STALE_CHANGED, stale=set(self.stale))
        self._emit(RunChange.RUN_BEGUN, nodes=run.keys())

    def apply(self, events: list[RunEvent]) -> None:
        """Take a batch of the run's events, in engine order."""
        self._batches.append(events)
        changed = ended = False
        counted: set[str] = set()
        nodes, last = self.flow.nodes, self.last
        run_keys, result_keys, current = self._run_keys, self.result_keys, self.current_keys
        stale, cancelled = self.stale, self.cancelled
        for event in events:
            node_id = event.node
            if node_id not in nodes:  # the run's own end, an inner node of a subflow node, or a
                if type(event) is RunFinished:  # node deleted since the run started
                    ended = True
                elif self._count_inside(node_id, event):
                    counted.add(node_id.partition("/")[0])
                continue
            kind = type(event)
            if kind in RESULTS:
                last[node_id] = event
                key = result_keys[node_id] = run_keys.get(node_id)
                if cancelled:
                    cancelled.discard(node_id)
                if node_id in stale or current.get(node_id, _NO_KEY) != key:  # else: fresh
                    changed |= self._mark(node_id)
            elif kind is NodeCancelled:
                last[node_id] = event
                result_keys.pop(node_id, None)
                cancelled.add(node_id)
                changed |= self._mark(node_id)
            elif kind is NodeOutput:
                last[node_id] = event
        if ended:
            self.running = False
        if changed:
            self._emit(RunChange.STALE_CHANGED, stale=set(stale))
        self._emit(RunChange.EVENTS_APPLIED, events=events, counted=counted, ended=ended)

    def _count_inside(self, node_id: str, event: RunEvent) -> bool:
        """An inner node's event: whether its subflow node counts it (it ended)."""
        counts = self.inside.get(node_id.partition("/")[0])
        if counts is None or type(event) not in ENDS:
            return False
        counts[0] += 1
        counts[2] += getattr(event, "elapsed", 0.0) or 0.0
        return True

    def finish(self, result: object) -> None:
        """The run ended with ``result``: its ``RunResult``, or what the engine raised."""
        self.running = False
        if isinstance(result, RunResult):
            self.outcome = result
            statuses = result.statuses
            ready = (
                list(statuses)
                if result.ok  # (at once: a run of thousands, all well)
                else [node_id for node_id, status in statuses.items() if status in OK_STATUSES]
            )
            self._sources.update(dict.fromkeys(ready, result))
            self._emit(RunChange.VALUES_READY, nodes=ready)

    def source(self, node_id: str) -> RunResult | None:
        """The run result that holds the values ``node_id`` shows (``None`` while a run is
        making them, or when no run made them): kept while they are shown, so the window can
        ask for more of them (a table's rows) after later runs of other nodes."""
        return self._sources.get(node_id)

    # -- edits and staleness ----------------------------------------------------------------

    def _edited(self, **_payload: Any) -> None:
        self.schedule_refresh()

    def schedule_refresh(self) -> None:
        """Check staleness again once the current burst of edits is over."""
        if not self._refresh_due:
            self._refresh_due = True
            self._later(self._refresh_if_due)

    def _refresh_if_due(self) -> None:
        if self._refresh_due:
            self.refresh()

    def refresh(self) -> None:
        """Compare every result's key with the node's key now."""
        self._refresh_due = False
        try:
            plan = plan_run(self.repo, self.flow, "all")
        except RepositoryError:
            self.plan, self.current_keys = None, {}  # a flow that cannot run: every result
        else:  # is out of date
            # A plan with subflows reads other flows, whose edits this state does not follow.
            self.plan = plan if plan.flow is self.flow else None
            self.current_keys = plan_keys(plan)
        changed = False
        for node_id in self.result_keys:  # of nodes in the flow (see ``_node_removed``)
            changed |= self._mark(node_id)
        if changed:
            self._emit(RunChange.STALE_CHANGED, stale=set(self.stale))
        self._emit(RunChange.KEYS_REFRESHED)

    def _mark(self, node_id: str) -> bool:
        """Note whether ``node_id``'s result is stale; returns whether that changed."""
        key = self.result_keys.get(node_id)
        shown = node_id in self.result_keys
        stale = shown and (node_id not in self.current_keys or self.current_keys[node_id] != key)
        if stale == (node_id in self.stale):
            return False
        (self.stale.add if stale else self.stale.discard)(node_id)
        return True

    def _node_removed(self, node: NodeInstance) -> None:
        """Keep what a deleted node shows, for an undo of the delete."""
        node_id = node.id
        self._removed[node_id] = (
            node,
            self.last.pop(node_id, None),
            self.result_keys.pop(node_id, _NO_KEY),
            node_id in self.cancelled,
        )
        self.cancelled.discard(node_id)
        if node_id in self.stale:
            self.stale.discard(node_id)
            self._emit(RunChange.STALE_CHANGED, stale=set(self.stale))

    def _node_added(self, node: NodeInstance) -> None:
        """A deleted node back (the same node, by an undo): it shows what it showed."""
        kept = self._removed.pop(node.id, None)
        if kept is None or kept[0] is not node:
            return
        _node, event, key, cancelled = kept
        if key is not _NO_KEY:
            self.result_keys[node.id] = cast("str | None", key)
        if cancelled:
            self.cancelled.add(node.id)
        if event is not None:
            self.last[node.id] = event
            self._emit(RunChange.NODE_RESTORED, node_id=node.id, last=event)


class RunStates:
    """The ``RunState`` of each flow of one repository, made when first asked for; their
    notifications all go out through ``events``."""

    def __init__(self, repo: Repository, later: Later) -> None:
        self.repo, self._later = repo, later
        self.events = Observable()
        self._states: dict[str, RunState] = {}

    def of(self, flow: Flow) -> RunState:
        """The run state of ``flow`` (made now if it has none)."""
        state = self._states.get(flow.id)
        if state is None or state.flow is not flow:
            if state is not None:
                state.detach()
            state = self._states[flow.id] = RunState(self.repo, flow, self._later, self.events)
        return state

    def get(self, flow_id: str) -> RunState | None:
        return self._states.get(flow_id)

    def node(self, flow_id: str, node_id: str) -> NodeState:
        """What the runs of ``flow_id`` said of ``node_id`` (``pending`` if none ran it)."""
        state = self._states.get(flow_id)
        return state.node(node_id) if state is not None else NodeState()

    def stale(self, flow_id: str) -> Collection[str]:
        """The nodes of ``flow_id`` whose result is stale."""
        state = self._states.get(flow_id)
        return state.stale if state is not None else ()

    def reset(self, repo: Repository) -> None:
        """Forget every run: the window shows ``repo`` now."""
        for state in self._states.values():
            state.detach()
        self._states.clear()
        self.repo = repo
