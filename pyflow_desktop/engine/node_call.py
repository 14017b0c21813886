"""Running one node: ``NodeTask`` in, ``NodeOutcome`` out, on any executor.

``NodeTask`` holds everything needed to run one node (plain data, so it can cross a process
boundary); ``execute_node`` calls it by the call convention (``call_convention``), capturing
what it prints, how long it took and, when it fails, the error, the traceback from the
user's code on and the line of the node's source where it happened.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .call_convention import call_node, error_text
from .capture import Capture


class StopFlag(Protocol):
    """What stops a streaming node between two values: a ``threading.Event`` or the like."""

    def is_set(self) -> bool: ...


@dataclass(slots=True)
class NodeTask:
    """``args``: the values (a ``handles.Linked`` for a value a worker holds); ``scope``:
    where a worker keeps the outputs (the run's id, or the node's cache key); ``folder``:
    the folder the node runs in; ``views``: whether its values' full views are wanted (a
    listener watches the run); ``expected``: seconds it is expected to take, if known."""

    node_id: str
    func_source: str
    args: list[Any]
    output_names: Sequence[str]
    label: str = ""
    scope: str = ""
    folder: str | None = None
    views: bool = True
    expected: float | None = None


@dataclass(slots=True)
class NodeOutcome:
    node_id: str
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    traceback: str = ""
    stdout: str = ""
    stderr: str = ""
    elapsed: float = 0.0
    error_line: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def execute_node(
    task: NodeTask,
    on_partial: Callable[[Any, int], None] | None = None,
    cancelled: StopFlag | None = None,
) -> NodeOutcome:
    """Run one node, capturing its output; never raises for errors in the node's code."""
    outputs: dict[str, Any] = {}
    error, trace, line = None, "", None
    filename = f"<{task.label or task.node_id}>"  # names the node in tracebacks
    start = time.perf_counter()
    with Capture() as capture:
        try:
            outputs = call_node(
                task.func_source, filename, task.args, task.output_names, on_partial, cancelled
            )
        except BaseException as exc:  # a node may raise anything, SystemExit included
            if isinstance(exc, KeyboardInterrupt):
                raise
            error = error_text(exc)
            trace = user_traceback(exc, filename)
            line = _node_line(exc, filename)
    elapsed = time.perf_counter() - start
    return NodeOutcome(task.node_id, outputs, error, trace, *capture.texts(), elapsed, line)


def user_traceback(exc: BaseException, filename: str) -> str:
    """The traceback of ``exc`` from the first frame of the user's code (``filename``) on;
    the engine's own frames above it are left out. An error outside the user's code (a
    wrong return value, a syntax error) is told without frames."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    if tb is None:
        return "".join(traceback.format_exception_only(exc))
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _node_line(exc: BaseException, filename: str) -> int | None:
    """The line of the node's own source (``filename``) where the error happened, if any."""
    if isinstance(exc.__cause__, SyntaxError):
        return exc.__cause__.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


def failing_line(spec_id: str, error: str, trace: str) -> int | None:
    """The line of ``spec_id``'s code a failed node stopped at, from its ``error`` and
    traceback (``trace``) as its run reported them: the last frame of its code, or the line
    of a syntax error."""
    frames = re.findall(rf'File "<{re.escape(spec_id)}>", line (\d+)', trace)
    if frames:
        return int(frames[-1])
    syntax = re.match(r"syntax error in func, line (\d+)", error)
    return int(syntax.group(1)) if syntax else None
