"""Port types and the conversion of manual (typed-in) values to them.

The original PyFlow knew seven types; we add ``FloatArray``, ``Image`` and ``Any``. A manual
value is usually the string a person typed; ``convert_value`` turns it into the Python value
the node function receives. Nothing here ever evaluates code: strings are parsed as JSON or
by the type's own rules.
"""

from __future__ import annotations

import json
from typing import Any

ORIGINAL_TYPES = ("Boolean", "Int", "Long", "Float", "String", "List", "Json")
EXTRA_TYPES = ("FloatArray", "Image", "Any")
PORT_TYPES = ORIGINAL_TYPES + EXTRA_TYPES
DEFAULT_TYPE = "String"

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


class ConversionError(ValueError):
    """A manual value cannot be converted to its port's type."""


def convert_value(value: Any, port_type: str) -> Any:
    """Convert a manual value to ``port_type``; raise ``ConversionError`` saying why not."""
    converter = _CONVERTERS.get(port_type)
    if converter is None or value is None:
        return value
    try:
        return converter(value)
    except ConversionError:
        raise
    except (ValueError, TypeError) as exc:
        raise ConversionError(f"cannot read {value!r} as {port_type}: {exc}") from None


def _to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ConversionError(f"cannot read {value!r} as Int: it has a fractional part")
    if isinstance(value, str):
        return int(value.strip())
    raise ConversionError(f"cannot read {value!r} as Int: got {type(value).__name__}")


def _to_float(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    raise ConversionError(f"cannot read {value!r} as Float: got {type(value).__name__}")


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
    raise ConversionError(
        f"cannot read {value!r} as Boolean: use true/false, yes/no, 1/0 or on/off"
    )


def _to_list(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    if not isinstance(value, str):
        raise ConversionError(f"cannot read {value!r} as List: got {type(value).__name__}")
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
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ConversionError(f"cannot read {value!r} as Json: {exc}") from None
    return value


def _to_float_array(value: Any) -> list[float]:
    items = _to_list(value)
    return [_to_float(item) for item in items]


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
