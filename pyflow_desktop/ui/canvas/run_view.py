"""How a canvas draws its flow's run state (``engine.RunState``): each node's status,
previews, time and whether its result is stale.

Events are drawn later than the state takes them: drawing a node's status and previews
costs tens of microseconds of Qt text layout, and a run of trivial nodes reports thousands of
events a second. ``_pending`` holds what each node is still to show (its last event), and
``_clear`` the nodes whose last run's state goes first, so a node queued, started and
finished within one batch is drawn once. Each frame draws the pending nodes near the view
first, then others until ``DRAW_BUDGET`` has passed (at least ``MIN_DRAWS``: a small flow is
drawn at once); the others follow in the next frames. While a run goes, only the nodes in the view
are drawn (all of them when no more than ``MIN_DRAWS`` are to be): the others wait for the
frames after its end, so the window takes as little as it can from the run (the engine and
the window share one interpreter).

State (of the drawing only): ``_drawn`` (nodes showing something of a run), ``_pending``
(node id → the event to show, or ``None``: what is still to be drawn), ``_clear`` (those of
them whose last run's state is to be cleared first), ``_view_ids`` (the nodes in the view,
and those near it, each worked out again when the view's rectangle or ``_layout``, a count of
the flow's node moves, changes).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from operator import attrgetter

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
    RunChange,
    RunEvent,
    RunState,
)
from ...engine.run_state import ENDS
from ...repository import ModelEvent, NodeInstance
from ..value_text import node_title
from ..window_first import hold
from .graph import CanvasGraph

# Edits after which the nodes in view are looked for again.
_LAYOUT_EVENTS = (
    ModelEvent.VALUE_CHANGED,
    ModelEvent.LINK_ADDED,
    ModelEvent.LINK_REMOVED,
    ModelEvent.NODE_ADDED,
    ModelEvent.NODE_REMOVED,
    ModelEvent.NODE_MOVED,
)
_CHANGES = {
    RunChange.RUN_BEGUN: "_run_begun",
    RunChange.EVENTS_APPLIED: "_events_applied",
    RunChange.KEYS_REFRESHED: "_keys_refreshed",
    RunChange.NODE_RESTORED: "_node_restored",
}
_RESULTS = (NodeFinished, NodeCached)
_node_of = attrgetter("node")
DRAW_BUDGET = 0.008  # seconds of drawing per frame, once MIN_DRAWS nodes are drawn
MIN_DRAWS = 50
DRAW_FRAME_MS = 33
VIEW_REST_MS = 250  # the view still this long has come to rest
NEAR_VIEW = 400.0  # scene units around the view where a node counts as near it
NODE_REACH = (320.0, 240.0)  # scene units right of and below its place a node may reach


class RunView(QtCore.QObject):
    """Draws one flow's run state on its canvas, as the state changes."""

    def __init__(self, state: RunState, canvas: CanvasGraph, parent: QtCore.QObject | None) -> None:
        super().__init__(parent)
        self.state, self.canvas = state, canvas
        self.repo, self.flow = state.repo, state.flow
        self._drawn: set[str] = set()
        self._pending: dict[str, RunEvent | None] = {}
        self._clear: set[str] = set()
        self._draw_timer = QtCore.QTimer(self, singleShot=True, interval=DRAW_FRAME_MS)
        self._draw_timer.timeout.connect(self._draw_pending)
        self._layout = 0  # counts the flow's moves, additions and removals of nodes
        self._view_key: tuple = ()  # what ``_view_ids`` was worked out for
        # The nodes in the view, and those near it: made together (a run's end draws the
        # first, the frames after it the second).
        self._view_ids: tuple[set[str], set[str]] = (set(), set())
        # Once the view rests, the nodes in it are found ahead of a run's end, which draws them.
        self._rest_timer = QtCore.QTimer(self, singleShot=True, interval=VIEW_REST_MS)
        self._rest_timer.timeout.connect(self._find_in_view)
        canvas.viewer().view_changed.connect(self._rest_timer.start)
        self._handlers = {change: getattr(self, name) for change, name in _CHANGES.items()}
        self._follow(self.flow.events.connect, state.events.connect)

    def detach(self) -> None:
        """Stop drawing (the canvas is going away); the run state stays."""
        self._follow(self.flow.events.disconnect, self.state.events.disconnect)
        self._draw_timer.stop()
        self._rest_timer.stop()
        self._pending.clear()
        self._clear.clear()

    def _follow(self, on_flow, on_state) -> None:
        for name in _LAYOUT_EVENTS:
            on_flow(name, self._moved)
        on_flow(ModelEvent.NODE_REMOVED, self._node_removed)
        for change, handler in self._handlers.items():
            on_state(change, handler)

    def _moved(self, **_payload) -> None:
        self._layout += 1  # the nodes in view are to be looked for again
        self._rest_timer.start()

    def _node_removed(self, node: NodeInstance) -> None:
        self._drawn.discard(node.id)
        self._pending.pop(node.id, None)
        self._clear.discard(node.id)

    def _node_restored(self, flow_id: str, node_id: str, last: RunEvent) -> None:
        """A deleted node back (by an undo): it shows what it showed."""
        if flow_id == self.flow.id:
            self._pending[node_id] = last
            self._draw_timer.start()

    def name(self, node_id: str) -> str:
        """How the user knows a node (see ``node_title``)."""
        return node_title(self.repo, self.flow, node_id)

    # -- runs -----------------------------------------------------------------------------

    def _run_begun(self, flow_id: str, nodes: Collection[str]) -> None:
        """A run of ``nodes`` starts: what they show goes (sets of them: a run of thousands)."""
        if flow_id != self.flow.id:
            return
        for node_id in nodes & self._pending.keys():  # the last run's, not drawn yet
            del self._pending[node_id]
        shown = nodes & self._drawn
        self._clear |= shown
        self._pending.update(dict.fromkeys(shown))
        if self._pending:  # at the next frame: by then most nodes have news to draw instead
            self._draw_timer.start()

    def _events_applied(
        self, flow_id: str, events: list[RunEvent], counted: set[str], ended: bool
    ) -> None:
        """Draw what a batch changed within a frame's budget, at most once a frame."""
        if flow_id != self.flow.id:
            return
        pending = self._pending
        pending.update(zip(map(_node_of, events), events))  # a node's last event: what it shows
        for node_id in pending.keys() - self.flow.nodes.keys():  # the run's end, inner nodes
            del pending[node_id]
        for node_id in counted:  # drawn with its count
            pending.setdefault(node_id, None)
        if ended or not self._draw_timer.isActive():  # the first batch of a frame, and the
            self._draw_pending(self.state.running or ended)  # run's last, are drawn at once;
            self._draw_timer.start()  # others at the next frame (out of view: after the run)

    def redraw(self) -> None:
        """Draw the last event of every node again (the canvas rebuilt its nodes)."""
        self._drawn.clear()
        self._pending, self._clear = dict(self.state.last), set()
        self._draw_pending()
        self.state.schedule_refresh()

    def _draw_pending(self, running: bool | None = None) -> None:
        """Draw what nodes are still to show: those near the view first, then others until
        the frame's budget is spent; the next frame goes on. ``running``: draw as while a
        run goes (by default: whether one goes)."""
        running = self.state.running if running is None else running
        pending, clear = self._pending, self._clear
        until = time.perf_counter() + DRAW_BUDGET
        drawn = 0
        near = self._in_view(pending, near=not running)
        small = len(pending) <= MIN_DRAWS  # drawn at once, run or not
        for node_id in near if running and not small else [*near, *pending]:
            if node_id not in pending:
                continue  # near the view: drawn already
            self._draw_node(node_id, node_id in clear, pending.pop(node_id))
            clear.discard(node_id)
            drawn += 1
            if drawn >= MIN_DRAWS and time.perf_counter() > until:
                break
        if drawn and running:
            hold()  # the run waits for the frame that shows them (``window_first``)
        if pending:
            self._draw_timer.start()

    def _in_view(self, node_ids: Collection[str], near: bool) -> list[str]:
        """Those of ``node_ids`` whose node shows in the canvas's view (``near``: or is within
        ``NEAR_VIEW`` of it), in no particular order."""
        view = self._find_in_view()[1 if near else 0]
        if len(view) < len(node_ids):  # what the view holds: a run's end has news of thousands
            return [node_id for node_id in view if node_id in node_ids]
        return [node_id for node_id in node_ids if node_id in view]

    def _find_in_view(self) -> tuple[set[str], set[str]]:
        """The ids of the nodes in the view, and of those near it, found again when the view
        or the nodes moved."""
        viewer = self.canvas.viewer()
        rect = viewer.mapToScene(viewer.viewport().rect()).boundingRect()
        key = (rect.getRect(), self._layout)
        if key != self._view_key:
            self._view_key, self._view_ids = key, _nodes_in(self.flow.nodes, rect)
        return self._view_ids

    def _draw_node(self, node_id: str, clear: bool, event: RunEvent | None) -> None:
        node = self.canvas.flow_node(node_id)
        if node is None:
            return
        # A result that fills every preview and the status leaves nothing of the last run.
        if clear and not (
            isinstance(event, _RESULTS) and all(port in event.outputs for port in node.item.previews)
        ):
            node.clear_run_state()
        if event is not None:
            self._draw(node, event)
            self._drawn.add(node_id)
        elif node_id not in self.state.inside:
            self._drawn.discard(node_id)
        counts = self.state.inside.get(node_id)
        if counts is not None and counts[0] and type(event) not in ENDS:
            node.set_status("running", detail=f"{counts[0]} of {counts[1]} inside")
            self._drawn.add(node_id)
        node.set_stale(node_id in self.state.stale)

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
        elif isinstance(event, _RESULTS):
            status = "success" if isinstance(event, NodeFinished) else "cached"
            counts = self.state.inside.get(event.node)
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

    def _keys_refreshed(self, flow_id: str) -> None:
        """Every result was checked again: each node says whether it is stale."""
        if flow_id != self.flow.id:
            return
        stale = self.state.stale
        for node_id in self.state.result_keys:
            node = self.canvas.flow_node(node_id)
            if node is not None:
                node.set_stale(node_id in stale)


def _nodes_in(nodes: dict[str, NodeInstance], rect) -> tuple[set[str], set[str]]:
    """The ids of the nodes that show in ``rect`` (a node reaches ``NODE_REACH`` right of and
    below its place), and of those within ``NEAR_VIEW`` of it."""
    left, top = rect.left() - NODE_REACH[0], rect.top() - NODE_REACH[1]
    right, bottom = rect.right(), rect.bottom()
    grow = NEAR_VIEW
    inside: set[str] = set()
    near: set[str] = set()
    for node_id, node in nodes.items():
        x, y = node.x, node.y
        if left - grow <= x <= right + grow and top - grow <= y <= bottom + grow:
            near.add(node_id)
            if left <= x <= right and top <= y <= bottom:
                inside.add(node_id)
    return inside, near
