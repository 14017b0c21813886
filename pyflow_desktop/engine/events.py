"""Typed run events, sent to a sink callable in the order the scheduler decides them.

Every event has ``type`` (the name the CLI prints), ``node`` (a node id; ``""`` for
``RunFinished``) and ``time`` (seconds since the epoch). ``to_dict()`` gives the JSON shape
of ``pyflow-desktop run --events``. Events are slotted dataclasses, not frozen ones (a run
makes three per node, and a frozen one costs twice as much to make): every consumer of a
run shares them, so treat them as read-only.

Values reach listeners as **views**, never as the values themselves: ``NodeOutput.value``
is the view of a streamed value, ``NodeFinished.outputs`` and ``NodeCached.outputs`` map
each output port to the view of its value (``views.make_view``: a mapping of JSON data —
``type``, ``repr``, the value itself when JSON holds it within 1 MB, a table's first rows, a
series, a thumbnail...). That is the contract with the window: every executor gives the
same views, and a view made in a worker process is JSON the window only parses (read its
parts as untrusted data). The value itself, or more of it (a page of rows, a whole
series), comes from the run's result on demand (``RunResult.output``, ``fetch``). In
``to_dict()`` a view is what a result prints of its value (``views.shown``).
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from .jsonable import to_jsonable
from .views import shown


@dataclass(slots=True)
class RunEvent:
    type: ClassVar[str] = "event"
    node: str
    time: float = field(default_factory=_time.time, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "outputs":  # views
                data["outputs"] = {port: shown(view) for port, view in value.items()}
            elif item.name == "value":  # a partial value's view
                data["value"] = shown(value)
            else:
                data[item.name] = to_jsonable(value)
        return data


@dataclass(slots=True)
class NodeQueued(RunEvent):
    type: ClassVar[str] = "queued"


@dataclass(slots=True)
class NodeStarted(RunEvent):
    type: ClassVar[str] = "started"


@dataclass(slots=True)
class NodeOutput(RunEvent):
    """A generator node yielded a value (its ``index``-th, from 0); ``value`` is its view."""

    type: ClassVar[str] = "partial"
    value: Any = None
    index: int = 0


@dataclass(slots=True)
class NodeFinished(RunEvent):
    type: ClassVar[str] = "finished"
    outputs: Mapping[str, Any] = field(default_factory=dict)  # port → view
    elapsed: float = 0.0
    stdout: str = ""
    stderr: str = ""


@dataclass(slots=True)
class NodeFailed(RunEvent):
    type: ClassVar[str] = "failed"
    error: str = ""
    traceback: str = ""
    elapsed: float = 0.0
    stdout: str = ""
    stderr: str = ""


@dataclass(slots=True)
class NodeSkipped(RunEvent):
    """Not run because ``failed_ancestor`` failed (or was cancelled)."""

    type: ClassVar[str] = "skipped"
    reason: str = ""
    failed_ancestor: str = ""


@dataclass(slots=True)
class NodeCached(RunEvent):
    type: ClassVar[str] = "cached"
    outputs: Mapping[str, Any] = field(default_factory=dict)  # port → view


@dataclass(slots=True)
class NodeCancelled(RunEvent):
    type: ClassVar[str] = "cancelled"
    reason: str = "stopped"


@dataclass(slots=True)
class RunFinished(RunEvent):
    """The last event of every run; ``counts`` maps each status to its number of nodes."""

    type: ClassVar[str] = "run_finished"
    node: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    ok: bool = True


EVENT_TYPES = {
    cls.type: cls
    for cls in (
        NodeQueued,
        NodeStarted,
        NodeOutput,
        NodeFinished,
        NodeFailed,
        NodeSkipped,
        NodeCached,
        NodeCancelled,
        RunFinished,
    )
}
