"""The arguments a planned node is called with: the call convention's inputs.

Positional, by port order: an input takes its link's value, else its manual value, else its
default, else ``None``; whichever it takes is converted by the input's port type (a linked
value too, as the original did), and a linked ``None`` falls back to the default.
"""

from __future__ import annotations

from typing import Any

from ..repository import ConversionError, convert_linked, convert_value
from .plan import PlannedNode

# A value of exactly this Python type already is of this port type: it arrives as it is
# (what ``convert_linked`` decides too, only sooner: most links join ports of one type).
_SAME_TYPE = {int: "Int", float: "Float", str: "String", bool: "Boolean"}


def call_arguments(
    planned: PlannedNode, outputs: dict[str, dict[str, Any]]
) -> tuple[list[Any], str | None]:
    """The positional arguments of ``planned`` and the first conversion problem, if any.

    ``outputs`` holds the outputs of the nodes that ran (node id → port → value); a link whose
    source has no value yet gives ``None`` (used to show what a skipped node would have
    received). A value that cannot be converted is passed as it is, and named in the problem.
    """
    args: list[Any] = []
    problem = None
    for port in planned.inputs:
        link = planned.links.get(port.name)
        value = None
        if link is not None:
            source = outputs.get(link.source)
            value = source.get(link.source_port) if source is not None else None
        if value is not None and (not port.typed or _SAME_TYPE.get(type(value)) == port.type):
            args.append(value)  # no declared type (taken as it is), or of the port's own type
        elif value is not None:
            try:
                args.append(convert_linked(value, port.type))
            except ConversionError as exc:
                args.append(value)
                problem = problem or f"input {port.name!r} {exc} (from {link.source_ref})"
        else:
            raw = port.default if link is not None else planned.values.get(port.name, port.default)
            try:
                args.append(convert_value(raw, port.type))
            except ConversionError as exc:
                args.append(raw)
                problem = problem or f"input {port.name!r}: {exc}"
    return args, problem
