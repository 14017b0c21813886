"""Turns node values into JSON-compatible data for results, events and the CLI."""

from __future__ import annotations

import math
from typing import Any

from ..repository.port_types import HUGE_INT_BITS, SafeRepr

MAX_DEPTH = 50
_SCALARS = (str, bool, type(None))
_REPR = SafeRepr()
_REPR.maxlevel = 3
_REPR.maxstring = _REPR.maxother = 100_000


def to_jsonable(value: Any, _depth: int = 0) -> Any:
    """A JSON-safe copy of ``value``: arrays become lists, bytes text, the rest ``repr``.

    Below ``MAX_DEPTH`` levels of nesting, and for objects that are not plain data, the
    ``repr`` is reprlib's bounded one, so a value nested thousands deep cannot overflow.
    """
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= HUGE_INT_BITS else _REPR.repr(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if _depth > MAX_DEPTH:
        return _REPR.repr(value)
    if isinstance(value, dict):
        return {str(key): to_jsonable(item, _depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=_REPR.repr) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(item, _depth + 1) for item in items]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars, without importing numpy
    if callable(tolist):
        try:
            return to_jsonable(tolist(), _depth + 1)
        except Exception:
            return _REPR.repr(value)
    return _REPR.repr(value)
