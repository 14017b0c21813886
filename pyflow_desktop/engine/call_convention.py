"""How a node is called: the one place for it, shared by the engine and exported scripts.

- Compile: a spec's ``func`` source is compiled once (``func_code``, cached by source) and
  its lines are registered in ``linecache``, so a traceback shows them.
- Namespace: every call runs that code in a fresh namespace (``call_node``), as the
  original did: module state (a module-level ``calls = []``) starts afresh at each node call,
  on every executor, in Test and in an exported script. Two shortcuts keep a trivial node
  cheap, neither of which a node can tell: a source that does nothing but ``def func`` is
  not run, its function is made directly, as running it would (``_bare_func``); and after
  the call, a namespace that nothing but the call holds is emptied (the function and its
  namespace hold each other: left to the cyclic garbage collector, the pair cost more than
  the node).
- Arguments (``call_arguments``; its halves ``manual_argument`` and ``linked_argument``):
  positional, by port order. An input takes its link's value,
  else its manual value, else its default, else ``None``; whichever it takes is converted by
  the input's port type (a port with no type is a String), a linked value too; a linked
  ``None`` falls back to the default.
- Outputs (``map_outputs``): one output takes the return value (one not named ``out`` takes
  ``value[name]`` when the function returns a dict holding that name, the original's
  rule); several take a returned dict keyed by output name, and a missing key fails the node.
- Generators (``drain``): each yielded value goes to ``on_partial``; the last is the output.

Standard library only: ``export-python`` carries this module's source into its scripts, with
that of ``repository.func_source``, ``port_types`` and ``link_types`` it uses (relative
imports left out), so names here must not clash with theirs.
"""

from __future__ import annotations

import builtins
import dis
import linecache
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from sys import getrefcount
from types import CodeType, FunctionType, GeneratorType
from typing import Any

# Left out of an exported script, which holds these modules' source itself:
from ..repository.func_source import FUNC_NAME, compile_source, syntax_message
from ..repository.link_types import convert_linked
from ..repository.port_types import ConversionError, convert_value

DEFAULT_OUTPUT = "out"  # the original's name for a spec's one output
# A value of exactly this Python type already is of this port type: it arrives as it is
# (what ``convert_linked`` decides too, only sooner: most links join ports of one type).
_SAME_TYPE = {int: "Int", float: "Float", str: "String", bool: "Boolean"}
_BUILTINS = builtins.__dict__  # what exec puts in a namespace as its __builtins__
_NO_STEPS = {"RESUME", "NOP", "CACHE"}  # instructions that do nothing
_MODULE_ENDS = ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])


class NodeCodeError(Exception):
    """The func source does not compile or does not define ``func``."""


class Cancelled(Exception):
    """Raised inside a generator node when the run is stopped."""


@lru_cache(maxsize=1024)
def func_code(source: str, filename: str) -> tuple[CodeType, CodeType | None]:
    """``source`` compiled under ``filename`` (the name tracebacks give its lines), and the
    code of its ``func`` when that is all it defines (``_bare_func``)."""
    try:
        code = compile_source(source, filename)
    except SyntaxError as exc:
        raise NodeCodeError(syntax_message(exc)) from exc
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    return code, _bare_func(code)


def _bare_func(module: CodeType) -> CodeType | None:
    """The code of ``func`` when ``module`` does nothing but ``def func(...)`` (no import,
    decorator, default or annotation to work out), else ``None``: running such a module
    only makes the function from this code, in its namespace."""
    steps = [(i.opname, i.argval) for i in dis.get_instructions(module)]
    steps = [step for step in steps if step[0] not in _NO_STEPS]
    if len(steps) < 4:
        return None
    (load, func), (make, flags), (store, name), *end = steps
    if (load, make, store, name) != ("LOAD_CONST", "MAKE_FUNCTION", "STORE_NAME", FUNC_NAME):
        return None
    bare = isinstance(func, CodeType) and flags in (0, None) and end in _MODULE_ENDS
    return func if bare else None


