"""What the window sees of a value: a small, plain view, made where the value is.

A node's outputs may be anything (a DataFrame, an array of 100 MB, an object of a class its
spec defines). The process that holds a value (a worker, or the run's own process on the
thread executor) turns it into a view with ``make_view``: a dict of JSON data only, so the
window's process reads it with a JSON parser and never builds an object from bytes a
worker sent. Every executor makes its views with this one function, so each shows the same.

A view has ``type`` (``int``, ``pandas.DataFrame``...) and ``repr`` (cut to ``REPR_LIMIT``
characters), and where they apply:

- ``shape``, ``dtype``, ``length``;
- ``value``: the value itself, when JSON holds it (dicts with text keys, lists, tuples,
  text, numbers (integers within 64 bits), booleans, ``None``; a numpy scalar as its
  number) and its JSON text is at most ``VALUE_LIMIT`` bytes;
- ``text``: bytes of at most ``VALUE_LIMIT``, decoded as UTF-8 (what cannot be decoded
  replaced), as the original PyFlow printed the output of a command;
- ``table``: ``{"columns", "dtypes", "rows", "row_count"}`` (and ``"index"`` when a
  DataFrame's is not 0, 1, 2...), the first ``TABLE_ROWS`` rows of a DataFrame, a list of
  dicts or a list of equally long lists;
- ``series``: ``{"y", "length"}`` for 1-D numeric data, with ``"x"`` (positions) when it
  had more than ``SERIES_POINTS`` points: each of ``SERIES_POINTS / 2`` stretches then
  gives its least and greatest point, in order, so peaks survive;
- ``image``: ``{"shape", "dtype", "data"}`` for a 2-D array, a 3-D one of RGB(A) pixels or a
  PIL image: at most ``IMAGE_SIDE`` pixels a side, ``data`` its bytes (C order) in base64,
  as ``float32`` (values kept, for a colour bar) or ``uint8`` (colours);
- ``figure``: ``{"png"}``, a matplotlib figure drawn as a PNG, in base64.

(Series, images and figures are made in ``view_pictures``, which has their bounds.)

A part that cannot be made is left out: a view is always made. A brief view
(``make_view(value, brief=True)``) has the type, repr, measures and value only: what a
result prints (``shown``), made for every output even when nobody watches the run.

``Views`` is a mapping of output ports to views made when first read: the thread executor's
events carry one, so a run that nobody watches makes no view.
"""

from __future__ import annotations

import json
import math
import reprlib
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .view_pictures import figure, floats, image, is_pandas, numeric_1d, series

REPR_LIMIT = 2048
VALUE_LIMIT = 1 << 20
TABLE_ROWS = 200
_DEPTH = 50  # deeper JSON is not held whole (and would not print)

_REPR = reprlib.Repr()
_REPR.maxlevel = 4
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdeque = 100
_REPR.maxdict = 100
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = REPR_LIMIT


def make_view(value: Any, brief: bool = False) -> dict[str, Any]:
    """The view of ``value`` (see the module's docstring); never raises. ``brief``: without
    the table, series, image and figure."""
    kind = type(value)
    if kind in _SCALARS and (kind is not str or len(value) <= _SHORT_TEXT):
        return _scalar_view(value, kind)
    view: dict[str, Any] = {"type": type_name(value), "repr": _repr(value)}
    for part in _BRIEF_PARTS if brief else _PARTS:
        try:
            view.update(part(value))
        except Exception:  # a value's own methods may raise anything: that part is left out
            continue
    return view


def fetch_data(
    value: Any,
    what: str,
    start: int = 0,
    count: int = TABLE_ROWS,
    sort: int | None = None,
    descending: bool = False,
) -> Any:
    """JSON data about ``value`` beyond its view, for a viewer that asks: ``"view"`` (its
    whole view), ``"rows"`` (the table of rows ``start`` to ``start + count``, as a view's
    ``table``; ``sort``: of the whole table ordered by that column first, with ``"index"``
    the rows' labels), ``"series"`` (its 1-D numbers ``start`` to ``start + count``, every
    one; ``{"y", "length"}``). ``None`` when the value has no such part."""
    if what == "view":
        return make_view(value)
    if what == "rows":
        order = None if sort is None else _order(value, int(sort), bool(descending))
        return _table(value, max(0, start), max(0, count), order).get("table")
    if what == "series":
        numbers = numeric_1d(value)
        if numbers is None:
            return None
        return {
            "y": floats(numbers[max(0, start) : start + max(0, count)]),
            "length": len(numbers),
        }
    raise ValueError(f"no such data: {what!r}")


def summary(view: Mapping[str, Any]) -> dict[str, Any]:
    """What a result prints of a value JSON does not hold: its type, repr and shape."""
    return {"type": view["type"], "repr": view["repr"], "shape": view.get("shape")}


