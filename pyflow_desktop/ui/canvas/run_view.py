"""What a canvas shows of runs: each node's status, previews and whether its result is stale.

A result is **stale** when the node's Merkle key now (its function source, port types, manual
values and upstream keys, as ``engine.plan_keys`` makes it from the flow alone) differs from
the key of the run that produced the result. Stale nodes are dimmed and say so; undoing back
to the inputs of a result makes it fresh again, and a run makes what it ran fresh.

Events are remembered as they come, but drawn later: drawing a node's status and previews
costs tens of microseconds of Qt text layout, and a run of trivial nodes reports thousands of
events a second. ``_pending`` holds what each node is still to show (its last event), and
``_clear`` the nodes whose last run's state goes first, so a node queued, started and
finished within one batch is drawn once. Each frame draws the pending nodes near the view
first, then others until ``DRAW_BUDGET`` has passed (at least ``MIN_DRAWS``: a small flow is
drawn at once); the others follow in the next frames. While a run goes, only the nodes in the view
are drawn (all of them when no more than ``MIN_DRAWS`` are to be): the others wait for the
frames after its end, so the window takes as little as it can from the run (the engine and
the window share one interpreter).

The plan of every node that ``refresh`` makes for the keys is kept as ``plan``, so that a
run of the whole flow starts without planning again (see ``plan_for``).

State: ``result_keys`` (node id → the key of the result it shows), ``current_keys`` (node id →
its key now), ``stale`` (the nodes whose result is stale), ``cancelled`` (nodes stopped
before they had a result), ``_run_keys`` (the keys of the run in progress: the nodes' keys
when it started), ``_last`` (node id → the last event shown on it, drawn again when the
canvas rebuilds a node), ``_removed`` (node id → a deleted node, its last event, its
result's key and whether it was cancelled: an undo of the delete puts the same node back,
and all that with it), ``_drawn`` (nodes showing something of a run), ``_pending`` (node id
→ the event to show, or ``None``: what is still to be drawn), ``_clear`` (those of them
whose last run's state is to be cleared first) and ``_inside`` (subflow node id → [inner
nodes done, inner nodes planned, their seconds]: a subflow node counts its inner nodes,
``u1/m`` and deeper, as they end), ``_view_ids`` (the nodes in or near the view, worked out
again when ``_view_key``, the view's rectangle and ``_layout``, a count of the flow's node
moves, changes).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from PySide6 import QtCore

from ...engine import (
    NodeCached,
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeOutput,
    NodeQueued,
    NodeSkipped,
    NodeStarted,
    Plan,
    RunEvent,
    RunFinished,
    Targets,
    end_nodes,
    plan_keys,
    plan_run,
)
from ...repository import Flow, NodeInstance, Repository, RepositoryError
from ..value_text import node_title
from ..window_first import hold
from .graph import CanvasGraph

# What a node's key depends on: its values, links and spec (a rename or a move changes none).
_KEY_EVENTS = ("value_changed", "link_added", "link_removed", "node_added", "node_removed")
_SPEC_EVENTS = ("spec_changed", "spec_added", "spec_removed")
_RESULTS = {NodeFinished, NodeCached, NodeFailed, NodeSkipped}  # what a result can be stale
_ENDS = {*_RESULTS, NodeCancelled}
DRAW_BUDGET = 0.008  # seconds of drawing per frame, once MIN_DRAWS nodes are drawn
MIN_DRAWS = 50
DRAW_FRAME_MS = 33
NEAR_VIEW = 400.0  # scene units around the view where a node counts as near it
_NO_KEY = object()  # a node the flow's keys do not know: its result is stale
NODE_REACH = (320.0, 240.0)  # scene units right of and below its place a node may reach


class RunView(QtCore.QObject):
    """Draws run events on one flow's canvas and keeps its nodes' staleness up to date."""

    stale_changed = QtCore.Signal(object)  # the set of node ids whose result is stale

    def __init__(
        self, repo: Repository, flow: Flow, canvas: CanvasGraph, parent: QtCore.QObject | None
    ) -> None:
        super().__init__(parent)
        self.repo, self.flow, self.canvas = repo, flow, canvas
        self.result_keys: dict[str, str | None] = {}
        self.current_keys: dict[str, str | None] = {}
        self.stale: set[str] = set()
        self.cancelled: set[str] = set()  # stopped before they had a result
        self._run_keys: dict[str, str | None] = {}
        self._last: dict[str, RunEvent] = {}
        self._removed: dict[str, tuple[NodeInstance, RunEvent | None, object, bool]] = {}
        self._drawn: set[str] = set()
        self._pending: dict[str, RunEvent | None] = {}
        self._clear: set[str] = set()
        self._inside: dict[str, list] = {}
        self._running = False  # a run's events are coming: draw only what is in view
        self._draw_timer = QtCore.QTimer(self, singleShot=True, interval=DRAW_FRAME_MS)
        self._draw_timer.timeout.connect(self._draw_pending)
        self._refresh_due = False
        self.plan: Plan | None = None  # of every node, as ``refresh`` last made it
        self._layout = 0  # counts the flow's moves, additions and removals of nodes
        self._view_key: tuple = ()  # what ``_view_ids`` was worked out for
        self._view_ids: set[str] = set()
        for name in _KEY_EVENTS:
            flow.events.connect(name, self._changed)
        for name in _SPEC_EVENTS:
            repo.events.connect(name, self._changed)
        flow.events.connect("node_moved", self._moved)
        flow.events.connect("node_removed", self._node_removed)
        flow.events.connect("node_added", self._node_added)

    def detach(self) -> None:
        """Stop listening to the model (the canvas is going away)."""
        for name in _KEY_EVENTS:
            self.flow.events.disconnect(name, self._changed)
        for name in _SPEC_EVENTS:
            self.repo.events.disconnect(name, self._changed)
        self.flow.events.disconnect("node_moved", self._moved)
        self.flow.events.disconnect("node_removed", self._node_removed)
        self.flow.events.disconnect("node_added", self._node_added)
        self._draw_timer.stop()
        self._pending.clear()
        self._clear.clear()

    def _changed(self, *_args, **_payload) -> None:
        self._moved()
        self.schedule_refresh()

    def _moved(self, *_args, **_payload) -> None:
        self._layout += 1  # the nodes in view are to be looked for again

    def _node_removed(self, node: NodeInstance) -> None:
        """Keep what a deleted node shows, for an undo of the delete."""
        node_id = node.id
        self._removed[node_id] = (
            node,
            self._last.pop(node_id, None),
            self.result_keys.pop(node_id, _NO_KEY),
            node_id in self.cancelled,
        )
        self.cancelled.discard(node_id)
        self._drawn.discard(node_id)
        self._pending.pop(node_id, None)
        self._clear.discard(node_id)
        if node_id in self.stale:
            self.stale.discard(node_id)
            self.stale_changed.emit(set(self.stale))

    def _node_added(self, node: NodeInstance) -> None:
        """A deleted node back (the same node, by an undo): it shows what it showed."""
        kept = self._removed.pop(node.id, None)
        if kept is None or kept[0] is not node:
            return
        _node, event, key, cancelled = kept
        if key is not _NO_KEY:
            self.result_keys[node.id] = key
        if cancelled:
            self.cancelled.add(node.id)
        if event is not None:
            self._last[node.id] = self._pending[node.id] = event
            self._draw_timer.start()

    def plan_for(self, targets: Targets) -> Plan | None:
        """The kept plan, when it is what a run for ``targets`` would plan now (every node,
        and nothing changed since it was made); ``None`` otherwise."""
        if self._refresh_due or self.plan is None:
            return None
        every = targets == "all" or (targets is None and not end_nodes(self.flow))
        return self.plan if every else None

    def name(self, node_id: str) -> str:
        """How the user knows a node (see ``node_title``)."""
        return node_title(self.repo, self.flow, node_id)

    # -- runs -----------------------------------------------------------------------------

    def begin_run(self, node_ids: Iterable[str]) -> None:
        """A run of ``node_ids`` starts: clear what they show; their results will get the
        keys the nodes have now."""
        if self._refresh_due:  # an edit just before the run: its keys are not known yet
            self.refresh()
        node_ids = tuple(node_ids)
        run = self._run_keys = dict(zip(node_ids, map(self.current_keys.get, node_ids)))
        self._running = True
        self._inside = {}
        for node_id in node_ids:
            if "/" in node_id:  # an inner node of a subflow node: u1/m
                outer = node_id.partition("/")[0]
                if outer in self.flow.nodes:
                    self._inside.setdefault(outer, [0, 0, 0.0])[1] += 1
        # What the run's nodes showed of the last run goes (sets of them: a run of thousands).
        for node_id in run.keys() & self._last.keys():
            del self._last[node_id]
        for node_id in run.keys() & self.result_keys.keys():  # running: no result to be
            del self.result_keys[node_id]  # stale until it ends
        for node_id in run.keys() & self._pending.keys():  # the last run's, not drawn yet
            del self._pending[node_id]
        shown = run.keys() & self._drawn
        self._clear |= shown
        self._pending.update(dict.fromkeys(shown))
        if not self.stale.isdisjoint(run):
            self.stale.difference_update(run)
            self.stale_changed.emit(set(self.stale))
        if self._pending:  # at the next frame: by then most nodes have news to draw instead
            self._draw_timer.start()

    def apply_run_events(self, events: list[RunEvent]) -> None:
        """Take a batch of engine events: remember each at once, draw what they changed
        within a frame's budget, at most once a frame."""
        changed = ended = False
        nodes, pending, last = self.flow.nodes, self._pending, self._last
        run_keys, result_keys, current = self._run_keys, self.result_keys, self.current_keys
        stale, cancelled = self.stale, self.cancelled
        for event in events:
            node_id = event.node
            if node_id not in nodes:  # the run's own end, an inner node of a subflow node, or a
                ended |= type(event) is RunFinished  # node deleted since the run started
                self._count_inside(node_id, event)
                continue
            kind = type(event)
            if kind in _RESULTS:
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
            pending[node_id] = event
        if changed:
            self.stale_changed.emit(set(self.stale))
        if ended or not self._draw_timer.isActive():  # the first batch of a frame, and the
            self._draw_pending()  # run's last, are drawn at once; others at the next frame
            self._draw_timer.start()  # (the nodes out of view, once the run has ended)
        self._running = self._running and not ended

    def _count_inside(self, node_id: str, event: RunEvent) -> None:
        """An inner node's event: its subflow node counts it when it ended."""
        outer = node_id.partition("/")[0]
        counts = self._inside.get(outer)
        if counts is None or type(event) not in _ENDS:
            return
        counts[0] += 1
        counts[2] += getattr(event, "elapsed", 0.0) or 0.0
        self._pending.setdefault(outer, None)  # drawn with its count

    def redraw(self) -> None:
        """Draw the last event of every node again (the canvas rebuilt its nodes)."""
        self._drawn.clear()
        self._pending, self._clear = dict(self._last), set()
        self._draw_pending()
        self.schedule_refresh()

    def _draw_pending(self) -> None:
        """Draw what nodes are still to show: those near the view first, then others until
        the frame's budget is spent; the next frame goes on."""
        pending, clear = self._pending, self._clear
        until = time.perf_counter() + DRAW_BUDGET
        drawn = 0
        near = self._in_view(pending, near=not self._running)
        small = len(pending) <= MIN_DRAWS  # drawn at once, run or not
        for node_id in near if self._running and not small else [*near, *pending]:
            if node_id not in pending:
                continue  # near the view: drawn already
            self._draw_node(node_id, node_id in clear, pending.pop(node_id))
            clear.discard(node_id)
            drawn += 1
            if drawn >= MIN_DRAWS and time.perf_counter() > until:
                break
        if drawn and self._running:
            hold()  # the run waits for the frame that shows them (``window_first``)
        if pending:
            self._draw_timer.start()

    def _in_view(self, node_ids: Iterable[str], near: bool) -> list[str]:
        """Those of ``node_ids`` whose node shows in the canvas's view (``near``: or is within
        ``NEAR_VIEW`` of it)."""
        viewer = self.canvas.viewer()
        rect = viewer.mapToScene(viewer.viewport().rect()).boundingRect()
        key = (rect.getRect(), near, self._layout)
        if key != self._view_key:  # the view moved, or nodes did
            grow = NEAR_VIEW if near else 0.0
            left, top = rect.left() - grow - NODE_REACH[0], rect.top() - grow - NODE_REACH[1]
            right, bottom = rect.right() + grow, rect.bottom() + grow
            self._view_key, self._view_ids = (
                key,
                {
                    node_id
                    for node_id, node in self.flow.nodes.items()
                    if left <= node.x <= right and top <= node.y <= bottom
                },
            )
        view = self._view_ids
        return [node_id for node_id in node_ids if node_id in view]

    def _draw_node(self, node_id: str, clear: bool, event: RunEvent | None) -> None:
        node = self.canvas.flow_node(node_id)
        if node is None:
            return
        # A result that fills every preview and the status leaves nothing of the last run.
        covers = isinstance(event, NodeFinished | NodeCached) and all(
            port in event.outputs for port in node.item.previews
        )
        if clear and not covers:
            node.clear_run_state()
        if event is not None:
            self._draw(node, event)
            self._drawn.add(node_id)
        elif node_id not in self._inside:
            self._drawn.discard(node_id)
        counts = self._inside.get(node_id)
        if counts is not None and counts[0] and type(event) not in _ENDS:
            node.set_status("running", detail=f"{counts[0]} of {counts[1]} inside")
            self._drawn.add(node_id)
        node.set_stale(node_id in self.stale)

    def _draw(self, node, event: RunEvent) -> None:
        if isinstance(event, NodeQueued):
            node.set_status("queued")
        elif isinstance(event, NodeStarted):
            node.set_status("running")
        elif isinstance(event, NodeOutput):
            node.set_status("running", detail=f"#{event.index + 1}")
            outputs = node.item.previews
            if len(outputs) == 1:
                node.set_preview(next(iter(outputs)), event.value)
        elif isinstance(event, NodeFinished | NodeCached):
            status = "success" if isinstance(event, NodeFinished) else "cached"
            counts = self._inside.get(event.node)
            if counts is not None:  # a subflow node: what its inner nodes took
                node.set_status(status, counts[2], f"{counts[1]} inside")
            else:
                node.set_status(status, getattr(event, "elapsed", None))
            for port, value in event.outputs.items():
                node.set_preview(port, value)
        elif isinstance(event, NodeFailed):
            first_line = event.error.splitlines()[0] if event.error else ""
            node.set_status("fail", event.elapsed, first_line)
            node.view.setToolTip(event.traceback or event.error)
        elif isinstance(event, NodeSkipped):
            ancestor = self.name(event.failed_ancestor)
            node.set_status("skip", detail=f"{ancestor!r} failed")
            node.view.setToolTip(f"skipped: {ancestor!r} ({event.failed_ancestor}) failed upstream")
        elif isinstance(event, NodeCancelled):
            node.set_status("cancelled")

    # -- staleness ------------------------------------------------------------------------

    def schedule_refresh(self) -> None:
        """Recompute staleness once the current burst of edits is over."""
        if not self._refresh_due:
            self._refresh_due = True
            QtCore.QTimer.singleShot(0, self, self._refresh_if_due)

    def _refresh_if_due(self) -> None:
        if self._refresh_due:
            self.refresh()

    def refresh(self) -> None:
        """Compare every shown result's key with the node's key now."""
        self._refresh_due = False
        try:
            plan = plan_run(self.repo, self.flow, "all")
        except RepositoryError:
            self.plan, self.current_keys = None, {}  # a flow that cannot run: every result
        else:  # is out of date
            # A plan with subflows reads other flows, whose edits this view does not follow.
            self.plan = plan if plan.flow is self.flow else None
            self.current_keys = plan_keys(plan)
        changed = False
        for node_id in self.result_keys:  # of nodes in the flow (see ``_node_removed``)
            changed |= self._mark(node_id)
            node = self.canvas.flow_node(node_id)
            if node is not None:
                node.set_stale(node_id in self.stale)
        if changed:
            self.stale_changed.emit(set(self.stale))

    def _mark(self, node_id: str) -> bool:
        """Note whether ``node_id``'s result is stale; returns whether that changed."""
        key = self.result_keys.get(node_id)
        shown = node_id in self.result_keys
        stale = shown and (node_id not in self.current_keys or self.current_keys[node_id] != key)
        if stale == (node_id in self.stale):
            return False
        (self.stale.add if stale else self.stale.discard)(node_id)
        return True
