"""Port types and the conversion of manual (typed-in) values to them.

The original PyFlow knew seven types; we add ``FloatArray``, ``Image`` and ``Any``. A manual
value is usually the string a person typed; ``convert_value`` turns it into the Python value
the node function receives. Nothing here ever evaluates code: strings are parsed as JSON or
by the type's own rules.
"""

from __future__ import annotations

import json
import reprlib
from typing import Any

ORIGINAL_TYPES = ("Boolean", "Int", "Long", "Float", "String", "List", "Json")
EXTRA_TYPES = ("FloatArray", "Image", "Any")
PORT_TYPES = ORIGINAL_TYPES + EXTRA_TYPES
DEFAULT_TYPE = "String"

HUGE_INT_BITS = 10_000  # about 3,000 digits: Python refuses to print past 4,300


class SafeRepr(reprlib.Repr):
    """reprlib's bounded repr that also survives integers too long to print."""

    def repr_int(self, value: int, level: int) -> str:
        if value.bit_length() > HUGE_INT_BITS:
            return f"<int of about {int(value.bit_length() * 0.30103):,} digits>"
        return super().repr_int(value, level)


_SHORT = SafeRepr()  # bounded: a mismatch message never walks a huge or deep value
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 2, 40, 40
_TYPED = SafeRepr()  # what a person typed is shown whole, unless it is enormous
_TYPED.maxlevel, _TYPED.maxstring, _TYPED.maxother = 3, 1000, 1000
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off", ""}  # an empty field is false, as in the original


class ConversionError(ValueError):
    """A manual value cannot be converted to its port's type."""


def convert_value(value: Any, port_type: str) -> Any:
    """Convert a manual value to ``port_type``; raise ``ConversionError`` saying why not."""
    try:
        return _convert(value, port_type)
    except RecursionError:
        raise ConversionError(
            f"cannot read {_TYPED.repr(value)} as {port_type}: nested too deeply"
        ) from None
    except (ValueError, TypeError) as exc:
        raise ConversionError(f"cannot read {_TYPED.repr(value)} as {port_type}: {exc}") from None


def _convert(value: Any, port_type: str) -> Any:
    """``value`` converted by ``port_type``'s rules; raises the converter's own error."""
    converter = _CONVERTERS.get(port_type)
    if converter is None or value is None:
        return value
    try:
        return converter(value)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _kind(value: Any) -> str:
    return f"got {type(value).__name__}"


def _to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if _ndim(value) is not None:  # numpy arrays and scalars, as plain numbers and lists
        value = value.tolist()
    return json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)


def _to_int(value: Any) -> int:
    if _scalar_kind(value) in ("i", "u", "f"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError("it has a fractional part")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("+-").isdigit():
            raise ValueError("not a whole number")
        return int(text)
    raise TypeError(_kind(value))


def _to_float(value: Any) -> float:
    if _scalar_kind(value) in ("i", "u", "f"):  # numpy scalars
        return float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise ValueError("not a number") from None
    raise TypeError(_kind(value))


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError("use true/false, yes/no, y/n, 1/0 or on/off")


def _to_list(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    if not isinstance(value, str):
        raise TypeError(_kind(value))
    text = value.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return parsed
    return [item.strip() for item in text.split(",")]


def _to_json(value: Any) -> Any:
    if _ndim(value) is not None:  # numpy arrays and scalars, as plain numbers and lists
        return value.tolist()
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(str(exc)) from None
    return value


def _to_float_array(value: Any) -> list[float]:
    items = _to_list(value)
    numbers = []
    for item in items:
        try:
            numbers.append(_to_float(item))
        except (ValueError, TypeError):
            raise ValueError(f"item {item!r} is not a number") from None
    return numbers


_CONVERTERS = {
    "String": _to_string,
    "Int": _to_int,
    "Long": _to_int,
    "Float": _to_float,
    "Boolean": _to_bool,
    "List": _to_list,
    "Json": _to_json,
    "FloatArray": _to_float_array,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_json(value: Any, depth: int = 0) -> bool:
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if depth > 100:
        return False
    if isinstance(value, (list, tuple)):
        return all(_is_json(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v, depth + 1) for k, v in value.items())
    return False


def _scalar_kind(value: Any) -> str:
    """numpy's dtype kind of a 0-d array or numpy scalar ("-" for anything else)."""
    return getattr(value.dtype, "kind", "-") if _ndim(value) == 0 else "-"


def _ndim(value: Any) -> int | None:
    """Dimensions of a numpy-like array (without importing numpy), else None."""
    ndim = getattr(value, "ndim", None)
    return ndim if isinstance(ndim, int) and hasattr(value, "dtype") else None


def _is_float_array(value: Any) -> bool:
    if _ndim(value) is not None:
        return _ndim(value) == 1 and getattr(value.dtype, "kind", "") in "biuf"
    return isinstance(value, (list, tuple)) and all(_is_number(item) for item in value)


def _is_image(value: Any) -> bool:
    if _ndim(value) is not None:
        return _ndim(value) in (2, 3)
    return (
        isinstance(value, (list, tuple))
        and bool(value)
        and all(isinstance(row, (list, tuple)) and all(map(_is_number, row)) for row in value)
    )


_CHECKS = {
    "String": lambda v: isinstance(v, str),
    "Int": lambda v: isinstance(v, int) and not isinstance(v, bool) or _scalar_kind(v) in "iu",
    "Long": lambda v: isinstance(v, int) and not isinstance(v, bool) or _scalar_kind(v) in "iu",
    "Float": lambda v: _is_number(v) or _scalar_kind(v) in "iuf",
    "Boolean": lambda v: isinstance(v, bool) or _scalar_kind(v) == "b",
    "List": lambda v: isinstance(v, (list, tuple)) or _ndim(v) == 1,
    "Json": _is_json,
    "FloatArray": _is_float_array,
    "Image": _is_image,
}


def check_value(value: Any, port_type: str) -> str | None:
    """Why ``value`` does not fit ``port_type`` (``None`` fits any port), or ``None`` if it does."""
    check = _CHECKS.get(port_type)
    if value is None or check is None or check(value):
        return None
    return f"expects {port_type}, got {type(value).__name__} {_SHORT.repr(value)}"