def shown(view: Mapping[str, Any]) -> Any:
    """What ``run --json`` and ``--events`` print of a value: the value when its view holds
    it (bytes as their text), else its ``summary``."""
    if "value" in view:
        return view["value"]
    return view["text"] if "text" in view else summary(view)


class Views(Mapping):
    """Output port → the view of its value, each made when first read (then kept)."""

    __slots__ = ("_values", "_made")

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values
        self._made: dict[str, dict[str, Any]] = {}

    def __getitem__(self, port: str) -> dict[str, Any]:
        view = self._made.get(port)
        if view is None:
            view = self._made[port] = make_view(self._values[port])
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Views({list(self._values)})"


_SHORT_TEXT = 1000  # characters: a text this short has its repr whole and fits a view
_SCALARS = frozenset({int, float, str, bool, type(None)})


def _scalar_view(value: Any, kind: type) -> dict[str, Any]:
    """The view of a plain scalar, as the parts below would make it, at a tenth of the cost."""
    if kind is int and not -(2**63) <= value < 2**63:  # a long one: its repr only
        return {"type": "int", "repr": _repr(value)}
    if kind is float and not math.isfinite(value):
        return {"type": "float", "repr": repr(value)}
    return {"type": kind.__name__, "repr": repr(value), "value": value}


def type_name(value: Any) -> str:
    kind = type(value)
    module = kind.__module__.split(".")[0]
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _repr(value: Any) -> str:
    try:
        text = _REPR.repr(value)
    except Exception as exc:
        text = f"<{type_name(value)}: its repr failed: {type(exc).__name__}>"
    return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 1] + "…"


def _measures(value: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape):
        found["shape"] = list(shape)
    dtype = getattr(value, "dtype", None)
    if dtype is not None and not callable(dtype):
        found["dtype"] = str(dtype)
    if not isinstance(value, (str, bytes, bytearray, dict)) and hasattr(value, "__len__"):
        found["length"] = len(value)
    return found


# -- the value itself --------------------------------------------------------------------


def _text(value: Any) -> dict[str, Any]:
    if isinstance(value, (bytes, bytearray)) and len(value) <= VALUE_LIMIT:
        return {"text": bytes(value).decode("utf-8", errors="replace")}
    return {}


def _whole(value: Any) -> dict[str, Any]:
    budget = [VALUE_LIMIT + 2]  # what the JSON text may still take, in bytes (the last ", ")
    plain = _plain(value, 0, budget)
    if plain is _NOT_PLAIN:
        return {}
    size = 0
    for piece in json.JSONEncoder(allow_nan=False).iterencode(plain):
        size += len(piece.encode("utf-8"))
        if size > VALUE_LIMIT:
            return {}
    return {"value": plain}


_NOT_PLAIN = object()


def _plain(value: Any, depth: int, budget: list[int]) -> Any:
    """``value`` as JSON data, or ``_NOT_PLAIN`` when JSON does not hold it as it is or its
    text would pass the ``budget``, counted down by the least text each part can take (a
    long list gives up early rather than being copied whole)."""
    budget[0] -= len(value) + 4 if isinstance(value, str) else 3  # with ", " after it
    if budget[0] < 0:
        return _NOT_PLAIN
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):  # within 64 bits: what every JSON reader (and msgpack) holds
        return int(value) if -(2**63) <= value < 2**63 else _NOT_PLAIN
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else _NOT_PLAIN
    if depth > _DEPTH:
        return _NOT_PLAIN
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            items.append(_plain(item, depth + 1, budget))
            if items[-1] is _NOT_PLAIN:
                return _NOT_PLAIN
        return items
    if isinstance(value, dict):
        found = {}
        for key, item in value.items():
            if not isinstance(key, str):
                return _NOT_PLAIN
            budget[0] -= len(key) + 4
            found[key] = _plain(item, depth + 1, budget)
            if found[key] is _NOT_PLAIN:
                return _NOT_PLAIN
        return found
    if _is_numpy_scalar(value):
        return _plain(value.item(), depth, budget)
    return _NOT_PLAIN


def _is_numpy_scalar(value: Any) -> bool:
    return type(value).__module__ == "numpy" and getattr(value, "shape", None) == ()


def _cell(value: Any) -> Any:
    """One table cell as JSON data: itself when plain, else its short repr."""
    plain = _plain(value, _DEPTH - 1, [VALUE_LIMIT])
    if plain is not _NOT_PLAIN and not isinstance(plain, (list, dict)):
        return plain
    if isinstance(value, float):  # NaN and infinities: an empty cell, as pandas shows NaN
        return None
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat") or type(value).__name__ in _TIMES:  # as pandas shows them
        return None if str(value) in ("NaT", "nat") else str(value)
    return _REPR.repr(value)


_TIMES = frozenset({"datetime64", "timedelta64", "Timedelta"})


# -- tables --------------------------------------------------------------------------------


