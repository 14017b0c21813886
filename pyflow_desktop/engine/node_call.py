"""Compiling a nodespec's ``func`` and calling it once, the original PyFlow's way.

``NodeTask`` holds everything needed to run one node (plain data, so it can cross a process
boundary); ``execute_node`` runs it and returns a ``NodeOutcome``. Inputs are passed
positionally; a single output takes the return value, several outputs take a returned dict;
a generator streams each yielded value through ``on_partial`` and its last value is the output.
"""

from __future__ import annotations

import linecache
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import GeneratorType
from typing import Any

from ..repository.nodespec import FUNC_NAME, compile_source, syntax_message
from .capture import Capture


class NodeCodeError(Exception):
    """The func source does not compile or does not define ``func``."""


@dataclass(slots=True)
class NodeTask:
    node_id: str
    func_source: str
    args: list[Any]
    output_names: Sequence[str]
    label: str = ""


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


@lru_cache(maxsize=1024)
def compile_func(source: str, filename: str = "<nodespec>") -> Callable[..., Any]:
    """Compile ``source`` and return its ``func``. Runs the source's top-level code.

    The source is registered under ``filename`` in ``linecache``, so a traceback through the
    user's code shows its lines."""
    try:
        code = compile_source(source, filename)
    except SyntaxError as exc:
        raise NodeCodeError(syntax_message(exc)) from exc
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    namespace: dict[str, Any] = {"__name__": "pyflow_node"}
    exec(code, namespace)  # noqa: S102 — node code runs only when the user runs a flow
    func = namespace.get(FUNC_NAME)
    if not callable(func):
        raise NodeCodeError(f"the source does not define a function named {FUNC_NAME!r}")
    return func


def map_outputs(value: Any, output_names: Sequence[str]) -> dict[str, Any]:
    """Assign a return value to output ports (one port: the value; several: a dict)."""
    if not output_names:
        return {}
    if len(output_names) == 1:
        return {output_names[0]: value}
    if not isinstance(value, dict):
        raise TypeError(
            f"func must return a dict with keys {', '.join(map(repr, output_names))} "
            f"(one per output), not {type(value).__name__}"
        )
    missing = [name for name in output_names if name not in value]
    if missing:
        raise KeyError(f"func returned no value for output(s) {', '.join(map(repr, missing))}")
    return {name: value[name] for name in output_names}


def execute_node(
    task: NodeTask,
    on_partial: Callable[[Any, int], None] | None = None,
    cancelled: threading.Event | None = None,
) -> NodeOutcome:
    """Run one node, capturing its output; never raises for errors in the node's code."""
    outputs: dict[str, Any] = {}
    error, trace, line = None, "", None
    start = time.perf_counter()
    with Capture() as capture:
        try:
            func = compile_func(task.func_source, _filename(task))
            result = func(*task.args)
            if isinstance(result, GeneratorType):
                result = _drain(result, on_partial, cancelled)
            outputs = map_outputs(result, task.output_names)
        except BaseException as exc:  # a node may raise anything, SystemExit included
            if isinstance(exc, KeyboardInterrupt):
                raise
            error = _error_text(exc)
            trace = user_traceback(exc, _filename(task))
            line = _node_line(exc, task)
    elapsed = time.perf_counter() - start
    return NodeOutcome(task.node_id, outputs, error, trace, *capture.texts(), elapsed, line)


class Cancelled(Exception):
    """Raised inside a generator node when the run is stopped."""


def _drain(generator, on_partial, cancelled) -> Any:
    last = None
    for index, value in enumerate(generator):
        last = value
        if on_partial is not None:
            on_partial(value, index)
        if cancelled is not None and cancelled.is_set():
            generator.close()
            raise Cancelled("stopped while streaming")
    return last


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, NodeCodeError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _filename(task: NodeTask) -> str:
    """The name the node's source is compiled under: it names the node in tracebacks."""
    return f"<{task.label or task.node_id}>"


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


def _node_line(exc: BaseException, task: NodeTask) -> int | None:
    """The line of the node's own source where the error happened, if any."""
    if isinstance(exc.__cause__, SyntaxError):
        return exc.__cause__.lineno
    filename = _filename(task)
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line
