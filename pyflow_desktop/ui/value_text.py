"""Bounded text of node values, for canvas previews, tooltips, the inspector and viewers.

Values can be huge (an array of ten million numbers, a generator's 200,000-element lists) or
nested thousands of levels deep, and this text is made on the GUI thread. So the one
formatter here walks a value lazily with an explicit stack (no recursion), and stops as soon
as it has the characters it needs: the cost depends on the text's length, not the value's.

The text is JSON-like: dicts, lists, tuples and sets in brackets, strings quoted, numbers as
Python writes them. Numpy-like arrays (anything with ``shape`` and ``dtype``; numpy is never
imported) are walked item by item; in short text they start with their dtype and shape
(``float64[10000000] [0.0, 1.0, …]``). Containers deeper than ``MAX_DEPTH`` show as ``[…]``,
and other objects show a bounded ``repr``.

``default_text`` is the other way a value reads: a port default or manual value as it is
typed into a field (strings as they are, everything else as JSON).
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..repository import Flow, Repository

MAX_DEPTH = 50
SHORT_ITEMS = 20
FULL_CHARS = 200_000
_INDENT = "  "


class Viewed:
    """A value the window has only the view of (``engine.views``: JSON data): it reads as
    its repr, and a viewer asks for more of it through a ``fetching.ValueSource``."""

    __slots__ = ("view",)

    def __init__(self, view: dict[str, Any]) -> None:
        self.view = view

    def __repr__(self) -> str:
        return str(self.view.get("repr", ""))

    def heading(self) -> str:
        """Its kind and measures: ``DataFrame[100000×3]``, ``float64[512×512]`` (or ``""``)."""
        view = self.view
        shape = view.get("shape") or ([view["length"]] if "length" in view else None)
        if not isinstance(shape, list):
            return ""
        kind = view.get("dtype") or str(view.get("type", "")).rpartition(".")[2]
        return f"{kind}[{'×'.join(map(str, shape))}]"

    def description(self) -> str:
        """Its type, dtype and measures, for a viewer's bar: ``numpy.ndarray · float64 ·
        1,000 × 600``."""
        view = self.view
        shape = view.get("shape") or ([view["length"]] if "length" in view else [])
        measures = " × ".join(f"{n:,}" for n in shape if isinstance(n, int))
        parts = (str(view.get("type", "")), str(view.get("dtype", "")), measures)
        return " · ".join(part for part in parts if part)


def short_text(value: Any, limit: int, *, quote_strings: bool = True) -> str:
    """One line of ``value``, at most ``limit`` characters, from at most its first items.

    ``quote_strings=False`` shows a string value as it is rather than as a JSON string; a
    ``Viewed`` value shows its kind and measures, then its repr.
    """
    room = 2 * limit + 64  # whitespace is collapsed afterwards, so take some more
    if type(value) is Viewed and value.heading():
        text, complete = f"{value.heading()} {value!r}"[:room], True
    elif isinstance(value, str) and not quote_strings:
        text, complete = value[:room], len(value) <= room
    else:
        text, complete = _take(_pieces(value, False, SHORT_ITEMS, room), room)
    text = " ".join(text.split())
    if complete and len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def full_text(value: Any, limit: int = FULL_CHARS) -> str:
    """All of ``value`` (strings as they are, the rest as indented JSON), cut at ``limit``;
    a ``Viewed`` value its kind and measures, then its repr."""
    if type(value) is Viewed:
        return f"{value.description()}\n\n{value!r}"
    if isinstance(value, str):
        if len(value) <= limit:
            return value
        return f"{value[:limit]}\n… ({len(value) - limit:,} more characters not shown)"
    text, complete = _take(_pieces(value, True, None, limit), limit)
    return text if complete else f"{text}\n… (more characters not shown)"


def _take(pieces: Iterator[str], limit: int) -> tuple[str, bool]:
    """The first ``limit`` characters of the joined ``pieces``, and whether that is all."""
    parts, size = [], 0
    for piece in pieces:
        parts.append(piece)
        size += len(piece)
        if size > limit:
            return "".join(parts)[:limit], False
    return "".join(parts), True


_END = object()  # what next() gives when a container has no more items


@dataclass
class _Container:
    """A container being written: its remaining items and how many were written."""

    items: Iterator[Any]
    closing: str
    is_dict: bool
    count: int = 0


def _pieces(value: Any, pretty: bool, max_items: int | None, cut: int) -> Iterator[str]:
    """The text of ``value`` in pieces; ``pretty`` indents, ``max_items`` cuts containers."""
    separator = "," if pretty else ", "
    stack: list[_Container] = []
    item = value
    while True:  # write ``item``, close the containers it finished, then take the next item
        opened = _start(item, len(stack), pretty, cut)
        if isinstance(opened, str):
            yield opened
        else:
            yield opened[0]
            stack.append(opened[1])
        while stack:
            container = stack[-1]
            entry = next(container.items, _END)
            if entry is not _END and container.count == max_items:
                container.items, entry = iter(()), _END
                yield separator + "…"
            if entry is not _END:
                break
            stack.pop()
            if container.count and pretty:
                yield "\n" + _INDENT * len(stack)
            yield container.closing
        else:  # every container is closed: the value is written
            return
        if container.count:
            yield separator
        container.count += 1
        if pretty:
            yield "\n" + _INDENT * len(stack)
        if container.is_dict:
            key, item = entry
            yield _quoted(key if isinstance(key, str) else _repr(key), cut) + ": "
        else:
            item = entry


def _start(value: Any, depth: int, pretty: bool, cut: int) -> str | tuple[str, _Container]:
    """A scalar's whole text, or a container's opening text and its ``_Container``."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, float):
        return float.__repr__(value)
    if isinstance(value, str):
        return _quoted(value, cut)
    if isinstance(value, (bytes, bytearray)):
        return _quoted(bytes(value[:cut]).decode("utf-8", errors="replace"), cut)
    is_dict = isinstance(value, dict)
    shape = getattr(value, "shape", None)
    is_array = isinstance(shape, tuple) and hasattr(value, "dtype")
    if is_array and not shape:
        return _start(_array_scalar(value), depth, pretty, cut)
    if not (is_dict or is_array or isinstance(value, (list, tuple, set, frozenset))):
        return _quoted(_repr(value), cut)
    opening, closing = ("{", "}") if is_dict else ("[", "]")
    if is_array and not pretty and depth == 0:
        opening = f"{value.dtype}[{'×'.join(map(str, shape))}] ["
    if depth >= MAX_DEPTH:
        return f"{opening}…{closing}"
    items = iter(value.items()) if is_dict else iter(value)
    return opening, _Container(items, closing, is_dict)


def _array_scalar(value: Any) -> Any:
    try:
        return value.tolist()
    except Exception:  # an array-like that is not numpy: show what it says of itself
        return _repr(value)


def _int_text(value: int) -> str:
    try:
        return int.__repr__(value)
    except ValueError:  # beyond Python's limit on digits converted to text
        return f"<int of {value.bit_length()} bits>"


def _quoted(text: str, cut: int) -> str:
    return json.dumps(text[:cut], ensure_ascii=False)


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = _REPR.maxother = 400


def _repr(value: Any) -> str:
    """``repr`` of an object other than plain data, kept short (reprlib's limits)."""
    return _REPR.repr(value)


def default_text(value: Any) -> str:
    """How a port default or manual value is shown and typed: strings as-is, the rest JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def node_title(repo: Repository, flow: Flow | None, node_id: str) -> str:
    """How the user knows a node of ``flow``: its name, else its spec's (or subflow's)
    title, else its id."""
    node = flow.nodes.get(node_id) if flow is not None else None
    if node is None:
        return node_id
    spec = repo.node_spec(node)
    return node.title(spec.title if spec else "")
