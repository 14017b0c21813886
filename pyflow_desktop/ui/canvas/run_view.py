"""What a canvas shows of runs: each node's status, previews and whether its result is stale.

A result is **stale** when the node's Merkle key now (its function source, port types, manual
values and upstream keys, as ``engine.plan_keys`` makes it from the flow alone) differs from
the key of the run that produced the result. Stale nodes are dimmed and say so; undoing back
to the inputs of a result makes it fresh again, and a run makes what it ran fresh.

State: ``result_keys`` (node id → the key of the result it shows), ``current_keys`` (node id →
its key now), ``stale`` (the nodes whose result is stale), ``cancelled`` (nodes stopped
before they had a result), ``_run_keys`` (the keys of the run
in progress), ``_last`` (node id → the last event shown on it, drawn again when the canvas
rebuilds a node).
"""

from __future__ import annotations

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
    RunEvent,
    plan_keys,
    plan_run,
)
from ...repository import Flow, Repository, RepositoryError
from ..value_text import node_title
from .graph import CanvasGraph

# What a node's key depends on: its values, links and spec (a rename or a move changes none).
_KEY_EVENTS = ("value_changed", "link_added", "link_removed", "node_added", "node_removed")
_SPEC_EVENTS = ("spec_changed", "spec_added", "spec_removed")
_RESULTS = (NodeFinished, NodeCached, NodeFailed, NodeSkipped)  # what a result can be stale


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
        self._pending = False
        for name in _KEY_EVENTS:
            flow.events.connect(name, self._changed)
        for name in _SPEC_EVENTS:
            repo.events.connect(name, self._changed)

    def detach(self) -> None:
        """Stop listening to the model (the canvas is going away)."""
        for name in _KEY_EVENTS:
            self.flow.events.disconnect(name, self._changed)
        for name in _SPEC_EVENTS:
            self.repo.events.disconnect(name, self._changed)

    def _changed(self, *_args, **_payload) -> None:
        self.schedule_refresh()

    def name(self, node_id: str) -> str:
        """How the user knows a node (see ``node_title``)."""
        return node_title(self.repo, self.flow, node_id)

    # -- runs -----------------------------------------------------------------------------

    def begin_run(self, keys: dict[str, str | None]) -> None:
        """A run of the nodes in ``keys`` (their keys in that run) starts: clear them."""
        self._run_keys = dict(keys)
        for node_id in keys:
            self._last.pop(node_id, None)
            self.result_keys.pop(node_id, None)  # running: no result to be stale until it ends
            node = self.canvas.flow_node(node_id)
            if node is not None:
                node.clear_run_state()
        self.refresh()

    def apply_run_event(self, event: RunEvent) -> None:
        """Show one engine event on its node (called from the batched repaint timer)."""
        node = self.canvas.flow_node(event.node)
        if node is None:
            return
        if isinstance(event, _RESULTS):
            self._last[event.node] = event
            self.result_keys[event.node] = self._run_keys.get(event.node)
            self.cancelled.discard(event.node)
        elif isinstance(event, NodeCancelled):
            self._last[event.node] = event
            self.result_keys.pop(event.node, None)
            self.cancelled.add(event.node)
            self._mark(event.node)
        elif isinstance(event, NodeOutput):
            self._last[event.node] = event
        self._draw(node, event)
        if isinstance(event, _RESULTS):
            self._mark(event.node)

    def redraw(self) -> None:
        """Draw the last event of every node again (the canvas rebuilt its nodes)."""
        for node_id, event in self._last.items():
            node = self.canvas.flow_node(node_id)
            if node is not None:
                self._draw(node, event)
        self.schedule_refresh()

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
        if not self._pending:
            self._pending = True
            QtCore.QTimer.singleShot(0, self.refresh)

    def refresh(self) -> None:
        """Compare every shown result's key with the node's key now."""
        self._pending = False
        try:
            self.current_keys = plan_keys(plan_run(self.repo, self.flow, "all"))
        except RepositoryError:
            self.current_keys = {}  # a flow that cannot run: every result is out of date
        before = set(self.stale)
        for node_id in list(self.result_keys):
            if node_id not in self.flow.nodes:
                self.result_keys.pop(node_id)
                self.cancelled.discard(node_id)
                self._last.pop(node_id, None)
                self.stale.discard(node_id)
            else:
                self._mark(node_id, notify=False)
        if self.stale != before:
            self.stale_changed.emit(set(self.stale))

    def _mark(self, node_id: str, notify: bool = True) -> None:
        shown = node_id in self.result_keys
        key = self.result_keys.get(node_id)
        stale = shown and (node_id not in self.current_keys or self.current_keys[node_id] != key)
        was = node_id in self.stale
        (self.stale.add if stale else self.stale.discard)(node_id)
        node = self.canvas.flow_node(node_id)
        if node is not None:
            node.set_stale(stale)
        if notify and stale != was:
            self.stale_changed.emit(set(self.stale))
