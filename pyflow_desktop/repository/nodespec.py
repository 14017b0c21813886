"""NodeSpec: a small Python function with ordered input ports and named output ports."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .func_source import FUNC_NAME, compile_source, syntax_message
from .port_types import DEFAULT_TYPE


def func_problem(source: str) -> str | None:
    """Why ``source`` cannot be a node function (a syntax error, no ``func``), or ``None``."""
    try:
        code = compile_source(source)
    except SyntaxError as exc:
        return syntax_message(exc)
    if FUNC_NAME not in code.co_names:
        return f"the source does not define a function named {FUNC_NAME!r}"
    return None


@dataclass
class Port:
    """One input or output port. ``extra`` keeps keys we do not know, for round trips.

    ``typed`` is False when the file gave no type: such a port is a String (the original's
    rule) in every respect, and a save writes no type for it, as the file had none.
    """

    name: str
    type: str = DEFAULT_TYPE
    order: int = 0
    default: Any = None
    required: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    typed: bool = True


@dataclass
class NodeSpec:
    """A reusable node definition; ``func`` is source code defining a function ``func``."""

    id: str
    title: str
    inputs: list[Port] = field(default_factory=list)
    outputs: list[Port] = field(default_factory=lambda: [Port("out")])
    func: str = "def func():\n    return None\n"
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Whether the file spelled out ``port.output``; the original treats a missing one as "out".
    explicit_outputs: bool = True

    def ordered_inputs(self) -> list[Port]:
        """Inputs in call order: by ``order``, then by position in the file."""
        return sorted(self.inputs, key=lambda port: port.order)

    def input(self, name: str) -> Port | None:
        return next((port for port in self.inputs if port.name == name), None)

    def output(self, name: str) -> Port | None:
        return next((port for port in self.outputs if port.name == name), None)

    def copy(self, **changes: Any) -> NodeSpec:
        """A deep-enough copy: ports are copied so edits never alias the original."""
        spec = replace(self, **changes)
        if "inputs" not in changes:
            spec.inputs = [replace(port, extra=dict(port.extra)) for port in self.inputs]
        if "outputs" not in changes:
            spec.outputs = [replace(port, extra=dict(port.extra)) for port in self.outputs]
        if "extra" not in changes:
            spec.extra = dict(self.extra)
        return spec
