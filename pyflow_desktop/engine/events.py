"""Typed run events, sent to a sink callable in the order the scheduler decides them.

Every event has ``type`` (the name the CLI prints), ``node`` (a node id; ``""`` for
``RunFinished``) and ``time`` (seconds since the epoch). ``to_dict()`` gives the JSON shape
of ``pyflow-desktop run --events``. Events are slotted dataclasses, not frozen ones (a run
makes three per node, and a frozen one costs twice as much to make): every consumer of a
run shares them, so treat them as read-only.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from .jsonable import to_jsonable


@dataclass(slots=True)
class RunEvent:
    type: ClassVar[str] = "event"
    node: str
    time: float = field(default_factory=_time.time, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        for item in fields(self):
            data[item.name] = to_jsonable(getattr(self, item.name))
        return data


@dataclass(slots=True)
class NodeQueued(RunEvent):
    type: ClassVar[str] = "queued"


@dataclass(slots=True)
class NodeStarted(RunEvent):
    type: ClassVar[str] = "started"


@dataclass(slots=True)
class NodeOutput(RunEvent):
    """A generator node yielded ``value`` (its ``index``-th value, from 0)."""

    type: ClassVar[str] = "partial"
    value: Any = None
    index: int = 0


@dataclass(slots=True)
class NodeFinished(RunEvent):
    type: ClassVar[str] = "finished"
    outputs: dict[str, Any] = field(default_factory=dict)
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
    outputs: dict[str, Any] = field(default_factory=dict)


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