def _table(
    value: Any, start: int = 0, count: int = TABLE_ROWS, order: list[int] | None = None
) -> dict[str, Any]:
    """The table of ``value``'s rows ``start`` to ``start + count`` (of those rows in
    ``order``, positions in the whole table, when given: then with their labels)."""
    if is_pandas(value, "DataFrame"):
        return {"table": _frame_table(value, start, count, order)}
    if isinstance(value, (list, tuple)) and value:
        head = (
            value[start : start + count]
            if order is None
            else [value[i] for i in order[start : start + count]]
        )
        if all(isinstance(row, dict) for row in value):
            table = _records_table(value, head, start != 0 or order is not None)
        else:
            width = len(value[0]) if isinstance(value[0], (list, tuple)) else -1
            if width <= 0 or not all(
                isinstance(r, (list, tuple)) and len(r) == width for r in value
            ):
                return {}
            rows = [[_cell(cell) for cell in row] for row in head]
            columns = [str(i) for i in range(width)]
            table = _table_of(columns, _column_kinds(rows, width), rows, len(value))
        if order is not None:
            table["index"] = order[start : start + count]
        return {"table": table}
    return {}


def _frame_table(frame: Any, start: int, count: int, order: list[int] | None) -> dict[str, Any]:
    head = (
        frame.iloc[start : start + count]
        if order is None
        else frame.iloc[order[start : start + count]]
    )
    rows = [[_cell(cell) for cell in row] for row in head.itertuples(index=False, name=None)]
    columns = [str(column) for column in frame.columns]
    table = _table_of(columns, [str(kind) for kind in frame.dtypes], rows, len(frame))
    index = frame.index
    if (
        order is not None
        or type(index).__name__ != "RangeIndex"
        or index.start != 0
        or index.step != 1
    ):
        table["index"] = [_cell(label) for label in head.index]
    return table


def _records_table(records: Sequence[Any], head: Sequence[Any], paged: bool) -> dict[str, Any]:
    columns: dict[str, None] = {}
    for row in records[:TABLE_ROWS] if paged else head:  # a page keeps the first rows' columns
        columns.update(dict.fromkeys(map(str, row)))
    names = list(columns)
    rows = [[_cell(_get(row, name)) for name in names] for row in head]
    return _table_of(names, _column_kinds(rows, len(names)), rows, len(records))


_last_order: list = [None, None, None]  # (the table, weakly; column and direction; order)


def _order(value: Any, column: int, descending: bool) -> list[int] | None:
    """Positions of ``value``'s rows ordered by ``column`` (stable; empty cells last); the
    last order is kept, so each page of a sorted table does not sort it again."""
    table, how, order = _last_order
    if table is not None and table() is value and how == (column, descending):
        return order
    if is_pandas(value, "DataFrame"):
        cells = value.iloc[:, column].reset_index(drop=True)
        try:
            order = cells.sort_values(ascending=not descending, kind="stable").index.tolist()
        except TypeError:  # an object column of things that do not compare
            order = _sorted_positions(cells.tolist(), descending)
    elif isinstance(value, (list, tuple)) and value:
        if all(isinstance(row, dict) for row in value):
            name = _records_table(value, value[:TABLE_ROWS], False)["columns"][column]
            cells = [_get(row, name) for row in value]
        else:
            cells = [row[column] for row in value]
        order = _sorted_positions(cells, descending)
    else:
        return None
    try:
        _last_order[:] = [weakref.ref(value), (column, descending), order]
    except TypeError:  # a list or a tuple is not weakly referenced: sorted again each page
        _last_order[:] = [None, None, None]
    return order


def _sorted_positions(cells: list, descending: bool) -> list[int]:
    """Positions of ``cells`` in order: numbers, then text, then the rest by repr; empty
    cells (``None``, NaN) last either way."""

    def key(position: int) -> tuple:
        cell = cells[position]
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return (0, cell) if cell == cell else (3, 0)
        if isinstance(cell, str):
            return (1, cell)
        return (3, 0) if cell is None else (2, repr(cell))

    present = [i for i in range(len(cells)) if key(i)[0] != 3]
    empty = [i for i in range(len(cells)) if key(i)[0] == 3]
    return sorted(present, key=key, reverse=descending) + empty


def _get(row: dict, name: str) -> Any:
    return row[name] if name in row else next((v for k, v in row.items() if str(k) == name), None)


def _column_kinds(rows: list[list[Any]], width: int) -> list[str]:
    kinds = []
    for column in range(width):
        seen = {type(row[column]).__name__ for row in rows if row[column] is not None}
        kinds.append(seen.pop() if len(seen) == 1 else ("mixed" if seen else "empty"))
    return kinds


def _table_of(columns: list[str], kinds: list[str], rows: list, count: int) -> dict[str, Any]:
    return {"columns": columns, "dtypes": kinds, "rows": rows, "row_count": count}


_BRIEF_PARTS = (_measures, _whole, _text)
_PARTS = (_measures, _whole, _text, _table, series, image, figure)
