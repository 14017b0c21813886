"""Turns node values into JSON-compatible data for results, events and the CLI."""

from __future__ import annotations

import math
from typing import Any

_SCALARS = (str, int, bool, type(None))


def to_jsonable(value: Any, _depth: int = 0) -> Any:
    """A JSON-safe copy of ``value``: arrays become lists, bytes text, the rest ``repr``."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if _depth > 50:
        return repr(value)
    if isinstance(value, dict):
        return {str(key): to_jsonable(item, _depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(item, _depth + 1) for item in items]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, without importing numpy
    if callable(tolist):
        try:
            return to_jsonable(tolist(), _depth + 1)
        except Exception:
            return repr(value)
    return repr(value)
