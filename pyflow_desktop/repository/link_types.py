"""Which port types a link may join, and how a linked value is converted on arrival.

The original PyFlow converted a linked value by the input port's type, as it converted a
typed-in value: an Int 7 into a String input arrives as ``"7"``. ``link_conversion(source,
target)`` is the one table of what a link between two declared types does — ``"exact"`` (the
value arrives as it is), ``"convert"`` (it is converted by the input's type) or ``None`` (no
such link); the canvas asks it which links to accept and which to draw as converted, and
``convert_linked`` asks it at run time, by the type of the value itself.

This module and ``port_types`` use the standard library only: an exported script
(``pyflow-desktop export-python``) carries their source, so it converts exactly as a run does.
"""

from __future__ import annotations

from typing import Any, Literal

from .port_types import (
    _SHORT,
    PORT_TYPES,
    ConversionError,
    _convert,
    _ndim,
    _scalar_kind,
    check_value,
)

LinkConversion = Literal["exact", "convert"]
EXACT: LinkConversion = "exact"
CONVERT: LinkConversion = "convert"

# source type → target type → what a link does, besides the same type and Any. A String is
# parsed like a typed-in value; other values are converted where no information is lost
# (a Float with a fraction into Int fails when it arrives: nothing is truncated).
_LINKS: dict[str, dict[str, LinkConversion]] = {
    "String": {
        "Int": CONVERT,
        "Long": CONVERT,
        "Float": CONVERT,
        "Boolean": CONVERT,
        "List": CONVERT,
        "Json": CONVERT,
        "FloatArray": CONVERT,
    },
    "Int": {"Long": EXACT, "Float": CONVERT, "String": CONVERT, "Json": EXACT},
    "Long": {"Int": EXACT, "Float": CONVERT, "String": CONVERT, "Json": EXACT},
    "Float": {"Int": CONVERT, "Long": CONVERT, "String": CONVERT, "Json": EXACT},
    "Boolean": {"String": CONVERT, "Json": EXACT},
    "List": {"String": CONVERT, "Json": EXACT, "FloatArray": CONVERT},
    "Json": {"String": CONVERT},
    "FloatArray": {"List": EXACT, "String": CONVERT, "Json": CONVERT},
    "Image": {},
}


def link_conversion(source_type: str, target_type: str) -> LinkConversion | None:
    """What a link from an output of ``source_type`` into an input of ``target_type`` does.

    ``"exact"``: the value arrives as it is; ``"convert"``: it is converted by the input's
    type when it arrives (and that may fail for some values, e.g. ``"abc"`` into Int);
    ``None``: no conversion exists, the link is refused. An ``Any`` output feeds every
    input, converted by the input's type; an ``Any`` input takes every value as it is.
    """
    if source_type == target_type or target_type == "Any":
        return EXACT
    if source_type == "Any":
        return CONVERT
    return _LINKS.get(source_type, {}).get(target_type)


def value_type(value: Any) -> str | None:
    """The port type a value is by itself (``None`` for ``None`` and objects of no type)."""
    kind = _scalar_kind(value)
    if isinstance(value, bool) or kind == "b":
        return "Boolean"
    if isinstance(value, int) or kind in ("i", "u"):
        return "Int"
    if isinstance(value, float) or kind == "f":
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, dict):
        return "Json"
    if isinstance(value, (list, tuple)):
        return "List"
    ndim = _ndim(value)
    if ndim == 1:
        return "FloatArray" if getattr(value.dtype, "kind", "") in "biuf" else "List"
    if ndim in (2, 3):
        return "Image"
    return None


def convert_linked(value: Any, port_type: str) -> Any:
    """A linked value as an input of ``port_type`` receives it; ``ConversionError`` if it cannot.

    A value that already is of the input's type arrives as it is; otherwise it is converted
    as ``link_conversion`` says for the value's own type. ``None`` arrives as ``None`` (the
    caller decides about defaults). The error reads ``(Int) cannot take float 2.5: ...``.
    """
    if value is None or port_type == "Any" or port_type not in PORT_TYPES:
        return value
    kind = value_type(value)
    needs_conversion = (port_type, kind) in (("Float", "Int"), ("Json", "String"))
    if kind == port_type or (not needs_conversion and check_value(value, port_type) is None):
        return value
    if kind is None or link_conversion(kind, port_type) is None:
        reason = f"no conversion from {kind} to {port_type}" if kind else "it has no port type"
        raise _cannot_take(value, port_type, reason)
    try:
        converted = _convert(value, port_type)
    except (ValueError, TypeError) as exc:
        raise _cannot_take(value, port_type, str(exc)) from None
    problem = check_value(converted, port_type)
    if problem:
        raise _cannot_take(value, port_type, problem)
    return converted


def _cannot_take(value: Any, port_type: str, reason: str) -> ConversionError:
    shown = _SHORT.repr(value)
    return ConversionError(f"({port_type}) cannot take {type(value).__name__} {shown}: {reason}")