def call_arguments(
    ports: Sequence[Any],
    links: Mapping[str, Any],
    values: Mapping[str, Any],
    outputs: Mapping[str, Mapping[str, Any]],
) -> tuple[list[Any], str | None]:
    """A node's positional arguments and the first conversion problem, if any.

    ``ports``: its inputs in call order (each with ``name``, ``type``, ``default``);
    ``links``: input name → the link feeding it (``source``, ``source_port``); ``values``:
    input name → manual value; ``outputs``: node id → output name → value, for the nodes
    that ran (a link whose source has no value gives ``None``). A value that cannot be
    converted is passed as it is, and named in the problem. Where values live apart from
    the run (worker processes), the owner takes the manual half (``manual_argument``) and
    the worker the linked one (``linked_argument``).
    """
    args: list[Any] = []
    problem = None
    for port in ports:
        link = links.get(port.name)
        if link is None:
            arg, found = manual_argument(values.get(port.name, port.default), port)
        else:
            source = outputs.get(link.source)
            value = source.get(link.source_port) if source is not None else None
            if value is not None and (
                port.type == "Any" or _SAME_TYPE.get(type(value)) == port.type
            ):  # as it is: what linked_argument gives, without the call
                args.append(value)
                continue
            arg, found = linked_argument(value, port, link)
        args.append(arg)
        problem = problem or found
    return args, problem


def manual_argument(raw: Any, port: Any) -> tuple[Any, str | None]:
    """A typed-in value (or a default) as ``port`` takes it, and the problem, if any."""
    try:
        return convert_value(raw, port.type), None
    except ConversionError as exc:
        return raw, f"input {port.name!r}: {exc}"


def linked_argument(value: Any, port: Any, link: Any) -> tuple[Any, str | None]:
    """A linked value as ``port`` takes it (``None``: its default), and the problem, if any;
    ``link`` (``source``, ``source_port``) is named in the problem."""
    if value is None:
        return manual_argument(port.default, port)
    if _SAME_TYPE.get(type(value)) == port.type:
        return value, None
    try:
        return convert_linked(value, port.type), None
    except ConversionError as exc:
        return value, f"input {port.name!r} {exc} (from {link.source}:{link.source_port})"


def map_outputs(value: Any, output_names: Sequence[str]) -> dict[str, Any]:
    """A function's return value as its outputs, by output name."""
    if not output_names:
        return {}
    if len(output_names) == 1:
        name = output_names[0]
        if name != DEFAULT_OUTPUT and isinstance(value, dict) and name in value:
            return {name: value[name]}
        return {name: value}
    if not isinstance(value, dict):
        raise TypeError(
            f"func must return a dict with keys {', '.join(map(repr, output_names))} "
            f"(one per output), not {type(value).__name__}"
        )
    missing = [name for name in output_names if name not in value]
    if missing:
        raise KeyError(f"func returned no value for output(s) {', '.join(map(repr, missing))}")
    return {name: value[name] for name in output_names}


def drain(
    generator: GeneratorType,
    on_partial: Callable[[Any, int], None] | None,
    cancelled: Any = None,
) -> Any:
    """Run a generator node to its end: each value to ``on_partial``; the last one returned.

    ``cancelled`` (anything with ``is_set()``) stops it between two values."""
    last = None
    for index, value in enumerate(generator):
        last = value
        if on_partial is not None:
            on_partial(value, index)
        if cancelled is not None and cancelled.is_set():
            generator.close()
            raise Cancelled("stopped while streaming")
    return last


def call_node(
    source: str,
    filename: str,
    args: Sequence[Any],
    output_names: Sequence[str],
    on_partial: Callable[[Any, int], None] | None = None,
    cancelled: Any = None,
) -> dict[str, Any]:
    """Run ``source`` in a fresh namespace and call its ``func`` with ``args``; the outputs by
    name. Raises what the node raised."""
    code, bare = func_code(source, filename)
    namespace: dict[str, Any] = {"__name__": "pyflow_node", "__builtins__": _BUILTINS}
    func: Any
    if bare is not None:  # what running the module would do
        func = namespace[FUNC_NAME] = FunctionType(bare, namespace)
    else:
        exec(code, namespace)  # noqa: S102 — node code, run when asked to
        func = namespace.get(FUNC_NAME)
        if not callable(func):
            raise NodeCodeError(f"the source does not define a function named {FUNC_NAME!r}")
    result = func(*args)
    if isinstance(result, GeneratorType):
        result = drain(result, on_partial, cancelled)
    # Held only here (our names, the function's globals, getrefcount's argument): the
    # namespace and its function can no longer be reached, so their cycle is broken now.
    if getrefcount(namespace) == 3 and getrefcount(func) == 3:
        namespace.clear()
    return map_outputs(result, output_names)


def error_text(exc: BaseException) -> str:
    """How a node's error is told in its result: ``Type: message``."""
    if isinstance(exc, NodeCodeError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
