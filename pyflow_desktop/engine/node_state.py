"""What the events of a node's runs say of it: ``NodeState``, and ``fold`` that makes it.

An output is held as its event carried it. Readers show it through ``ui.value_text`` and
the viewers and do not look inside it, so that an output can become a view made where the
value lives, with the whole value fetched on demand, without changing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
)
from .node_call import failing_line


@dataclass(slots=True)
class NodeState:
    """What the runs of a node said of it, folded from its events."""

    status: str = "pending"
    outputs: dict[str, Any] = field(default_factory=dict)
    partial: Any = None  # the last value it streamed
    streaming: bool = False
    error: str = ""
    traceback: str = ""
    error_line: int | None = None  # the line of its spec's code where it failed
    stdout: str = ""
    stderr: str = ""
    elapsed: float | None = None

    def outputs_now(self, names: Sequence[str]) -> dict[str, Any]:
        """Its outputs, named ``names``: those streamed so far while it runs (a node of
        several outputs streams a dict of them), else those it finished with."""
        if not self.streaming:
            return self.outputs
        if len(names) == 1:
            return {names[0]: self.partial}
        if not isinstance(self.partial, dict):
            return {}
        return {name: value for name, value in self.partial.items() if name in names}


def fold(states: dict[str, NodeState], event: RunEvent, spec_id: str | None) -> None:
    """Fold ``event`` into the state of its node in ``states``; ``spec_id``: the spec whose
    code the node runs (for the line where it failed), if it runs one."""
    state = states.setdefault(event.node, NodeState())
    if isinstance(event, NodeQueued):
        state.status = "queued"
    elif isinstance(event, NodeStarted):
        states[event.node] = NodeState("running")
    elif isinstance(event, NodeOutput):
        state.partial, state.streaming = event.value, True
    elif isinstance(event, NodeFinished | NodeCached):
        state.status = "success" if isinstance(event, NodeFinished) else "cached"
        state.outputs, state.streaming = dict(event.outputs), False
        if isinstance(event, NodeFinished):
            state.elapsed, state.stdout, state.stderr = event.elapsed, event.stdout, event.stderr
    elif isinstance(event, NodeFailed):
        state.status, state.error, state.traceback = "fail", event.error, event.traceback
        state.elapsed, state.stdout, state.stderr = event.elapsed, event.stdout, event.stderr
        if spec_id is not None:
            state.error_line = failing_line(spec_id, event.error, event.traceback)
    elif isinstance(event, NodeSkipped):
        state.status, state.error = "skip", event.reason
    elif isinstance(event, NodeCancelled):
        state.status, state.error = "cancelled", event.reason
